import assert from 'node:assert/strict'
import { test } from 'node:test'
import { END, productCoupon, stock, T0, throwsWx } from './coupons.fixture.ts'
import {
  approveProductCoupon,
  rejectedStocks,
  rejectProductCoupon,
  reviewRejection,
  reviewStock,
} from './review.ts'

const d = reviewRejection(T0, '审核未通过')

test('review rejection record: numbered by its time', () => {
  assert.deepEqual(d, { requestNo: `SANDBOX_REJECT_${T0}`, time: T0, reason: '审核未通过' })
})

test('approve product coupon: AUDITING → EFFECTIVE; EFFECTIVE unchanged; DEACTIVATED refused', () => {
  const auditing = productCoupon({ state: 'AUDITING' })
  assert.equal(approveProductCoupon(auditing).state, 'EFFECTIVE')
  assert.equal(auditing.state, 'AUDITING', 'the input is not changed')
  const effective = productCoupon()
  assert.equal(approveProductCoupon(effective), effective, 'nothing to persist')
  throwsWx(
    () => approveProductCoupon(productCoupon({ state: 'DEACTIVATED' })),
    'PRODUCT_COUPON_STATE_INVALID',
    { issue: 'product coupon is DEACTIVATED' },
  )
})

test('reject product coupon: only AUDITING; its AUDITING stocks go with it, others stay', () => {
  const rejected = rejectProductCoupon(productCoupon({ state: 'AUDITING' }), d)
  assert.deepEqual([rejected.state, rejected.deactivation], ['DEACTIVATED', d])
  throwsWx(() => rejectProductCoupon(productCoupon(), d), 'PRODUCT_COUPON_STATE_INVALID', {
    issue: 'product coupon is EFFECTIVE',
  })
  const stocks = [
    stock({ id: 'a', state: 'AUDITING' }),
    stock({ id: 'b', state: 'SENDING' }),
    stock({ id: 'c', state: 'AUDITING' }),
  ]
  const gone = rejectedStocks(stocks, d)
  assert.deepEqual(
    gone.map((s) => [s.id, s.state, s.deactivation]),
    [
      ['a', 'DEACTIVATED', d],
      ['c', 'DEACTIVATED', d],
    ],
  )
})

test('stock review: approve AUDITING, pause SENDING, resume PAUSED; anything else refused', () => {
  assert.equal(reviewStock(stock({ state: 'AUDITING' }), 'approve', T0, 'r').state, 'SENDING')
  assert.equal(reviewStock(stock(), 'pause', T0, 'r').state, 'PAUSED')
  assert.equal(reviewStock(stock({ state: 'PAUSED' }), 'resume', T0, 'r').state, 'SENDING')
  throwsWx(() => reviewStock(stock(), 'approve', T0, 'r'), 'STOCK_STATE_INVALID', {
    issue: 'stock is SENDING',
  })
  throwsWx(() => reviewStock(stock(), 'resume', T0, 'r'), 'STOCK_STATE_INVALID', {
    issue: 'stock is SENDING',
  })
  // Past its window a SENDING stock is STOPPED and can no longer be paused.
  throwsWx(() => reviewStock(stock(), 'pause', END + 1, 'r'), 'STOCK_STATE_INVALID', {
    issue: 'stock is STOPPED',
  })
})

test('stock review: reject turns an AUDITING stock DEACTIVATED with the reason', () => {
  const rejected = reviewStock(stock({ state: 'AUDITING' }), 'reject', T0, '资料不全')
  assert.deepEqual(
    [rejected.state, rejected.deactivation],
    ['DEACTIVATED', reviewRejection(T0, '资料不全')],
  )
  throwsWx(() => reviewStock(stock(), 'reject', T0, 'r'), 'STOCK_STATE_INVALID', {
    issue: 'stock is SENDING',
  })
})
