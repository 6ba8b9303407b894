import { randomBytes } from 'node:crypto'
import { generateNonce, type RandomBytes } from './nonce.ts'
import {
  type PrivateKeyInput,
  type PublicKeyInput,
  signSha256WithRsa,
  signSha256WithRsaAsync,
  verifySha256WithRsa,
} from './rsa.ts'
import { buildResponseMessage, type SignedBody } from './signing-message.ts'
import { checkTimestamp } from './timestamp.ts'

/**
 * The platform's signature over a response or a callback (protocol §4.1, §10.3), and the one
 * check a receiver makes of it (§4.2, §10.4), used by the SDK's client and its callback parser
 * alike. The checks run in this order, and the first failure is the reason:
 *
 *   1. headers    Wechatpay-Timestamp, -Nonce, -Signature, -Serial, in that order: each present,
 *                 non-empty and not repeated                 missing_header, duplicate_header
 *   2. serial     Wechatpay-Serial names a key we hold       serial_mismatch
 *   3. timestamp  decimal Unix seconds, < tolerance from now  bad_timestamp, stale_timestamp
 *   4. probe      not a WECHATPAY/SIGNTEST/ probe             signature_probe
 *   5. signature  SHA256withRSA over the 3-line message       bad_signature
 *
 * The serial comes first because it names the key: a message under a key we do not hold is
 * not worth reading further (and with platform certificates it is the lookup that finds the
 * key: the public key id, or a certificate's serial through `keyFor`). It is also the order the callback parser has always published. §4.2 lists the clock
 * before the serial, but only says what must be refused; which reason a message failing both
 * gets is ours to choose. Nothing in the body is looked at before the signature holds.
 */

/** Header names as Node and fetch expose them (lower case). */
export const RESPONSE_HEADERS = {
  timestamp: 'wechatpay-timestamp',
  nonce: 'wechatpay-nonce',
  signature: 'wechatpay-signature',
  serial: 'wechatpay-serial',
} as const

/** WeChat Pay sometimes sends a deliberately wrong signature to catch clients that don't check. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/'

/** Step 1's order, with the names as they are written (and reported). */
const HEADER_ORDER = [
  ['timestamp', 'Wechatpay-Timestamp'],
  ['nonce', 'Wechatpay-Nonce'],
  ['signature', 'Wechatpay-Signature'],
  ['serial', 'Wechatpay-Serial'],
] as const

export type ResponseHeaderName = (typeof HEADER_ORDER)[number][1]

/** What signResponse and signResponseAsync sign with. */
export interface ResponseSigningParams {
  body: SignedBody
  privateKey: PrivateKeyInput
  keyId: string
  timestamp: number
  /** Default: 32 characters of [0-9A-Za-z] drawn from `random`. */
  nonce?: string
  random?: RandomBytes
}

export type ResponseSignedHeaders = Record<
  'Wechatpay-Timestamp' | 'Wechatpay-Nonce' | 'Wechatpay-Signature' | 'Wechatpay-Serial',
  string
>

/** The platform's signature over a response or a callback (protocol §4.1, §10.3). */
export function signResponse(p: ResponseSigningParams): ResponseSignedHeaders {
  const { timestamp, nonce, message } = responseMessage(p)
  return signedHeaders(timestamp, nonce, signSha256WithRsa(message, p.privateKey), p.keyId)
}

/** signResponse with the RSA in the thread pool (rsa.ts signSha256WithRsaAsync). */
export async function signResponseAsync(p: ResponseSigningParams): Promise<ResponseSignedHeaders> {
  const { timestamp, nonce, message } = responseMessage(p)
  return signedHeaders(
    timestamp,
    nonce,
    await signSha256WithRsaAsync(message, p.privateKey),
    p.keyId,
  )
}

