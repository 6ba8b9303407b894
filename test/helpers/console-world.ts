import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Sandbox } from '../../src/index.ts'

/**
 * What the console tests and `npm run screenshots` look at: a product coupon with a stock, a
 * partner notify URL on a receiver that refuses the first delivery, and a coupon taken through
 * its life by the API, so every page has something to show.
 */
export interface ConsoleWorld {
  productCouponId: string
  stockId: string
  couponCode: string
  receiver: Server
  close(): Promise<void>
}

export async function buildWorld(sb: Sandbox): Promise<ConsoleWorld> {
  let deliveries = 0
  const receiver = createServer((req, res) => {
    req.resume()
    res.statusCode = deliveries++ === 0 ? 500 : 204
    res.end()
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const port = (receiver.address() as AddressInfo).port
  const wx = sb.client({ retry: { maxRetries: 0 } })
  const { brand_id, appid, openid } = sb.credentials
  await wx.setNotifyConfig({ notify_url: `http://127.0.0.1:${port}/wxcoupon/notify` })
  const now = Date.parse((await sb.admin.getClock()).now)
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, '+00:00')
  const day = 86_400_000
  const pc = await wx.createProductCoupon({
    out_request_no: `CONSOLE_PC_${now}`,
    brand_id,
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: 'SINGLE',
    single_usage_info: { normal_coupon: { threshold: 10000, discount_amount: 1000 } },
    display_info: {
      name: '全场满100减10',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/demo/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/demo/background',
    },
    stock: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 20, max_count_per_user: 20 },
      single_usage_rule: {
        coupon_available_period: {
          available_begin_time: iso(now - day),
          available_end_time: iso(now + 30 * day),
          available_days: 20,
        },
      },
      usage_rule_display_info: {
        coupon_usage_method_list: ['OFFLINE'],
        usage_description: '全场可用',
      },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: appid },
      store_scope: 'NONE',
    },
  })
  const ref = {
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid,
    brand_id,
  }
  // A few coupons spread over sandbox days, so the budget chart has a shape.
  let couponCode = ''
  for (let i = 0; i < 4; i++) {
    const sent = await wx.sendCoupon({
      openid,
      ...ref,
      send_request_no: `CONSOLE_SEND_${now}_${i}`,
    })
    couponCode = sent.coupon_code
    await sb.admin.setClock({ advance_seconds: 3 * 3600 * (i + 1) })
  }
  const coupon = { openid, coupon_code: couponCode, ...ref }
  await wx.confirmCoupon({ ...coupon, out_request_no: `CONSOLE_CFM_${now}` })
  await wx.useCoupon({
    ...coupon,
    use_time: (await sb.admin.getClock()).now,
    associated_order_info: { transaction_id: '4200000000123456789123456789' },
    out_request_no: `CONSOLE_USE_${now}`,
  })
  await wx.returnCoupon({ ...coupon, out_request_no: `CONSOLE_RET_${now}` })
  await wx.getUserCoupon(coupon)
  return {
    productCouponId: pc.product_coupon_id,
    stockId: pc.stock.stock_id,
    couponCode,
    receiver,
    close: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  }
}
