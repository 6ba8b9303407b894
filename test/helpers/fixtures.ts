import assert from 'node:assert/strict'
import type { CreateProductCouponBody } from '../../packages/sdk/src/schemas/requests.ts'
import { formatRfc3339 } from '../../src/domain/time.ts'
import type { CallOptions, TestServer } from './harness.ts'

export const API = '/v3/marketing/partner/product-coupon'

let counter = 0
/** A fresh request number: 6–40 chars of `[0-9A-Za-z_-]`. */
export function reqNo(prefix = 'REQ'): string {
  counter++
  return `${prefix}${Date.now().toString(36)}${process.pid}x${counter}`.slice(0, 40)
}

const DAY = 86_400

/** A stock window around real "now" (the sandbox clock starts at real time). */
function windowDays(beforeDays = 1, afterDays = 30) {
  const now = Math.floor(Date.now() / 1000)
  return {
    available_begin_time: formatRfc3339(now - beforeDays * DAY),
    available_end_time: formatRfc3339(now + afterDays * DAY),
  }
}

export interface CouponKind {
  mode?: 'SINGLE' | 'SEQUENTIAL'
  codeMode?: 'WECHATPAY' | 'API_ASSIGN' | 'UPLOAD'
  rounds?: number
  intervalDays?: number
  availableDays?: number
  /** SINGLE with availableDays: coupons open at 00:00 this many days after receipt. */
  waitDays?: number
  maxCount?: number
  maxPerUser?: number
  maxPerDay?: number
}

export function productCouponBody(s: TestServer, k: CouponKind = {}): CreateProductCouponBody {
  const mode = k.mode ?? 'SINGLE'
  const period = {
    ...windowDays(),
    ...(mode === 'SINGLE' && k.availableDays ? { available_days: k.availableDays } : {}),
    ...(mode === 'SINGLE' && k.waitDays ? { wait_days_after_receive: k.waitDays } : {}),
  }
  const stock = {
    remark: '测试批次',
    coupon_code_mode: k.codeMode ?? 'WECHATPAY',
    stock_send_rule: {
      max_count: k.maxCount ?? 1000,
      ...(k.maxPerDay ? { max_count_per_day: k.maxPerDay } : {}),
      max_count_per_user: k.maxPerUser ?? 100,
    },
    ...(mode === 'SINGLE'
      ? { single_usage_rule: { coupon_available_period: period } }
      : {
          sequential_usage_rule: {
            coupon_available_period: period,
            normal_coupon_list: [{ threshold: 10000, discount_amount: 500 }],
          },
        }),
    usage_rule_display_info: {
      coupon_usage_method_list: ['OFFLINE' as const],
      usage_description: '全场可用',
    },
    coupon_display_info: { code_display_mode: 'QRCODE' as const, background_color: 'Color010' },
    notify_config: { notify_appid: s.sandbox.appid },
    store_scope: 'NONE' as const,
  }
  return {
    out_request_no: reqNo('CREATE'),
    brand_id: s.sandbox.brand_id,
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: mode,
    ...(mode === 'SINGLE'
      ? { single_usage_info: { normal_coupon: { threshold: 10000, discount_amount: 1000 } } }
      : {
          sequential_usage_info: {
            type: 'EQUAL' as const,
            count: k.rounds ?? 3,
            available_days: k.availableDays ?? 30,
            interval_days: k.intervalDays ?? 0,
          },
        }),
    display_info: {
      name: '全场满100减10',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
    },
    out_product_no: 'SKU-001',
    stock,
  } as CreateProductCouponBody
}

export interface CouponRef {
  product_coupon_id: string
  stock_id: string
  coupon_code: string
  openid: string
  appid: string
  brand_id: string
}

export async function createProductCoupon(
  s: TestServer,
  k: CouponKind = {},
  o?: CallOptions,
): Promise<{ product_coupon_id: string; stock_id: string }> {
  const r = await s.call('POST', `${API}/product-coupons`, productCouponBody(s, k), o)
  assert.equal(r.status, 200, r.text)
  // Under manual approval, review it as the sandbox would, so the coupon can be sent.
  if (r.json.state === 'AUDITING') {
    await s.admin('POST', `/sandbox/product-coupons/${r.json.product_coupon_id}/approve`)
    await s.admin('POST', `/sandbox/stocks/${r.json.stock.stock_id}/approve`)
  }
  return { product_coupon_id: r.json.product_coupon_id, stock_id: r.json.stock.stock_id }
}

/** Sends a coupon of a fresh product coupon to the sandbox user; state CONFIRMING. */
export async function sentCoupon(s: TestServer, k: CouponKind = {}): Promise<CouponRef> {
  const pc = await createProductCoupon(s, k)
  const { appid, openid, brand_id } = s.sandbox
  const r = await s.call('POST', `${API}/users/${openid}/coupons`, {
    ...pc,
    appid,
    send_request_no: reqNo('SEND'),
    brand_id,
    ...(k.codeMode === 'API_ASSIGN' ? { coupon_code: reqNo('CODE') } : {}),
  })
  assert.equal(r.status, 200, r.text)
  return { ...pc, coupon_code: r.json.coupon_code, openid, appid, brand_id }
}

export function couponPath(c: CouponRef, action = ''): string {
  return `${API}/users/${c.openid}/coupons/${c.coupon_code}${action ? `/${action}` : ''}`
}

export function body(c: CouponRef, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    product_coupon_id: c.product_coupon_id,
    stock_id: c.stock_id,
    appid: c.appid,
    brand_id: c.brand_id,
    ...extra,
  }
}

export async function confirmed(s: TestServer, k: CouponKind = {}): Promise<CouponRef> {
  const c = await sentCoupon(s, k)
  const r = await s.call(
    'POST',
    couponPath(c, 'confirm'),
    body(c, { out_request_no: reqNo('CFM') }),
  )
  assert.equal(r.status, 200, r.text)
  return c
}

/** Business time of the server under test: the sandbox clock may have been moved forward. */
export async function sandboxNow(s: TestServer): Promise<string> {
  const r = await s.admin('GET', '/sandbox/clock')
  assert.equal(r.status, 200)
  return r.json.now
}

export async function useBody(s: TestServer, c: CouponRef, extra: Record<string, unknown> = {}) {
  return body(c, {
    use_time: await sandboxNow(s),
    associated_order_info: { transaction_id: '4200000000123456789123456789' },
    out_request_no: reqNo('USE'),
    ...extra,
  })
}

/** A SINGLE coupon in state USED, or a SEQUENTIAL one with `rounds` rounds used. */
export async function usedCoupon(
  s: TestServer,
  k: CouponKind = {},
  rounds = 1,
): Promise<CouponRef> {
  const c = await confirmed(s, k)
  for (let i = 0; i < (k.mode === 'SEQUENTIAL' ? rounds : 1); i++) {
    const extra = k.mode === 'SEQUENTIAL' ? { sequential_coupon_index: i } : {}
    const r = await s.call('POST', couponPath(c, 'use'), await useBody(s, c, extra))
    assert.equal(r.status, 200, r.text)
  }
  return c
}

export async function getCoupon(s: TestServer, c: CouponRef) {
  const q = `product_coupon_id=${c.product_coupon_id}&stock_id=${c.stock_id}&appid=${c.appid}&brand_id=${c.brand_id}`
  const r = await s.call('GET', `${couponPath(c)}?${q}`)
  assert.equal(r.status, 200, r.text)
  return r.json
}
