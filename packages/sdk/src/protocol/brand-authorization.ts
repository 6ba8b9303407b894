import { type AuthorizationParseFailure, parseAuthParams, requestMessage } from './authorization.ts'
import { type PrivateKeyInput, signSha256WithRsa, signSha256WithRsaAsync } from './rsa.ts'

/**
 * Brand-direct mode (品牌直连): the scheme a brand signs its own calls under /brand/… with.
 * The message is the partner one (five lines); only the header differs: `brand_id` in place
 * of `mchid`, and the official utilities emit the parameters in two different orders (Java:
 * signature before timestamp; Go: signature last), so a verifier must take any order. The
 * scanner is the partner one, given this scheme and these parameters, so neither scheme
 * accepts the other's header.
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

export type BrandAuthorizationParseFailure = AuthorizationParseFailure

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

/**
 * Strict parse, the partner parser's rules (one scanner for both): the exact scheme, one
 * space, the five parameters in any order, each once. Linear time, never throws.
 */
export function parseBrandAuthorization(header: string | undefined): BrandAuthorizationParseResult {
  return parseAuthParams(header, BRAND_AUTH_SCHEME, FIELDS)
}

/** Signs one brand request as the official brand utilities do. */
export interface BrandRequestSigningParams {
  method: string
  url: string
  body: string
  brandId: string
  serialNo: string
  privateKey: PrivateKeyInput
  timestamp?: number
  nonce?: string
  order?: BrandParamOrder
}

export interface SignedBrandRequest {
  authorization: string
  timestamp: string
  nonce: string
  signature: string
}

export function signBrandRequest(p: BrandRequestSigningParams): SignedBrandRequest {
  const m = requestMessage(p)
  return signedBrandRequest(p, m, signSha256WithRsa(m.message, p.privateKey))
}

/** signBrandRequest with the RSA in the thread pool (the SDK's brand client uses it). */
export async function signBrandRequestAsync(
  p: BrandRequestSigningParams,
): Promise<SignedBrandRequest> {
  const m = requestMessage(p)
  return signedBrandRequest(p, m, await signSha256WithRsaAsync(m.message, p.privateKey))
}

function signedBrandRequest(
  p: BrandRequestSigningParams,
  m: { timestamp: string; nonce: string },
  signature: string,
): SignedBrandRequest {
  const authorization = buildBrandAuthorization(
    {
      brandId: p.brandId,
      nonceStr: m.nonce,
      timestamp: m.timestamp,
      serialNo: p.serialNo,
      signature,
    },
    p.order,
  )
  return { authorization, timestamp: m.timestamp, nonce: m.nonce, signature }
}
