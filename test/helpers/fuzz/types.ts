/**
 * What a fuzz case is and what it aims at: the shapes the generators build and the runner in
 * fuzz.test.ts sends, kept apart so that neither side imports the other.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export interface Ids {
  product_coupon_id: string
  stock_id: string
}
export interface CouponIds extends Ids {
  coupon_code: string
}

/** Live resources the fuzz aims at, each in a state where a valid request would succeed. */
export interface Targets {
  mchid: string
  brandId: string
  appid: string
  openid: string
  adminToken: string
  /** The sandbox's business time, for `use_time`. */
  useTime: string
  pc: Ids
  upload: Ids
  sent: CouponIds
  effective: CouponIds
  used: CouponIds
  createBody: JsonObject
}

export type AuthPlan =
  /** A valid APIv3 signature over exactly what is sent. */
  | { kind: 'sign' }
  | { kind: 'none' }
  /** Signed, then edited; `name` says how. */
  | { kind: 'edit'; name: string; edit: (valid: string) => string }
  /** The valid header plus others, as separate header lines. */
  | { kind: 'repeat'; before: string[]; after: string[] }

export interface HttpCase {
  /** `call` goes through the harness (TestServer.call); `http` is node:http with a raw target. */
  transport: 'call' | 'http'
  group: string
  label: string
  api: 'wechat' | 'sandbox'
  method: string
  path: string
  headers: Record<string, string | string[]>
  /** undefined: application/json when there is a body; null: none at all. */
  contentType?: string | null
  body?: Buffer
  /** Sent instead of `body` when an Authorization edit turns out not to break the signature. */
  safeBody?: Buffer
  auth: AuthPlan
  /** Admin calls: the whole Authorization header, or none. */
  bearer?: string | undefined
  /** A 2xx would mean a bad request changed something. */
  mutating: boolean
  /** Schema-valid creates: a 2xx is allowed and reconciled against the snapshot. */
  mayCreate?: boolean
}

export interface WireCase {
  transport: 'wire'
  group: string
  label: string
  bytes: Buffer
  /** False for CONNECT, which Node drops unanswered when nothing listens for 'connect'. */
  mustAnswer: boolean
}

export type FuzzCase = HttpCase | WireCase
