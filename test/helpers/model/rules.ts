import type { ErrorName } from '../../../src/domain/errors.ts'
import {
  type CouponModel,
  type CouponState,
  LIVE,
  type ModelCoupon,
  roundState,
  sentToday,
  stateAt,
  stockState,
  usedCount,
} from './coupon-state.ts'

/**
 * The reference model's decisions: for each write, the one catalogue error the spec's check
 * order gives, or undefined when the request must succeed.
 */

/** §5 "Not allowed": DELETED and EXPIRED have their own codes, the rest share one. */
function stateError(s: CouponState): ErrorName {
  if (s === 'EXPIRED') return 'COUPON_EXPIRED'
  if (s === 'DELETED') return 'COUPON_DELETED'
  return 'COUPON_STATE_INVALID'
}

/** E15 step 8 (and E11 likewise): the index goes with SEQUENTIAL and only with it. */
function indexMisuse(m: CouponModel, index: number | undefined): boolean {
  return (m.cfg.mode === 'SEQUENTIAL') !== (index !== undefined)
}

/** E8 checks 2–4 in their listed order. */
export function decideSend(m: CouponModel, openid: string): ErrorName | undefined {
  if (stockState(m) !== 'SENDING') return 'STOCK_NOT_SENDING'
  if (m.sentTotal >= m.cfg.maxCount) return 'STOCK_BUDGET_EXHAUSTED'
  if (m.cfg.maxPerDay > 0 && sentToday(m) >= m.cfg.maxPerDay) return 'STOCK_DAILY_BUDGET_EXHAUSTED'
  // "held by this openid (any state, CONFIRMING included)".
  const held = m.coupons.filter((c) => c.openid === openid).length
  if (held >= m.cfg.maxPerUser) return 'USER_LIMIT_REACHED'
  return undefined
}

/** E10. */
export function decideConfirm(m: CouponModel, c: ModelCoupon): ErrorName | undefined {
  const s = stateAt(c, m.now)
  return s === 'CONFIRMING' ? undefined : stateError(s)
}

/** E11: state, then the use_time window, then (SEQUENTIAL) the round. */
export function decideUse(
  m: CouponModel,
  c: ModelCoupon,
  index: number | undefined,
  useTime: number,
): ErrorName | undefined {
  if (indexMisuse(m, index)) return 'BUSINESS_RULE'
  const s = stateAt(c, m.now)
  if (s === 'USED') return 'COUPON_USED_BY_OTHER_ORDER'
  if (s !== 'EFFECTIVE') return stateError(s)
  if (useTime < c.begin || useTime > c.end) return 'COUPON_NOT_IN_VALID_PERIOD'
  if (index === undefined) return undefined
  // Rounds are consumed in order: the next one is round used_count.
  const slot = c.slots[index]
  if (!slot || index !== usedCount(c)) return 'SEQUENTIAL_INDEX_INVALID'
  if (roundState(c, slot, m.now) !== 'EFFECTIVE') return 'SEQUENTIAL_ROUND_NOT_AVAILABLE'
  return undefined
}

/** E15 steps 8–9 (the seed's return) with the lifo policy. */
export function decideReturn(
  m: CouponModel,
  c: ModelCoupon,
  index: number | undefined,
): ErrorName | undefined {
  if (indexMisuse(m, index)) return 'BUSINESS_RULE'
  const s = stateAt(c, m.now)
  const pastEnd = m.now > c.end
  if (index === undefined) {
    if (s !== 'USED') return stateError(s)
    return pastEnd ? 'COUPON_EXPIRED' : undefined
  }
  const slot = c.slots[index]
  if (!slot) return 'SEQUENTIAL_INDEX_INVALID'
  if (s !== 'USED' && s !== 'EFFECTIVE') return stateError(s)
  if (pastEnd) return 'COUPON_EXPIRED'
  if (!slot.used) return 'COUPON_STATE_INVALID'
  // Only the most recently used round can be returned.
  if (index !== usedCount(c) - 1) return 'SEQUENTIAL_INDEX_INVALID'
  return undefined
}

/** E14, with §5's "anything on DELETED → 272756769". */
export function decideDeactivate(m: CouponModel, c: ModelCoupon): ErrorName | undefined {
  const s = stateAt(c, m.now)
  if (LIVE.has(s)) return undefined
  return s === 'DELETED' ? 'COUPON_DELETED' : 'COUPON_STATE_INVALID'
}

/** T9 (sandbox: the user deletes the coupon in the wallet). */
export function decideDelete(m: CouponModel, c: ModelCoupon): ErrorName | undefined {
  const s = stateAt(c, m.now)
  return LIVE.has(s) ? undefined : stateError(s)
}
