import assert from 'node:assert/strict'
import { API } from '../fixtures.ts'
import { Cmd, CouponCmd, type CouponPick, showPick } from './commands-base.ts'
import {
  count,
  couponPath,
  expectCoupon,
  expectFailure,
  pick,
  type Real,
  ref,
  type World,
} from './real-system.ts'
import * as M from './reference.ts'

/** Commands that only read: one coupon, and a user's whole list page by page, both as the model has them. */

export class Query extends CouponCmd {
  readonly asOtherUser: boolean
  constructor(pick: CouponPick, asOtherUser: boolean) {
    super(pick)
    this.asOtherUser = asOtherUser
  }
  toString = () => `query(${showPick(this.pick)}${this.asOtherUser ? ', as another user' : ''})`
  async exec(w: World, real: Real) {
    const c = this.coupon(w)
    const other = w.openids.find((o) => o !== c.openid)
    const openid = this.asOtherUser && other ? other : c.openid
    const q = new URLSearchParams(ref(w))
    const r = await real.s.call('GET', `${couponPath({ openid, code: c.code })}?${q}`)
    if (openid !== c.openid) {
      count('query', 'NOT_FOUND_USER_COUPON')
      return expectFailure(r, 'NOT_FOUND_USER_COUPON')
    }
    count('query', 'ok')
    expectCoupon(w, r, c)
  }
}

/**
 * The state filter of a list: none, a fixed state, or the state some coupon is in now (which
 * makes non-empty filtered pages, PENDING→EFFECTIVE and expiry by the clock, likely).
 */
export type ListFilter =
  | { kind: 'none' }
  | { kind: 'state'; state: M.CouponState }
  | { kind: 'of-coupon'; idx: number }

export class List extends Cmd {
  readonly user: number
  readonly filter: ListFilter
  readonly pageSize: number
  constructor(user: number, filter: ListFilter, pageSize: number) {
    super()
    this.user = user
    this.filter = filter
    this.pageSize = pageSize
  }
  check = (m: Readonly<World>) => this.filter.kind !== 'of-coupon' || m.coupons.length > 0
  toString = () => {
    const f = this.filter
    const shown = f.kind === 'none' ? 'any' : f.kind === 'state' ? f.state : `of coupon #${f.idx}`
    return `list(user ${this.user}, state ${shown}, page ${this.pageSize})`
  }
  async exec(w: World, real: Real) {
    const f = this.filter
    const c = f.kind === 'of-coupon' ? pick(w.coupons, f.idx) : undefined
    const openid = c?.openid ?? pick(w.openids, this.user) ?? ''
    const state = c ? M.stateAt(c, w.now) : f.kind === 'state' ? f.state : undefined
    // Newest first.
    const expected = w.coupons
      .filter((x) => x.openid === openid)
      .filter((x) => state === undefined || M.stateAt(x, w.now) === state)
      .reverse()
      .map((x) => M.expectedEntity(w, w.t, x))
    const shown: unknown[] = []
    let token: string | undefined
    for (let page = 0; page <= expected.length; page++) {
      const q = new URLSearchParams({
        ...ref(w),
        page_size: String(this.pageSize),
        ...(state ? { coupon_state: state } : {}),
        ...(token ? { page_token: token } : {}),
      })
      const r = await real.s.call('GET', `${API}/users/${openid}/coupons?${q}`)
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.total_count, expected.length, r.text)
      assert.ok(r.json.user_coupon_list.length <= this.pageSize, r.text)
      shown.push(...r.json.user_coupon_list)
      token = r.json.next_page_token
      if (token === undefined) break
    }
    assert.equal(token, undefined, 'the last page carries no next_page_token')
    assert.deepEqual(shown, expected)
    count('list', `${expected.length} coupon(s)`)
  }
}
