import type { ProductCoupon, Stock } from '../../domain/product-coupon.ts'
import { issueCoupon, type UserCoupon } from '../../domain/user-coupon.ts'

/** A product coupon, one of its stocks and one coupon of it, their ids tagged per test. */
export function sample(tag: string): { pc: ProductCoupon; stock: Stock; coupon: UserCoupon } {
  const pc: ProductCoupon = {
    id: `pc-${tag}`,
    brandId: 'b-1',
    mchid: 'm-1',
    state: 'EFFECTIVE',
    config: {
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'SINGLE',
      single_usage_info: { normal_coupon: { threshold: 10000, discount_amount: 1000 } },
      display_info: { name: '满100减10', image_url: 'https://a/i', background_url: 'https://a/b' },
    },
    createdAt: 1,
  }
  const stock: Stock = {
    id: `st-${tag}`,
    productCouponId: pc.id,
    brandId: 'b-1',
    mchid: 'm-1',
    state: 'SENDING',
    config: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 10 },
      single_usage_rule: {
        coupon_available_period: {
          available_begin_time: '2025-01-01T00:00:00+08:00',
          available_end_time: '2025-10-01T00:00:00+08:00',
        },
      },
      usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: '全场' },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: 'wx-1' },
      store_scope: 'NONE',
    },
    sentTotal: 1,
    sentToday: 1,
    sentDay: 20100,
    createdAt: 1,
  }
  const coupon = issueCoupon({
    couponCode: `code-${tag}`,
    stockId: stock.id,
    productCouponId: pc.id,
    brandId: 'b-1',
    mchid: 'm-1',
    openid: 'o-1',
    appid: 'wx-1',
    sendRequestNo: 'SEND-000001',
    attach: '附加',
    usageMode: 'SINGLE',
    window: { begin: 100, end: 200 },
    now: 100,
    issueSeq: 7,
  })
  return { pc, stock, coupon }
}
