import {
  type CouponModel,
  type ModelCoupon,
  type UseRecord,
  validityWindow,
} from './coupon-state.ts'
import { dayNumber } from './time.ts'

/** How a successful write moves the reference model: the spec's transitions, one per operation. */

export function applySend(
  m: CouponModel,
  i: { code: string; openid: string; sendRequestNo: string; receive: number },
): ModelCoupon {
  const { begin, end } = validityWindow(m, i.receive)
  const c: ModelCoupon = {
    ...i,
    begin,
    end,
    state: 'CONFIRMING',
    slots: Array.from({ length: m.cfg.rounds }, () => ({ used: false })),
  }
  m.coupons.push(c)
  m.sentTotal++
  const day = dayNumber(i.receive)
  m.sentByDay.set(day, (m.sentByDay.get(day) ?? 0) + 1)
  return c
}

export function applyConfirm(c: ModelCoupon, requestNo: string, now: number): void {
  c.state = now < c.begin ? 'PENDING' : 'EFFECTIVE'
  c.confirm = { requestNo, time: now }
  // §4.4: confirm unlocks round 0 from the coupon's own begin (unused for SINGLE).
  const first = c.slots[0]
  if (first) first.begin = c.begin
}

/**
 * T5/T6/T6b. `unlockAt` is when the next round opens: the use's own time with interval 0,
 * else 00:00 `interval_days` days later.
 */
export function applyUse(
  c: ModelCoupon,
  index: number | undefined,
  use: UseRecord,
  unlockAt: number | undefined,
): void {
  const k = index ?? 0
  const slot = c.slots[k]
  if (!slot) throw new Error(`no round ${k}`)
  slot.used = true
  slot.use = use
  const next = c.slots[k + 1]
  if (next && !next.used && unlockAt !== undefined) next.begin = unlockAt
  c.state = c.slots.every((s) => s.used) ? 'USED' : 'EFFECTIVE'
}

/** T11/T12: use_* go, return_* are set, the round a use had unlocked is locked again. */
export function applyReturn(
  c: ModelCoupon,
  index: number | undefined,
  requestNo: string,
  now: number,
): void {
  const k = index ?? 0
  const slot = c.slots[k]
  if (!slot) throw new Error(`no round ${k}`)
  slot.used = false
  delete slot.use
  slot.ret = { requestNo, time: now }
  const next = c.slots[k + 1]
  if (next && !next.used) delete next.begin
  c.state = now < c.begin ? 'PENDING' : 'EFFECTIVE'
}

export function applyDeactivate(
  c: ModelCoupon,
  d: { requestNo: string; time: number; reason: string },
): void {
  c.state = 'DEACTIVATED'
  c.deactivation = d
}

export function applyDelete(c: ModelCoupon, at: number | undefined): void {
  c.state = 'DELETED'
  if (at !== undefined) c.deletedAt = at
}
