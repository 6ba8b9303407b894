import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { type ErrorName, isWxError } from './errors.ts'
import { behaviour } from './settings.ts'
import { DAY, parseRfc3339 } from './time.ts'
import {
  atTime,
  confirmCoupon,
  issueCoupon,
  type ModeContext,
  returnCoupon,
  roundState,
  type UserCoupon,
  useCoupon,
  usedCount,
} from './user-coupon.ts'

const T0 = parseRfc3339('2025-08-04T10:00:00+08:00') ?? 0
const END = T0 + 10 * DAY
const order = { transaction_id: '4200000000123456789123456789' }

function coupon(mode: 'SINGLE' | 'SEQUENTIAL', rounds = 3, intervalDays = 0): UserCoupon {
  return issueCoupon({
    couponCode: '123446565767',
    stockId: '1000000001001',
    productCouponId: '1000000001',
    brandId: '120001',
    mchid: '1900000001',
    openid: 'o-user',
    appid: 'wx-app',
    sendRequestNo: 'SEND0001',
    usageMode: mode,
    rounds,
    intervalDays,
    window: { begin: T0, end: END },
    now: T0,
    issueSeq: 1,
  })
}

function ctx(mode: 'SINGLE' | 'SEQUENTIAL', now = T0 + 60, over = {}): ModeContext {
  return { now, usageMode: mode, settings: behaviour(over) }
}

function throwsWx(fn: () => unknown, name: ErrorName): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isWxError(e), `expected WxError, got ${String(e)}`)
    assert.equal(e.errorName, name)
    return true
  })
}

const use = (c: UserCoupon, no: string, cx: ModeContext, index?: number) =>
  useCoupon(
    c,
    { requestNo: no, useTime: cx.now, order, ...(index === undefined ? {} : { index }) },
    cx,
  )
const ret = (c: UserCoupon, no: string, cx: ModeContext, index?: number) =>
  returnCoupon(c, { requestNo: no, ...(index === undefined ? {} : { index }) }, cx)

describe('confirm and time', () => {
  test('issued coupons wait in CONFIRMING; confirm before the window opens gives PENDING', () => {
    const c = issueCoupon({ ...baseIssue(), window: { begin: T0 + DAY, end: END } })
    assert.equal(c.state, 'CONFIRMING')
    const confirmed = confirmCoupon(c, 'CONFIRM01', T0)
    assert.equal(confirmed.state, 'PENDING')
    assert.deepEqual(confirmed.confirm, { requestNo: 'CONFIRM01', time: T0 })
    assert.equal(atTime(confirmed, T0 + DAY - 1).state, 'PENDING')
    assert.equal(atTime(confirmed, T0 + DAY).state, 'EFFECTIVE')
  })

  test('confirm inside the window gives EFFECTIVE; a second confirm is a state error', () => {
    const c = confirmCoupon(coupon('SINGLE'), 'CONFIRM01', T0)
    assert.equal(c.state, 'EFFECTIVE')
    throwsWx(() => confirmCoupon(c, 'CONFIRM02', T0), 'COUPON_STATE_INVALID')
  })

  test('coupons past valid_end_time are EXPIRED, even unconfirmed; confirm then fails', () => {
    const c = coupon('SINGLE')
    assert.equal(atTime(c, END).state, 'CONFIRMING')
    assert.equal(atTime(c, END + 1).state, 'EXPIRED')
    throwsWx(() => confirmCoupon(c, 'CONFIRM01', END + 1), 'COUPON_EXPIRED')
  })
})

function baseIssue() {
  return {
    couponCode: 'c1',
    stockId: 's1',
    productCouponId: 'p1',
    brandId: 'b1',
    mchid: 'm1',
    openid: 'o1',
    appid: 'a1',
    sendRequestNo: 'SEND0001',
    usageMode: 'SINGLE' as const,
    window: { begin: T0, end: END },
    now: T0,
    issueSeq: 1,
  }
}

