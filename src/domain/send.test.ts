import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BEGIN, END, productCoupon, stock, T0, throwsWx } from './coupons.fixture.ts'
import {
  checkSend,
  checkUserLimit,
  countSent,
  drawCodeIndex,
  perUserLimit,
  stockTerms,
} from './send.ts'
import { beijingDayNumber, parseRfc3339 } from './time.ts'
import { issueCoupon } from './user-coupon.ts'

const at = (s: string) => parseRfc3339(s) ?? Number.NaN

test('send: a SENDING stock of an EFFECTIVE product coupon inside its window sends', () => {
  assert.deepEqual(checkSend(productCoupon(), stock(), T0, undefined), { from: 'generated' })
})

test('send: product coupon and stock must be sending, the clock deciding STOPPED', () => {
  throwsWx(
    () => checkSend(productCoupon({ state: 'AUDITING' }), stock(), T0, undefined),
    'STOCK_NOT_SENDING',
  )
  for (const state of ['AUDITING', 'PAUSED', 'DEACTIVATED'] as const) {
    throwsWx(() => checkSend(productCoupon(), stock({ state }), T0, undefined), 'STOCK_NOT_SENDING')
  }
  // The last second of the window still sends; the next one the stock is STOPPED.
  checkSend(productCoupon(), stock(), END, undefined)
  throwsWx(() => checkSend(productCoupon(), stock(), END + 1, undefined), 'STOCK_NOT_SENDING')
})

test('send: not before the window opens', () => {
  checkSend(productCoupon(), stock(), BEGIN, undefined)
  throwsWx(
    () => checkSend(productCoupon(), stock(), BEGIN - 1, undefined),
    'STOCK_NOT_IN_SEND_PERIOD',
  )
})

test('send: a coupon_code exactly when the mode is API_ASSIGN; the code source per mode', () => {
  const assign = stock({}, { coupon_code_mode: 'API_ASSIGN' })
  assert.deepEqual(checkSend(productCoupon(), assign, T0, 'C1'), { from: 'request', code: 'C1' })
  throwsWx(() => checkSend(productCoupon(), assign, T0, undefined), 'BUSINESS_RULE')
  throwsWx(() => checkSend(productCoupon(), stock(), T0, 'C1'), 'BUSINESS_RULE')
  const upload = stock({}, { coupon_code_mode: 'UPLOAD' })
  assert.deepEqual(checkSend(productCoupon(), upload, T0, undefined), { from: 'pool' })
  throwsWx(() => checkSend(productCoupon(), upload, T0, 'C1'), 'BUSINESS_RULE')
})

test('send: max_count — the last coupon of the budget sends, the next does not', () => {
  const rule = { stock_send_rule: { max_count: 3 } }
  checkSend(productCoupon(), stock({ sentTotal: 2 }, rule), T0, undefined)
  throwsWx(
    () => checkSend(productCoupon(), stock({ sentTotal: 3 }, rule), T0, undefined),
    'STOCK_BUDGET_EXHAUSTED',
  )
  // The seeder's batches: n at once fit exactly, one more does not.
  checkSend(productCoupon(), stock({ sentTotal: 1 }, rule), T0, undefined, 2)
  throwsWx(
    () => checkSend(productCoupon(), stock({ sentTotal: 1 }, rule), T0, undefined, 3),
    'STOCK_BUDGET_EXHAUSTED',
  )
})

test('send: max_count_per_day counts the Beijing day of the clock and restarts at its midnight', () => {
  const rule = { stock_send_rule: { max_count: 100, max_count_per_day: 2 } }
  const sentAt = at('2025-08-04T07:00:00+08:00')
  const full = stock({ sentTotal: 2, sentToday: 2, sentDay: beijingDayNumber(sentAt) }, rule)
  const lastSecond = at('2025-08-04T23:59:59+08:00')
  const midnight = at('2025-08-05T00:00:00+08:00')
  throwsWx(
    () => checkSend(productCoupon(), full, lastSecond, undefined),
    'STOCK_DAILY_BUDGET_EXHAUSTED',
  )
  // 09:00 Beijing is past UTC midnight but the same Beijing day: still exhausted.
  throwsWx(
    () => checkSend(productCoupon(), full, at('2025-08-04T09:00:00+08:00'), undefined),
    'STOCK_DAILY_BUDGET_EXHAUSTED',
  )
  checkSend(productCoupon(), full, midnight, undefined)
  const next = countSent(full, midnight, 1, false)
  assert.equal(next.sentToday, 1)
  assert.equal(next.sentDay, beijingDayNumber(midnight))
  assert.equal(next.sentTotal, 3)
  // The last coupon of a day's budget sends, the next one does not.
  const one = stock({ sentTotal: 1, sentToday: 1, sentDay: beijingDayNumber(T0) }, rule)
  checkSend(productCoupon(), one, T0, undefined)
  throwsWx(
    () => checkSend(productCoupon(), countSent(one, T0, 1, false), T0, undefined),
    'STOCK_DAILY_BUDGET_EXHAUSTED',
  )
})

