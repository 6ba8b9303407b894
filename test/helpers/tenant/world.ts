import { API } from '../fixtures.ts'
import type { BrandCreds, PartnerCreds, TestServer } from '../harness.ts'

/**
 * The shape of the tenant-isolation world (three partners, three brands, A's resources in
 * every state) and the values that make A's data recognisable wherever it turns up.
 */

/** D: brand A itself in brand-direct mode (/brand/…, the brand scheme). */
export type Who = 'A' | 'B' | 'C' | 'D'
export type BrandKey = 'A' | 'B' | 'AX'
export type CouponState = 'sent' | 'effective' | 'used' | 'deactivated' | 'spare'

export interface Tenant {
  creds: PartnerCreds
  mchid: string
  appid: string
  openid: string
}

export interface PcRecord {
  owner: Who
  brand: string
  pc: string
  stocks: string[]
}

export interface CouponRecord {
  owner: Who
  brand: string
  appid: string
  openid: string
  pc: string
  stock: string
  code: string
}

export interface World {
  s: TestServer
  t: Record<Who, Tenant>
  /** D's brand credentials (its Tenant's partner creds are never used: D signs as a brand). */
  d: { creds: BrandCreds; pc: string; stock: string; code: string }
  brand: Record<BrandKey, string>
  notifyUrl: Record<'A' | 'C', string>
  /** A second appid of A's, with a user of its own: appids are a tenant dimension too. */
  a2: { appid: string; openid: string }
  useTime: string
  /** A's resources: the targets of every cross-tenant call. */
  a: {
    main: { pc: string; stock: string; stock2: string }
    upload: { pc: string; stock: string }
    spare: { pc: string; stock: string }
    coupons: Record<CouponState, string>
    numbers: Record<'create' | 'add_stock' | 'send' | 'confirm' | 'use', string>
    /** A's create request, byte for byte, to replay as another partner of the same brand. */
    createBody: unknown
    allNumbers: string[]
    tokens: { stocks: string; coupons: string }
  }
  /** C's own product coupon under the shared brand A, with one CONFIRMING and one EFFECTIVE coupon. */
  c: { pc: string; stock: string; sent: string; effective: string }
  /** B's own UPLOAD product coupon under brand B. */
  b: { pc: string; stock: string }
  pcs: PcRecord[]
  coupons: CouponRecord[]
  /** Who owns each id (product coupon, stock, coupon code, appid, openid). */
  owner: Map<string, Who>
  /** A's data, token → what it is: none may appear in another tenant's answer. */
  secrets: Map<string, string>
  close: () => Promise<void>
}

/** What makes A's data recognisable when it leaks: nobody else uses these strings. */
export const LOOK: Record<Who, { name: string; remark: string; sku: string; attach: string }> = {
  A: { name: 'A独有商品券名', remark: 'A独有批次备注', sku: 'SKU-A-ONLY', attach: 'A-ONLY-ATTACH' },
  B: { name: 'B商品券', remark: 'B批次', sku: 'SKU-B', attach: 'B-ATTACH' },
  C: { name: 'C商品券', remark: 'C批次', sku: 'SKU-C', attach: 'C-ATTACH' },
  D: { name: 'D品牌直连券', remark: 'D批次', sku: 'SKU-D', attach: 'D-ATTACH' },
}
/** A's stock budget is odd on purpose: a budget error leaking it would be recognisable. */
export const A_BUDGET = 7341
export const A_CODES = ['A-ONLY-CODE-1', 'A-ONLY-CODE-2']
export const A_REASON = 'A独有停用原因'
export const TX = { transaction_id: '4200000000123456789123456789' }

/** Well-formed ids that no tenant has: the "does not exist" half of each oracle check. */
export const GHOST = {
  pc: '1999999999',
  stock: '1999999999001',
  code: 'GHOST0000001',
  openid: 'oGHOSTxxxxxxxxxxxxxxxxxxxxxx',
}

export const couponUrl = (openid: string, code: string, action = '') =>
  `${API}/users/${openid}/coupons/${code}${action ? `/${action}` : ''}`

export const listUrl = (c: { brand: string; appid: string; openid: string }, extra = '') =>
  `${API}/users/${c.openid}/coupons?brand_id=${c.brand}&appid=${c.appid}${extra}`

export const BRAND_API = '/brand/marketing/product-coupon'

/**
 * A partner-shaped request as brand D sends it: the brand prefix, and no brand_id in the
 * query or the body (the brand signature names the brand).
 */
export function asBrand(path: string, body: unknown): { path: string; body: unknown } {
  const [p, q] = path.split('?') as [string, string | undefined]
  const query = (q ?? '')
    .split('&')
    .filter((kv) => kv !== '' && !kv.startsWith('brand_id='))
    .join('&')
  const brandPath = p.replace(API, BRAND_API) + (query ? `?${query}` : '')
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { path: brandPath, body }
  }
  const { brand_id: _, ...rest } = body as Record<string, unknown>
  return { path: brandPath, body: rest }
}