describe('SINGLE use and return', () => {
  const effective = () => confirmCoupon(coupon('SINGLE'), 'CONFIRM01', T0)

  test('use → USED with the use record; a second use is "used by another order"', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    assert.equal(used.state, 'USED')
    assert.equal(used.single?.use?.requestNo, 'USE00001')
    throwsWx(() => use(used, 'USE00002', ctx('SINGLE')), 'COUPON_USED_BY_OTHER_ORDER')
  })

  test('use before confirm is a state error; use_time outside the window is 272755715', () => {
    throwsWx(() => use(coupon('SINGLE'), 'USE00001', ctx('SINGLE')), 'COUPON_STATE_INVALID')
    const c = effective()
    throwsWx(
      () => useCoupon(c, { requestNo: 'USE00001', useTime: END + 5, order }, ctx('SINGLE')),
      'COUPON_NOT_IN_VALID_PERIOD',
    )
  })

  test('return: USED → EFFECTIVE, use_* dropped, return_* recorded, window unchanged', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    const back = ret(used, 'RET00001', ctx('SINGLE', T0 + 120))
    assert.equal(back.state, 'EFFECTIVE')
    assert.equal(back.single?.use, undefined)
    assert.deepEqual(back.single?.ret, { requestNo: 'RET00001', time: T0 + 120 })
    assert.equal(back.validBegin, used.validBegin)
    assert.equal(back.validEnd, used.validEnd)
    assert.equal(back.version, used.version + 1)
  })

  test('Q1 keepUseInfoAfterReturn keeps the use record', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    const back = ret(used, 'RET00001', ctx('SINGLE', T0 + 120, { keepUseInfoAfterReturn: true }))
    assert.equal(back.single?.use?.requestNo, 'USE00001')
    assert.equal(back.single?.used, false)
  })

  test('a returned coupon can be used again; the last return stays on record', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    const again = use(ret(used, 'RET00001', ctx('SINGLE')), 'USE00002', ctx('SINGLE'))
    assert.equal(again.state, 'USED')
    assert.equal(again.single?.use?.requestNo, 'USE00002')
    assert.equal(again.single?.ret?.requestNo, 'RET00001')
  })

  test('only a USED coupon can be returned', () => {
    throwsWx(() => ret(coupon('SINGLE'), 'RET00001', ctx('SINGLE')), 'COUPON_STATE_INVALID')
    throwsWx(() => ret(effective(), 'RET00001', ctx('SINGLE')), 'COUPON_STATE_INVALID')
    const deleted = { ...effective(), state: 'DELETED' as const }
    throwsWx(() => ret(deleted, 'RET00001', ctx('SINGLE')), 'COUPON_DELETED')
    const deactivated = { ...effective(), state: 'DEACTIVATED' as const }
    throwsWx(() => ret(deactivated, 'RET00001', ctx('SINGLE')), 'COUPON_STATE_INVALID')
    throwsWx(() => ret(coupon('SINGLE'), 'RET00001', ctx('SINGLE', END + 1)), 'COUPON_EXPIRED')
  })

  test('Q5: a USED coupon past valid_end_time cannot be returned, unless allowed', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    assert.equal(atTime(used, END + 1).state, 'USED')
    throwsWx(() => ret(used, 'RET00001', ctx('SINGLE', END + 1)), 'COUPON_EXPIRED')
    const back = ret(used, 'RET00001', ctx('SINGLE', END + 1, { returnAfterExpiry: 'allow' }))
    assert.equal(atTime(back, END + 1).state, 'EXPIRED')
  })

  test('Q4: an index on a SINGLE coupon is INVALID_REQUEST by default, PARAM_ERROR if set', () => {
    const used = use(effective(), 'USE00001', ctx('SINGLE'))
    throwsWx(() => ret(used, 'RET00001', ctx('SINGLE'), 0), 'BUSINESS_RULE')
    throwsWx(
      () => ret(used, 'RET00001', ctx('SINGLE', T0 + 60, { indexMisuseError: 'PARAM_ERROR' }), 0),
      'PARAM_ERROR',
    )
    throwsWx(() => use(effective(), 'USE00001', ctx('SINGLE'), 0), 'BUSINESS_RULE')
  })
})

