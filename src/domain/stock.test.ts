import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkCodeUpload,
  sortUploadedCodes,
  uploadOutcome,
  withUploadedCodes,
} from './code-upload.ts'
import { END, productCoupon, stock, stockConfig, T0, throwsWx } from './coupons.fixture.ts'
import { checkStockForCreate, checkUsageRuleDisplay } from './product-coupon.ts'
import { behaviour } from './settings.ts'
import {
  addedStockState,
  checkCanAddStock,
  checkPatchable,
  checkStockRoom,
  MAX_ACTIVE_STOCKS,
  newStock,
  patchProductCoupon,
  patchStock,
  stocksDeactivatedWith,
} from './stock.ts'

const body = { brand_id: '120001', out_request_no: 'P1' }

test('usage display: MINI_PROGRAM needs appid and path, APP a path; pointer where the stock is', () => {
  const mini = { coupon_usage_method_list: ['MINI_PROGRAM' as const], usage_description: 'x' }
  throwsWx(() => checkUsageRuleDisplay(mini, ''), 'BUSINESS_RULE', {
    field: '/usage_rule_display_info/mini_program_appid',
  })
  throwsWx(
    () => checkUsageRuleDisplay({ ...mini, mini_program_appid: 'wx0000000000000001' }, '/stock'),
    'BUSINESS_RULE',
    { field: '/stock/usage_rule_display_info/mini_program_appid' },
  )
  checkUsageRuleDisplay(
    { ...mini, mini_program_appid: 'wx0000000000000001', mini_program_path: '/p' },
    '',
  )
  const app = { coupon_usage_method_list: ['APP' as const], usage_description: 'x' }
  throwsWx(() => checkUsageRuleDisplay(app, ''), 'BUSINESS_RULE', {
    field: '/usage_rule_display_info/app_path',
  })
  checkUsageRuleDisplay({ ...app, app_path: 'app://x' }, '')
  // Creation applies the same rule to its stock.
  throwsWx(
    () =>
      checkStockForCreate(
        stockConfig({ usage_rule_display_info: app }),
        productCoupon().config,
        '/stock',
      ),
    'BUSINESS_RULE',
    { field: '/stock/usage_rule_display_info/app_path' },
  )
})

test('PATCH stock: sent fields replace the stock’s, merged display rules hold, DEACTIVATED refused', () => {
  const s = stock()
  const patched = patchStock(s, { ...body, remark: 'new', store_scope: 'NONE' })
  assert.equal(patched.config.remark, 'new')
  assert.equal(patched.config.coupon_code_mode, 'WECHATPAY', 'unsent fields stay')
  assert.equal('brand_id' in patched.config, false)
  assert.equal('out_request_no' in patched.config, false)
  throwsWx(
    () =>
      patchStock(s, {
        ...body,
        usage_rule_display_info: { coupon_usage_method_list: ['APP'], usage_description: 'x' },
      }),
    'BUSINESS_RULE',
    { field: '/usage_rule_display_info/app_path' },
  )
  checkPatchable(s)
  throwsWx(() => checkPatchable(stock({ state: 'DEACTIVATED' })), 'STOCK_STATE_INVALID')
})

test('PATCH product coupon: new display_info, checked; not once DEACTIVATED', () => {
  const display = { name: '新名字', image_url: 'https://a/i2', background_url: 'https://a/b2' }
  const settings = behaviour()
  assert.deepEqual(
    patchProductCoupon(productCoupon(), display, settings).config.display_info,
    display,
  )
  throwsWx(
    () => patchProductCoupon(productCoupon({ state: 'DEACTIVATED' }), display, settings),
    'PRODUCT_COUPON_STATE_INVALID',
  )
  throwsWx(
    () => patchProductCoupon(productCoupon(), { ...display, name: '' }, settings),
    'PARAM_ERROR',
    { field: '/display_info/name' },
  )
})