test('send: the total budget is checked before the daily one', () => {
  const rule = { stock_send_rule: { max_count: 2, max_count_per_day: 2 } }
  const both = stock({ sentTotal: 2, sentToday: 2, sentDay: beijingDayNumber(T0) }, rule)
  throwsWx(() => checkSend(productCoupon(), both, T0, undefined), 'STOCK_BUDGET_EXHAUSTED')
  // And the state before any budget.
  throwsWx(
    () => checkSend(productCoupon(), { ...both, state: 'PAUSED' }, T0, undefined),
    'STOCK_NOT_SENDING',
  )
})

test('send: max_count_per_user — counted only when set; the limit-th coupon is the last', () => {
  assert.equal(perUserLimit(stock()), undefined)
  const limited = stock({}, { stock_send_rule: { max_count: 100, max_count_per_user: 2 } })
  assert.equal(perUserLimit(limited), 2)
  checkUserLimit(2, 0)
  checkUserLimit(2, 1)
  throwsWx(() => checkUserLimit(2, 2), 'USER_LIMIT_REACHED')
})

test('countSent: sent_count_info moves; an UPLOAD draw takes one code from the pool', () => {
  const s = stock({ sentTotal: 4, sentToday: 1, sentDay: beijingDayNumber(T0) })
  const sent = countSent(s, T0, 1, false)
  assert.deepEqual(
    [sent.sentTotal, sent.sentToday, sent.sentDay, sent.codeCount],
    [5, 2, beijingDayNumber(T0), undefined],
  )
  assert.equal(s.sentTotal, 4, 'the input is not changed')
  const pooled = stock({ codeCount: { total: 10, available: 3 } }, { coupon_code_mode: 'UPLOAD' })
  assert.deepEqual(countSent(pooled, T0, 1, true).codeCount, { total: 10, available: 2 })
  const empty = stock({ codeCount: { total: 10, available: 0 } }, { coupon_code_mode: 'UPLOAD' })
  assert.deepEqual(countSent(empty, T0, 1, true).codeCount, { total: 10, available: 0 })
  assert.deepEqual(countSent(stock(), T0, 1, true).codeCount, { total: 0, available: 0 })
})

test('drawCodeIndex: an index of the pool from four random bytes', () => {
  const bytes = (n: number) => () => Buffer.from([0, 0, 0, n])
  assert.equal(drawCodeIndex(bytes(7), 5), 2)
  assert.equal(drawCodeIndex(bytes(4), 5), 4)
  assert.equal(drawCodeIndex(bytes(200), 1), 0)
})

test('stockTerms: the issued coupon takes window, ids and SEQUENTIAL rounds from its stock', () => {
  const seq = productCoupon({
    config: {
      ...productCoupon().config,
      usage_mode: 'SEQUENTIAL',
      sequential_usage_info: { type: 'EQUAL', count: 3, interval_days: 1, available_days: 3 },
    },
  })
  const terms = stockTerms(seq, stock(), T0)
  assert.deepEqual(
    [terms.stockId, terms.productCouponId, terms.brandId, terms.mchid, terms.usageMode],
    ['1000000001001', '1000000001', '120001', '1900000001', 'SEQUENTIAL'],
  )
  assert.deepEqual([terms.rounds, terms.intervalDays], [3, 1])
  assert.deepEqual(terms.window, { begin: T0, end: at('2025-08-06T23:59:59+08:00') })
  const coupon = issueCoupon({
    ...terms,
    couponCode: '100000000001',
    openid: 'o',
    appid: 'wx',
    sendRequestNo: 'S1',
    issueSeq: 1,
  })
  assert.equal(coupon.sequential?.rounds.length, 3)
  const single = stockTerms(productCoupon(), stock(), T0)
  assert.equal('rounds' in single, false)
  assert.deepEqual(single.window, { begin: BEGIN, end: END })
})
