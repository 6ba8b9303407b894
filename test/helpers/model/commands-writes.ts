import assert from 'node:assert/strict'
import { API, reqNo } from '../fixtures.ts'
import {
  Cmd,
  CouponCmd,
  type CouponPick,
  type IndexChoice,
  resolveIndex,
  showIndex,
  showPick,
} from './commands-base.ts'
import {
  count,
  expectCoupon,
  expectFailure,
  fingerprint,
  learnNow,
  mutate,
  pick,
  type Real,
  ref,
  type World,
} from './real-system.ts'
import * as M from './reference.ts'

/**
 * The commands that write: send, confirm, use, return and deactivate, each judged by the
 * model's decision, plus `progress`, which walks a coupon through its life cycle.
 */

export class Send extends Cmd {
  readonly user: number
  constructor(user: number) {
    super()
    this.user = user
  }
  check = () => true
  toString = () => `send(user ${this.user})`
  async exec(w: World, real: Real) {
    const openid = pick(w.openids, this.user) ?? ''
    const requestNo = reqNo('SEND')
    const body = { ...ref(w), send_request_no: requestNo }
    const path = `${API}/users/${openid}/coupons`
    const err = M.decideSend(w, openid)
    const r = await real.s.call('POST', path, body)
    if (err) {
      count('send', err)
      return expectFailure(r, err)
    }
    count('send', 'ok')
    assert.equal(r.status, 200, r.text)
    const code = r.json.coupon_code
    assert.ok(typeof code === 'string' && !w.coupons.some((c) => c.code === code), r.text)
    const receive = learnNow(w, r.json.receive_time, 'receive_time')
    const c = M.applySend(w, { code, openid, sendRequestNo: requestNo, receive })
    const expected = expectCoupon(w, r, c)
    w.records.push({
      op: 'send',
      requestNo,
      fingerprint: fingerprint(openid, undefined, body),
      code,
      openid,
      path,
      body,
      firstText: r.text,
      firstExpected: expected,
    })
  }
}

function confirmOp(w: World, real: Real, c: M.ModelCoupon) {
  const requestNo = reqNo('CFM')
  return mutate(w, real, 'confirm', {
    op: 'confirm',
    c,
    requestNo,
    body: { ...ref(w), out_request_no: requestNo },
    decide: () => M.decideConfirm(w, c),
    apply: (json) => M.applyConfirm(c, requestNo, learnNow(w, json.confirm_time, 'confirm_time')),
  })
}

export type UseTime = 'now' | 'before-window' | 'after-window'

function useOp(w: World, real: Real, c: M.ModelCoupon, index: number | undefined, when: UseTime) {
  const at = when === 'now' ? w.now : when === 'before-window' ? c.begin - M.HOUR : c.end + M.HOUR
  const requestNo = reqNo('USE')
  const use: M.UseRecord = {
    requestNo,
    time: M.formatTime(at),
    order: { transaction_id: `4200000000${String(++w.orders).padStart(18, '0')}` },
  }
  return mutate(w, real, 'use', {
    op: 'use',
    c,
    requestNo,
    body: {
      ...ref(w),
      use_time: use.time,
      associated_order_info: use.order,
      out_request_no: requestNo,
      ...(index === undefined ? {} : { sequential_coupon_index: index }),
    },
    decide: () => M.decideUse(w, c, index, at),
    apply: (json) => {
      let unlock: number | undefined
      const next = index === undefined ? undefined : index + 1
      if (next !== undefined && next < w.cfg.rounds) {
        // Interval 0 opens the next round at the use itself: a time only the server knows.
        const items = (json.sequential_usage_detail as { detail_item_list: unknown[] })
          .detail_item_list as { valid_begin_time: string }[]
        unlock =
          w.cfg.intervalDays === 0
            ? learnNow(w, items[next]?.valid_begin_time, 'unlocked round begin')
            : M.startOfDay(w.now) + w.cfg.intervalDays * M.DAY
      }
      M.applyUse(c, index, use, unlock)
    },
  })
}

function returnOp(
  w: World,
  real: Real,
  c: M.ModelCoupon,
  index: number | undefined,
  requestNo: string,
  label: string,
) {
  return mutate(w, real, label, {
    op: 'return',
    c,
    requestNo,
    body: {
      ...ref(w),
      out_request_no: requestNo,
      ...(index === undefined ? {} : { sequential_coupon_index: index }),
    },
    decide: () => M.decideReturn(w, c, index),
    apply: (json) => {
      const detail =
        index === undefined
          ? (json.single_usage_detail as { return_time?: string })
          : (json.sequential_usage_detail as { detail_item_list: { return_time?: string }[] })
              .detail_item_list[index]
      M.applyReturn(c, index, requestNo, learnNow(w, detail?.return_time, 'return_time'))
    },
  })
}