test('deactivating a product coupon ends every stock not yet DEACTIVATED', () => {
  const d = { requestNo: 'D1', time: T0, reason: 'r' }
  const old = { requestNo: 'D0', time: T0 - 1, reason: 'earlier' }
  const stocks = [
    stock({ id: 'a' }),
    stock({ id: 'b', state: 'DEACTIVATED', deactivation: old }),
    stock({ id: 'c', state: 'PAUSED' }),
  ]
  const ended = stocksDeactivatedWith(stocks, d, END + 1)
  assert.deepEqual(
    ended.map((s) => [s.id, s.state, s.deactivation]),
    [
      ['a', 'DEACTIVATED', d],
      ['c', 'DEACTIVATED', d],
    ],
  )
})

test('adding a stock: product coupon not DEACTIVATED, fewer than 200 live stocks', () => {
  checkCanAddStock(productCoupon({ state: 'AUDITING' }))
  throwsWx(
    () => checkCanAddStock(productCoupon({ state: 'DEACTIVATED' })),
    'PRODUCT_COUPON_STATE_INVALID',
  )
  const live = Array.from({ length: MAX_ACTIVE_STOCKS - 1 }, () => stock())
  checkStockRoom(live)
  checkStockRoom([...live, stock({ state: 'DEACTIVATED' })])
  throwsWx(() => checkStockRoom([...live, stock()]), 'TOO_MANY_STOCKS')
})

test('an added stock sends at once only with on_create approval and an EFFECTIVE product coupon', () => {
  const onCreate = behaviour()
  const manual = behaviour({ approval: 'manual' })
  assert.equal(addedStockState(productCoupon(), onCreate), 'SENDING')
  assert.equal(addedStockState(productCoupon({ state: 'AUDITING' }), onCreate), 'AUDITING')
  assert.equal(addedStockState(productCoupon(), manual), 'AUDITING')
})

test('a new stock starts with nothing sent; an UPLOAD one with an empty pool', () => {
  const s = newStock(productCoupon(), '1000000001002', stockConfig(), 'SENDING', T0)
  assert.deepEqual([s.sentTotal, s.sentToday, s.sentDay, s.codeCount], [0, 0, 0, undefined])
  const u = newStock(
    productCoupon(),
    '1000000001003',
    stockConfig({ coupon_code_mode: 'UPLOAD' }),
    'AUDITING',
    T0,
  )
  assert.deepEqual(u.codeCount, { total: 0, available: 0 })
})

test('code upload: only UPLOAD stocks that can still send', () => {
  const upload = { coupon_code_mode: 'UPLOAD' as const }
  checkCodeUpload(stock({}, upload), T0)
  checkCodeUpload(stock({ state: 'PAUSED' }, upload), T0)
  throwsWx(() => checkCodeUpload(stock(), T0), 'BUSINESS_RULE')
  throwsWx(
    () => checkCodeUpload(stock({ state: 'DEACTIVATED' }, upload), T0),
    'STOCK_STATE_INVALID',
  )
  throwsWx(() => checkCodeUpload(stock({}, upload), END + 1), 'STOCK_STATE_INVALID')
})

test('code upload: each code judged alone — malformed, repeated, already pooled, added', () => {
  const sorted = sortUploadedCodes(['A1', 'bad code', 'A1', 'B2', 'C3', 'x'.repeat(41), 'A1'])
  assert.equal(sorted.total, 5)
  assert.deepEqual(sorted.candidates, ['A1', 'B2', 'C3'])
  assert.deepEqual(sorted.duplicates, ['A1'])
  assert.deepEqual(
    sorted.failed.map((f) => [f.coupon_code, f.code]),
    [
      ['bad code', 'PARAM_ERROR'],
      ['x'.repeat(41), 'PARAM_ERROR'],
    ],
  )
  const outcome = uploadOutcome(sorted, ['A1', 'C3'])
  assert.deepEqual(Object.keys(outcome), [
    'total_count',
    'success_code_list',
    'failed_code_list',
    'already_exist_code_list',
    'duplicate_code_list',
  ])
  assert.deepEqual(outcome.already_exist_code_list, ['B2'])
  assert.deepEqual(outcome.success_code_list, ['A1', 'C3'])
  const pooled = withUploadedCodes(stock({ codeCount: { total: 5, available: 1 } }), 2)
  assert.deepEqual(pooled.codeCount, { total: 7, available: 3 })
})
