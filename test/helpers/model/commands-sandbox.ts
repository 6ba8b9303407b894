import assert from 'node:assert/strict'
import { API } from '../fixtures.ts'
import { Cmd, CouponCmd, showPick } from './commands-base.ts'
import {
  count,
  couponPath,
  expectCoupon,
  expectFailure,
  learnNow,
  type Real,
  type World,
} from './real-system.ts'
import * as M from './reference.ts'

/**
 * Commands that go through sandbox controls rather than the partner API: the user deleting a
 * coupon, the clock moving, and the server restarting.
 */

/** The user deletes the coupon in the wallet (a sandbox control: T9). */
export class UserDeletes extends CouponCmd {
  toString = () => `user-deletes(${showPick(this.pick)})`
  override wants(w: Readonly<World>, c: M.ModelCoupon) {
    return M.decideDelete(w, c) === undefined
  }
  async exec(w: World, real: Real) {
    const c = this.coupon(w)
    const err = M.decideDelete(w, c)
    const r = await real.s.admin('POST', `/sandbox${couponPath(c, 'delete').slice(API.length)}`, {
      stock_id: w.stockId,
    })
    if (err) {
      count('user-deletes', err)
      return expectFailure(r, err)
    }
    count('user-deletes', 'ok')
    assert.equal(r.status, 200, r.text)
    // Only SEQUENTIAL rounds show when the coupon was deleted.
    const items = r.json.sequential_usage_detail?.detail_item_list as
      | { delete_time?: string }[]
      | undefined
    const shown = items?.find((i) => i.delete_time !== undefined)?.delete_time
    M.applyDelete(c, shown === undefined ? undefined : learnNow(w, shown, 'delete_time'))
    expectCoupon(w, r, c)
  }
}

export class AdvanceClock extends Cmd {
  readonly halfDays: number
  constructor(halfDays: number) {
    super()
    this.halfDays = halfDays
  }
  check = () => true
  toString = () => `advance-clock(${this.halfDays * 12} h)`
  async exec(w: World, real: Real) {
    const seconds = this.halfDays * 12 * M.HOUR
    const r = await real.s.admin('POST', '/sandbox/clock', { advance_seconds: seconds })
    assert.equal(r.status, 200, r.text)
    // The server's time was at least w.now before, so it is at least w.now + seconds now.
    w.ideal += seconds
    w.now += seconds
    learnNow(w, r.json.now, 'the advanced clock')
    count('advance-clock', 'ok')
  }
}

/** Everything (coupons, request numbers, the clock) must survive a restart. */
export class Restart extends Cmd {
  check = () => true
  toString = () => 'restart'
  async exec(_w: World, real: Real) {
    await real.s.restart()
    count('restart', 'ok')
  }
}