export class Confirm extends CouponCmd {
  toString = () => `confirm(${showPick(this.pick)})`
  override wants(w: Readonly<World>, c: M.ModelCoupon) {
    return M.stateAt(c, w.now) === 'CONFIRMING'
  }
  exec(w: World, real: Real) {
    return confirmOp(w, real, this.coupon(w))
  }
}

export class Use extends CouponCmd {
  readonly index: IndexChoice
  readonly when: UseTime
  constructor(pick: CouponPick, index: IndexChoice, when: UseTime) {
    super(pick)
    this.index = index
    this.when = when
  }
  toString = () => `use(${showPick(this.pick)}, index ${showIndex(this.index)}, ${this.when})`
  override wants(w: Readonly<World>, c: M.ModelCoupon) {
    return M.stateAt(c, w.now) === 'EFFECTIVE'
  }
  exec(w: World, real: Real) {
    const c = this.coupon(w)
    return useOp(w, real, c, resolveIndex(w, c, this.index, 'use'), this.when)
  }
}

/** Where a return's out_request_no comes from. */
export type NumberSource = 'fresh' | 'failed-before' | 'other-operation'

export class Return extends CouponCmd {
  readonly index: IndexChoice
  readonly source: NumberSource
  readonly sourceIdx: number
  constructor(pick: CouponPick, index: IndexChoice, source: NumberSource, sourceIdx: number) {
    super(pick)
    this.index = index
    this.source = source
    this.sourceIdx = sourceIdx
  }
  toString = () =>
    `return(${showPick(this.pick)}, index ${showIndex(this.index)}, number ${this.source}` +
    `${this.source === 'fresh' ? '' : ` ${this.sourceIdx}`})`
  override wants(_w: Readonly<World>, c: M.ModelCoupon) {
    return M.usedCount(c) > 0
  }
  exec(w: World, real: Real) {
    const c = this.coupon(w)
    // A failed request never consumed its number, and numbers are per operation: both reuses
    // must be treated as new returns (protocol §8 rules 1 and 4).
    const reused =
      this.source === 'failed-before'
        ? pick(w.failedNos, this.sourceIdx)
        : this.source === 'other-operation'
          ? pick(
              w.records.filter((r) => r.op !== 'return'),
              this.sourceIdx,
            )?.requestNo
          : undefined
    const index = resolveIndex(w, c, this.index, 'return')
    const label = `return (${reused ? this.source : 'fresh'} number)`
    return returnOp(w, real, c, index, reused ?? reqNo('RET'), label)
  }
}

/**
 * One step along the path a well-behaved partner takes — confirm what is CONFIRMING, use
 * what is EFFECTIVE, return what was used — so that random runs get deep into the life cycle
 * (many uses and returns of one coupon, every SEQUENTIAL round) within a few dozen commands.
 */
export class Progress extends CouponCmd {
  readonly backwards: boolean
  constructor(idx: number, backwards: boolean) {
    super({ idx, targeted: true })
    this.backwards = backwards
  }
  toString = () => `progress(#${this.pick.idx}${this.backwards ? ', return if possible' : ''})`
  override wants(w: Readonly<World>, c: M.ModelCoupon) {
    const state = M.stateAt(c, w.now)
    return state === 'CONFIRMING' || state === 'EFFECTIVE' || state === 'USED'
  }
  exec(w: World, real: Real) {
    const c = this.coupon(w)
    const state = M.stateAt(c, w.now)
    if (state === 'CONFIRMING') return confirmOp(w, real, c)
    const used = M.usedCount(c)
    const sequential = w.cfg.mode === 'SEQUENTIAL'
    if (state === 'USED' || (this.backwards && used > 0)) {
      return returnOp(
        w,
        real,
        c,
        sequential ? used - 1 : undefined,
        reqNo('RET'),
        'return (fresh number)',
      )
    }
    return useOp(w, real, c, sequential ? used : undefined, 'now')
  }
}

export class Deactivate extends CouponCmd {
  toString = () => `deactivate(${showPick(this.pick)})`
  override wants(w: Readonly<World>, c: M.ModelCoupon) {
    return M.decideDeactivate(w, c) === undefined
  }
  exec(w: World, real: Real) {
    const c = this.coupon(w)
    const requestNo = reqNo('DEA')
    const reason = '模型测试失效'
    return mutate(w, real, 'deactivate', {
      op: 'deactivate',
      c,
      requestNo,
      body: { ...ref(w), out_request_no: requestNo, deactivate_reason: reason },
      decide: () => M.decideDeactivate(w, c),
      apply: (json) =>
        M.applyDeactivate(c, {
          requestNo,
          reason,
          time: learnNow(w, json.deactivate_time, 'deactivate_time'),
        }),
    })
  }
}
