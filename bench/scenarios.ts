import { formatRfc3339 } from '../src/domain/time.ts'
import type { UnsignedRequest } from './presign.ts'

/**
 * The requests of each scenario, unsigned. Every mutating request acts on its own coupon (made
 * beforehand by `wxcoupon seed`) with its own request number, so none depends on another's
 * answer and all can be signed before the measured window.
 */
export const API = '/v3/marketing/partner/product-coupon'

export interface CouponRef {
  openid: string
  coupon_code: string
}

export interface StockRef {
  product_coupon_id: string
  stock_id: string
  appid: string
  brand_id: string
}

const couponPath = (c: CouponRef, op?: string) =>
  `${API}/users/${c.openid}/coupons/${c.coupon_code}${op ? `/${op}` : ''}`

let serial = 0
/** Request numbers unique across the bench run. */
const number = (prefix: string) => `${prefix}${Date.now().toString(36)}${(serial++).toString(36)}`

export function returnRequest(s: StockRef, c: CouponRef): UnsignedRequest {
  return {
    method: 'POST',
    path: couponPath(c, 'return'),
    body: JSON.stringify({ ...s, out_request_no: number('BR') }),
  }
}

export function queryRequest(s: StockRef, c: CouponRef): UnsignedRequest {
  const q = new URLSearchParams({ ...s }).toString()
  return { method: 'GET', path: `${couponPath(c)}?${q}` }
}

export function useRequest(s: StockRef, c: CouponRef): UnsignedRequest {
  return {
    method: 'POST',
    path: couponPath(c, 'use'),
    body: JSON.stringify({
      ...s,
      use_time: formatRfc3339(Math.floor(Date.now() / 1000)),
      associated_order_info: { transaction_id: '4200000000123456789123456789' },
      out_request_no: number('BU'),
    }),
  }
}

export function confirmRequest(s: StockRef, c: CouponRef): UnsignedRequest {
  return {
    method: 'POST',
    path: couponPath(c, 'confirm'),
    body: JSON.stringify({ ...s, out_request_no: number('BC') }),
  }
}

export function sendRequest(s: StockRef, openid: string): UnsignedRequest {
  return {
    method: 'POST',
    path: `${API}/users/${openid}/coupons`,
    body: JSON.stringify({ ...s, send_request_no: number('BS') }),
  }
}

/** Round-robin over the parts, so every stretch of the run has the same mix. */
export function interleave(parts: UnsignedRequest[][]): UnsignedRequest[] {
  const out: UnsignedRequest[] = []
  const longest = Math.max(...parts.map((p) => p.length))
  for (let i = 0; i < longest; i++) {
    for (const p of parts) {
      const r = p[i]
      if (r) out.push(r)
    }
  }
  return out
}
