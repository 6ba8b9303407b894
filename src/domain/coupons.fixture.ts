import assert from 'node:assert/strict'
import type { StockForCreate } from '@wxcoupon/sdk/schemas'
import { type ErrorDetail, type ErrorName, isWxError } from './errors.ts'
import type { ProductCoupon, ProductCouponConfig, Stock } from './product-coupon.ts'
import { DAY, formatRfc3339, parseRfc3339 } from './time.ts'

/** Records for the domain's unit tests: a SINGLE NORMAL product coupon and one SENDING stock. */

/** 10:00 Beijing time; the stock's window runs from one day before to ten days after. */
export const T0 = parseRfc3339('2025-08-04T10:00:00+08:00') ?? 0
export const BEGIN = T0 - DAY
export const END = T0 + 10 * DAY

export function productCoupon(over: Partial<ProductCoupon> = {}): ProductCoupon {
  const config: ProductCouponConfig = {
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: 'SINGLE',
    single_usage_info: { normal_coupon: { threshold: 10_000, discount_amount: 1_000 } },
    display_info: { name: '满100减10', image_url: 'https://a/i', background_url: 'https://a/b' },
  }
  return {
    id: '1000000001',
    brandId: '120001',
    mchid: '1900000001',
    state: 'EFFECTIVE',
    config,
    createdAt: BEGIN,
    ...over,
  }
}

export function stockConfig(over: Partial<StockForCreate> = {}): StockForCreate {
  return {
    coupon_code_mode: 'WECHATPAY',
    stock_send_rule: { max_count: 100 },
    single_usage_rule: {
      coupon_available_period: {
        available_begin_time: formatRfc3339(BEGIN),
        available_end_time: formatRfc3339(END),
      },
    },
    usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: 'x' },
    coupon_display_info: { code_display_mode: 'QRCODE' },
    notify_config: { notify_appid: 'wx0000000000000001' },
    store_scope: 'NONE',
    ...over,
  }
}

export function stock(over: Partial<Stock> = {}, config: Partial<StockForCreate> = {}): Stock {
  return {
    id: '1000000001001',
    productCouponId: '1000000001',
    brandId: '120001',
    mchid: '1900000001',
    state: 'SENDING',
    config: stockConfig(config),
    sentTotal: 0,
    sentToday: 0,
    sentDay: 0,
    createdAt: BEGIN,
    ...over,
  }
}

/** `fn` throws the catalogue error `name`, with these detail fields where given. */
export function throwsWx(fn: () => unknown, name: ErrorName, detail: ErrorDetail = {}): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isWxError(e), `expected WxError, got ${String(e)}`)
    assert.equal(e.errorName, name)
    for (const [k, v] of Object.entries(detail)) {
      assert.equal(e.detail?.[k as keyof ErrorDetail], v, k)
    }
    return true
  })
}