function responseMessage(p: ResponseSigningParams) {
  const timestamp = String(p.timestamp)
  const nonce = p.nonce ?? generateNonce(32, p.random ?? randomBytes)
  return { timestamp, nonce, message: buildResponseMessage({ timestamp, nonce, body: p.body }) }
}

function signedHeaders(
  timestamp: string,
  nonce: string,
  signature: string,
  keyId: string,
): ResponseSignedHeaders {
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': keyId,
  }
}

/** The four values the signature travels in. */
export interface ResponseSignatureHeaders {
  timestamp: string
  nonce: string
  signature: string
  serial: string
}

export type ResponseSignatureHeadersRead =
  | { ok: true; value: ResponseSignatureHeaders }
  | { ok: false; reason: 'missing_header' | 'duplicate_header'; header: ResponseHeaderName }

/**
 * Check 1. `get` is asked for each name in lower case and answers with an array for a header
 * that came more than once (as Node's IncomingMessage does for some).
 */
export function readResponseSignatureHeaders(
  get: (name: string) => string | readonly string[] | undefined,
): ResponseSignatureHeadersRead {
  const value: Partial<ResponseSignatureHeaders> = {}
  for (const [field, header] of HEADER_ORDER) {
    const v = get(RESPONSE_HEADERS[field])
    if (Array.isArray(v)) return { ok: false, reason: 'duplicate_header', header }
    if (typeof v !== 'string' || v === '') return { ok: false, reason: 'missing_header', header }
    value[field] = v
  }
  return { ok: true, value: value as ResponseSignatureHeaders }
}

export interface ResponseTrust {
  /** The WeChat Pay public key, for messages whose Wechatpay-Serial is `publicKeyId`. */
  publicKey?: PublicKeyInput
  /** `PUB_KEY_ID_…`. */
  publicKeyId?: string
  /**
   * Platform certificates (or any other keys) by serial. A message whose serial is neither
   * `publicKeyId` nor known here is refused.
   */
  keyFor?: (serial: string) => PublicKeyInput | undefined
  nowSeconds: number
  /** Default TIMESTAMP_TOLERANCE_SECONDS. */
  toleranceSeconds?: number
}

export type SignatureCheckFailure =
  | 'serial_mismatch'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'signature_probe'
  | 'bad_signature'

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureCheckFailure }

/** Checks 2–5, over the body's bytes exactly as received (or the text they decoded to). */
export function checkResponseSignature(
  h: ResponseSignatureHeaders,
  body: SignedBody,
  trust: ResponseTrust,
): SignatureCheck {
  const key =
    trust.publicKeyId !== undefined && h.serial === trust.publicKeyId
      ? trust.publicKey
      : trust.keyFor?.(h.serial)
  if (key === undefined) return { ok: false, reason: 'serial_mismatch' }
  const clock = checkTimestamp('response', h.timestamp, trust.nowSeconds, trust.toleranceSeconds)
  if (clock !== 'ok') return { ok: false, reason: clock }
  if (h.signature.startsWith(SIGNATURE_PROBE_PREFIX)) {
    return { ok: false, reason: 'signature_probe' }
  }
  const message = buildResponseMessage({ timestamp: h.timestamp, nonce: h.nonce, body })
  return verifySha256WithRsa(message, h.signature, key)
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' }
}

export type ResponseVerification =
  | { ok: true }
  | { ok: false; reason: 'missing_header' | SignatureCheckFailure }

/**
 * All five checks, for a client holding a header lookup whose values are single strings
 * (fetch's Headers, a lower-cased record). Such a lookup cannot repeat a header; an array
 * slipped in from plain JavaScript counts as a missing header.
 */
export function verifyResponseSignature(
  p: ResponseTrust & {
    headers: (name: string) => string | undefined
    body: SignedBody
  },
): ResponseVerification {
  const read = readResponseSignatureHeaders(p.headers)
  if (!read.ok) return { ok: false, reason: 'missing_header' }
  return checkResponseSignature(read.value, p.body, p)
}
