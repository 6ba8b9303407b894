import type fc from 'fast-check'
import { pick, type Real, stats, type World } from './real-system.ts'
import * as M from './reference.ts'

/**
 * What every command shares: the fast-check command shape with its bookkeeping, how a command
 * picks the coupon it acts on, and which round index it sends.
 */

export type IndexChoice = { kind: 'auto' | 'misuse' | 'out-of-order' } | { kind: 'at'; k: number }

export const showIndex = (i: IndexChoice) => (i.kind === 'at' ? `#${i.k}` : i.kind)

/**
 * `auto` is the index a careful partner sends (the next round to use, the latest used round to
 * return, none for SINGLE); `misuse` breaks the "iff SEQUENTIAL" rule; `out-of-order` skips a
 * round on use and names an earlier used round on return (the lifo rule); `at` is any round.
 */
export function resolveIndex(w: World, c: M.ModelCoupon, i: IndexChoice, op: 'use' | 'return') {
  const sequential = w.cfg.mode === 'SEQUENTIAL'
  if (i.kind === 'misuse') return sequential ? undefined : 0
  if (!sequential) return undefined
  if (i.kind === 'at') return i.k
  const used = M.usedCount(c)
  if (i.kind === 'out-of-order') return op === 'use' ? used + 1 : Math.max(used - 2, 0)
  return op === 'use' ? used : Math.max(used - 1, 0)
}

export abstract class Cmd implements fc.AsyncCommand<World, Real> {
  abstract check(m: Readonly<World>): boolean
  abstract exec(w: World, real: Real): Promise<void>
  abstract toString(): string
  async run(w: World, real: Real): Promise<void> {
    stats.commands++
    await this.exec(w, real)
  }
}

/**
 * Which coupon a command acts on. A targeted pick chooses among the coupons the operation
 * could succeed on (by the model) and is skipped when there is none, so runs reach deep states
 * instead of mostly bouncing off state errors; an untargeted one may hit any coupon, which
 * exercises the rejections.
 */
export interface CouponPick {
  idx: number
  targeted: boolean
}

export const showPick = (p: CouponPick) => `${p.targeted ? 'targeted' : 'any'} #${p.idx}`

export abstract class CouponCmd extends Cmd {
  readonly pick: CouponPick
  constructor(pick: CouponPick) {
    super()
    this.pick = pick
  }
  check(m: Readonly<World>): boolean {
    return this.candidates(m).length > 0
  }
  /** The coupons a targeted pick chooses from. */
  wants(_w: Readonly<World>, _c: M.ModelCoupon): boolean {
    return true
  }
  candidates(w: Readonly<World>): M.ModelCoupon[] {
    return this.pick.targeted ? w.coupons.filter((c) => this.wants(w, c)) : w.coupons
  }
  coupon(w: World): M.ModelCoupon {
    const c = pick(this.candidates(w), this.pick.idx)
    if (!c) throw new Error('check() lets this run only with a candidate')
    return c
  }
}