describe('SEQUENTIAL rounds', () => {
  const confirmed = (rounds = 3, interval = 0) =>
    confirmCoupon(coupon('SEQUENTIAL', rounds, interval), 'CONFIRM01', T0)

  test('rounds are used in order; the last use makes the coupon USED', () => {
    let c = confirmed()
    assert.equal(roundState(c, c.sequential?.rounds[0] ?? { used: false }, T0), 'EFFECTIVE')
    assert.equal(roundState(c, c.sequential?.rounds[1] ?? { used: false }, T0), 'PENDING')
    throwsWx(() => use(c, 'USE00001', ctx('SEQUENTIAL'), 1), 'SEQUENTIAL_INDEX_INVALID')
    throwsWx(() => use(c, 'USE00001', ctx('SEQUENTIAL')), 'BUSINESS_RULE')
    c = use(c, 'USE00001', ctx('SEQUENTIAL'), 0)
    c = use(c, 'USE00002', ctx('SEQUENTIAL'), 1)
    assert.equal(c.state, 'EFFECTIVE')
    c = use(c, 'USE00003', ctx('SEQUENTIAL'), 2)
    assert.equal(c.state, 'USED')
    assert.equal(usedCount(c), 3)
  })

  test('interval_days: the next round opens at 00:00 of the day N days later', () => {
    const c = use(confirmed(3, 1), 'USE00001', ctx('SEQUENTIAL', T0 + 60), 0)
    const next = c.sequential?.rounds[1]
    assert.ok(next)
    const midnight = parseRfc3339('2025-08-05T00:00:00+08:00') ?? 0
    assert.equal(next.begin, midnight)
    throwsWx(
      () => use(c, 'USE00002', ctx('SEQUENTIAL', midnight - 1), 1),
      'SEQUENTIAL_ROUND_NOT_AVAILABLE',
    )
    assert.equal(use(c, 'USE00002', ctx('SEQUENTIAL', midnight), 1).state, 'EFFECTIVE')
  })

  test('return gives the latest round back, decrements used_count and relocks the next', () => {
    let c = use(confirmed(), 'USE00001', ctx('SEQUENTIAL'), 0)
    c = use(c, 'USE00002', ctx('SEQUENTIAL'), 1)
    const back = ret(c, 'RET00001', ctx('SEQUENTIAL', T0 + 300), 1)
    assert.equal(usedCount(back), 1)
    assert.equal(back.state, 'EFFECTIVE')
    const [r0, r1, r2] = back.sequential?.rounds ?? []
    assert.equal(r0?.used, true)
    assert.equal(r1?.used, false)
    assert.deepEqual(r1?.ret, { requestNo: 'RET00001', time: T0 + 300 })
    assert.equal(r1?.use, undefined)
    assert.equal(r2?.begin, undefined, 'round 2 is locked again')
    assert.equal(use(back, 'USE00003', ctx('SEQUENTIAL'), 1).sequential?.rounds[1]?.used, true)
  })

  test('Q2 LIFO: an older used round cannot be returned; any-used allows it', () => {
    let c = use(confirmed(), 'USE00001', ctx('SEQUENTIAL'), 0)
    c = use(c, 'USE00002', ctx('SEQUENTIAL'), 1)
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL'), 0), 'SEQUENTIAL_INDEX_INVALID')
    const anyUsed = ctx('SEQUENTIAL', T0 + 60, { sequentialReturnPolicy: 'any-used' })
    assert.equal(ret(c, 'RET00001', anyUsed, 0).sequential?.rounds[0]?.used, false)
  })

  test('unused rounds, out-of-range indexes and a missing index are rejected', () => {
    const c = use(confirmed(), 'USE00001', ctx('SEQUENTIAL'), 0)
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL'), 2), 'COUPON_STATE_INVALID')
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL'), 3), 'SEQUENTIAL_INDEX_INVALID')
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL'), 2 ** 40), 'SEQUENTIAL_INDEX_INVALID')
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL')), 'BUSINESS_RULE')
  })

  test('a fully used coupon returns to EFFECTIVE; past its end the return is refused', () => {
    let c = confirmed(2)
    c = use(c, 'USE00001', ctx('SEQUENTIAL'), 0)
    c = use(c, 'USE00002', ctx('SEQUENTIAL'), 1)
    assert.equal(c.state, 'USED')
    assert.equal(ret(c, 'RET00001', ctx('SEQUENTIAL'), 1).state, 'EFFECTIVE')
    throwsWx(() => ret(c, 'RET00001', ctx('SEQUENTIAL', END + 1), 1), 'COUPON_EXPIRED')
    const partly = use(confirmed(2), 'USE00001', ctx('SEQUENTIAL'), 0)
    assert.equal(atTime(partly, END + 1).state, 'EXPIRED')
    throwsWx(() => ret(partly, 'RET00001', ctx('SEQUENTIAL', END + 1), 0), 'COUPON_EXPIRED')
  })
})

describe('model: any sequence of use/return keeps used_count and state consistent', () => {
  test('SEQUENTIAL LIFO against a counter model', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('use' as const), index: fc.integer({ min: -1, max: 4 }) }),
      fc.record({ kind: fc.constant('return' as const), index: fc.integer({ min: -1, max: 4 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let c = confirmCoupon(coupon('SEQUENTIAL', 4), 'CONFIRM01', T0)
        let used = 0
        ops.forEach((o, i) => {
          const index = o.index < 0 ? undefined : o.index
          const cx = ctx('SEQUENTIAL', T0 + 60 + i)
          const expectOk =
            index !== undefined &&
            (o.kind === 'use' ? index === used && used < 4 : index === used - 1)
          try {
            c = o.kind === 'use' ? use(c, `U${i}xxxxx`, cx, index) : ret(c, `R${i}xxxxx`, cx, index)
            assert.ok(expectOk, `${o.kind}(${index}) succeeded with used=${used}`)
            used += o.kind === 'use' ? 1 : -1
          } catch (e) {
            if (!isWxError(e)) throw e
            assert.ok(!expectOk, `${o.kind}(${index}) failed with used=${used}: ${e.errorName}`)
          }
          assert.equal(usedCount(c), used)
          assert.equal(c.state, used === 4 ? 'USED' : 'EFFECTIVE')
        })
      }),
      { numRuns: 1000 },
    )
  })
})
