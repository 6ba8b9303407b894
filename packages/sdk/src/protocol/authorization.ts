import { generateNonce } from './nonce.ts'
import { type PrivateKeyInput, signSha256WithRsa, signSha256WithRsaAsync } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'

/** Partner/merchant mode; the brand-direct scheme WECHATPAY-BRAND-SHA256-RSA2048 is refused. */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048'

export interface AuthorizationParams {
  mchid: string
  nonceStr: string
  timestamp: string
  serialNo: string
  signature: string
}

export type AuthorizationParseFailure =
  | 'missing'
  | 'too_long'
  | 'scheme'
  | 'syntax'
  | 'duplicate'
  | 'unknown_field'
  | 'empty_field'
  | 'missing_field'

export type AuthorizationParseResult =
  | { ok: true; value: AuthorizationParams }
  | { ok: false; reason: AuthorizationParseFailure }

const FIELDS = {
  mchid: 'mchid',
  nonce_str: 'nonceStr',
  timestamp: 'timestamp',
  serial_no: 'serialNo',
  signature: 'signature',
} as const satisfies Record<string, keyof AuthorizationParams>

const MAX_LENGTH = 4096

/** `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"` */
export function buildAuthorization(p: AuthorizationParams): string {
  return (
    `${AUTH_SCHEME} mchid="${p.mchid}",nonce_str="${p.nonceStr}",signature="${p.signature}",` +
    `timestamp="${p.timestamp}",serial_no="${p.serialNo}"`
  )
}

/**
 * Strict parse: the exact scheme, one space, then the five `key="value"` parameters in any
 * order, each exactly once, separated by commas (spaces or tabs tolerated around a comma,
 * nowhere else). A hand scanner rather than a regex, so a hostile header costs linear time; it
 * never throws, because its input comes straight off the network.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParseResult {
  return parseAuthParams(header, AUTH_SCHEME, FIELDS)
}

/**
 * The scanner of both schemes (partner here, brand in brand-authorization.ts): `fields` maps
 * each parameter's wire name to its property; every one of them must be there once.
 */
export function parseAuthParams<P extends string>(
  header: string | undefined,
  scheme: string,
  fields: Readonly<Record<string, P>>,
): { ok: true; value: Record<P, string> } | { ok: false; reason: AuthorizationParseFailure } {
  const fail = (reason: AuthorizationParseFailure) => ({ ok: false as const, reason })
  if (typeof header !== 'string' || header === '') return fail('missing')
  if (header.length > MAX_LENGTH) return fail('too_long')
  if (!header.startsWith(`${scheme} `)) return fail('scheme')
  const found: Partial<Record<P, string>> = {}
  const n = header.length
  let i = scheme.length + 1
  for (;;) {
    const keyStart = i
    while (i < n && isKeyChar(header.charCodeAt(i))) i++
    const key = header.slice(keyStart, i)
    if (key === '' || header[i] !== '=' || header[i + 1] !== '"') return fail('syntax')
    i += 2
    const valueStart = i
    while (i < n && header[i] !== '"') {
      // Control characters (CR/LF above all) would let a value smuggle in another header line.
      const c = header.charCodeAt(i)
      if (c < 0x20 || c === 0x7f) return fail('syntax')
      i++
    }
    if (i >= n) return fail('syntax')
    const value = header.slice(valueStart, i)
    i++
    if (!Object.hasOwn(fields, key)) return fail('unknown_field')
    const field = fields[key] as P
    if (found[field] !== undefined) return fail('duplicate')
    if (value === '') return fail('empty_field')
    found[field] = value
    if (i === n) break
    while (isBlank(header[i])) i++
    if (header[i] !== ',') return fail('syntax')
    i++
    while (isBlank(header[i])) i++
  }
  for (const field of Object.values(fields)) if (!found[field]) return fail('missing_field')
  return { ok: true, value: found as Record<P, string> }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t'

/** Keys are lower-case ASCII and `_`; anything else is a syntax error, not an unknown key. */
const isKeyChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || c === 0x5f

export interface RequestSigningParams {
  method: string
  url: string
  body: string
  mchid: string
  serialNo: string
  privateKey: PrivateKeyInput
  /** Unix seconds; defaults to now. */
  timestamp?: number
  nonce?: string
}

export interface SignedRequest {
  authorization: string
  timestamp: string
  nonce: string
  signature: string
}

/** Signs one request the way the official clients do; used by the SDK, CLI and tests. */
export function signRequest(p: RequestSigningParams): SignedRequest {
  const m = requestMessage(p)
  return signedRequest(p, m, signSha256WithRsa(m.message, p.privateKey))
}

/** signRequest with the RSA in the thread pool, so a busy client uses every core for it. */
export async function signRequestAsync(p: RequestSigningParams): Promise<SignedRequest> {
  const m = requestMessage(p)
  return signedRequest(p, m, await signSha256WithRsaAsync(m.message, p.privateKey))
}

/** The message a request signature covers, with the timestamp and nonce it was built with (both schemes). */
export function requestMessage(
  p: Pick<RequestSigningParams, 'method' | 'url' | 'body' | 'timestamp' | 'nonce'>,
) {
  const timestamp = String(p.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = p.nonce ?? generateNonce()
  const message = buildRequestMessage({
    method: p.method,
    url: p.url,
    timestamp,
    nonce,
    body: p.body,
  })
  return { timestamp, nonce, message }
}

function signedRequest(
  p: RequestSigningParams,
  m: { timestamp: string; nonce: string },
  signature: string,
): SignedRequest {
  const authorization = buildAuthorization({
    mchid: p.mchid,
    nonceStr: m.nonce,
    timestamp: m.timestamp,
    serialNo: p.serialNo,
    signature,
  })
  return { authorization, timestamp: m.timestamp, nonce: m.nonce, signature }
}
