import { generateNonce } from './nonce.ts'
import { type PrivateKeyInput, signSha256WithRsa } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'

/**
 * Brand-direct mode (品牌直连): the scheme a brand signs its own calls under /brand/… with.
 * The message is the partner one (five lines); only the header differs: `brand_id` in place
 * of `mchid`, and the official utilities emit the parameters in two different orders (Java:
 * signature before timestamp; Go: signature last), so a verifier must take any order. Its own
 * scanner rather than the partner parser's, so the two schemes never accept each other's
 * headers by accident.
 */
export const BRAND_AUTH_SCHEME = 'WECHATPAY-BRAND-SHA256-RSA2048'

/** `PUB_KEY_ID_` + 32 digits: what every brand request's Wechatpay-Serial must be. */
export const BRAND_PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9]{32}$/

export interface BrandAuthorizationParams {
  brandId: string
  nonceStr: string
  timestamp: string
  serialNo: string
  signature: string
}

export type BrandAuthorizationParseFailure =
  | 'missing'
  | 'too_long'
  | 'scheme'
  | 'syntax'
  | 'duplicate'
  | 'unknown_field'
  | 'empty_field'
  | 'missing_field'

export type BrandAuthorizationParseResult =
  | { ok: true; value: BrandAuthorizationParams }
  | { ok: false; reason: BrandAuthorizationParseFailure }

const FIELDS = {
  brand_id: 'brandId',
  nonce_str: 'nonceStr',
  timestamp: 'timestamp',
  serial_no: 'serialNo',
  signature: 'signature',
} as const satisfies Record<string, keyof BrandAuthorizationParams>

const MAX_LENGTH = 4096

/** The two orders the official utilities emit (Java and the doc example; Go and the skills doc). */
export type BrandParamOrder = 'java' | 'go'

export function buildBrandAuthorization(
  p: BrandAuthorizationParams,
  order: BrandParamOrder = 'java',
): string {
  const head = `${BRAND_AUTH_SCHEME} brand_id="${p.brandId}",nonce_str="${p.nonceStr}",`
  return order === 'java'
    ? `${head}signature="${p.signature}",timestamp="${p.timestamp}",serial_no="${p.serialNo}"`
    : `${head}timestamp="${p.timestamp}",serial_no="${p.serialNo}",signature="${p.signature}"`
}

const fail = (reason: BrandAuthorizationParseFailure): BrandAuthorizationParseResult => ({
  ok: false,
  reason,
})

/**
 * Strict parse, the partner parser's rules: the exact scheme, one space, the five parameters
 * in any order, each once, comma-separated (blanks tolerated around commas only). Linear time,
 * never throws.
 */
export function parseBrandAuthorization(header: string | undefined): BrandAuthorizationParseResult {
  if (typeof header !== 'string' || header === '') return fail('missing')
  if (header.length > MAX_LENGTH) return fail('too_long')
  if (!header.startsWith(`${BRAND_AUTH_SCHEME} `)) return fail('scheme')
  const found: Partial<BrandAuthorizationParams> = {}
  const n = header.length
  let i = BRAND_AUTH_SCHEME.length + 1
  for (;;) {
    const keyStart = i
    while (i < n && isKeyChar(header.charCodeAt(i))) i++
    const key = header.slice(keyStart, i)
    if (key === '' || header[i] !== '=' || header[i + 1] !== '"') return fail('syntax')
    i += 2
    const valueStart = i
    while (i < n && header[i] !== '"') {
      const c = header.charCodeAt(i)
      if (c < 0x20 || c === 0x7f) return fail('syntax')
      i++
    }
    if (i >= n) return fail('syntax')
    const value = header.slice(valueStart, i)
    i++
    if (!Object.hasOwn(FIELDS, key)) return fail('unknown_field')
    const field = FIELDS[key as keyof typeof FIELDS]
    if (found[field] !== undefined) return fail('duplicate')
    if (value === '') return fail('empty_field')
    found[field] = value
    if (i === n) break
    while (isBlank(header[i])) i++
    if (header[i] !== ',') return fail('syntax')
    i++
    while (isBlank(header[i])) i++
  }
  const { brandId, nonceStr, timestamp, serialNo, signature } = found
  if (!brandId || !nonceStr || !timestamp || !serialNo || !signature) return fail('missing_field')
  return { ok: true, value: { brandId, nonceStr, timestamp, serialNo, signature } }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t'
const isKeyChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || c === 0x5f

/** Signs one brand request as the official brand utilities do. */
export function signBrandRequest(p: {
  method: string
  url: string
  body: string
  brandId: string
  serialNo: string
  privateKey: PrivateKeyInput
  timestamp?: number
  nonce?: string
  order?: BrandParamOrder
}): { authorization: string; timestamp: string; nonce: string; signature: string } {
  const timestamp = String(p.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = p.nonce ?? generateNonce()
  const message = buildRequestMessage({
    method: p.method,
    url: p.url,
    timestamp,
    nonce,
    body: p.body,
  })
  const signature = signSha256WithRsa(message, p.privateKey)
  const authorization = buildBrandAuthorization(
    { brandId: p.brandId, nonceStr: nonce, timestamp, serialNo: p.serialNo, signature },
    p.order,
  )
  return { authorization, timestamp, nonce, signature }
}
