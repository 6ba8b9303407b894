import {
  type PrivateKeyInput,
  type PublicKeyInput,
  signSha256WithRsa,
  verifySha256WithRsa,
} from './rsa.ts'
import { buildResponseMessage } from './signing-message.ts'

/** Header names as Node and fetch expose them (lower case). */
export const RESPONSE_HEADERS = {
  timestamp: 'wechatpay-timestamp',
  nonce: 'wechatpay-nonce',
  signature: 'wechatpay-signature',
  serial: 'wechatpay-serial',
} as const

/** The platform's signature over a response or a callback (protocol §4.1, §10.3). */
export function signResponse(p: {
  body: string
  privateKey: PrivateKeyInput
  keyId: string
  timestamp: number
  nonce: string
}): Record<
  'Wechatpay-Timestamp' | 'Wechatpay-Nonce' | 'Wechatpay-Signature' | 'Wechatpay-Serial',
  string
> {
  const timestamp = String(p.timestamp)
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': p.nonce,
    'Wechatpay-Signature': signSha256WithRsa(
      buildResponseMessage({ timestamp, nonce: p.nonce, body: p.body }),
      p.privateKey,
    ),
    'Wechatpay-Serial': p.keyId,
  }
}

export type ResponseVerification =
  | { ok: true }
  | {
      ok: false
      reason:
        | 'missing_header'
        | 'bad_timestamp'
        | 'stale_timestamp'
        | 'serial_mismatch'
        | 'bad_signature'
        | 'signature_probe'
    }

/** WeChat Pay sometimes sends a deliberately wrong signature to catch clients that don't check. */
const SIGNATURE_PROBE = 'WECHATPAY/SIGNTEST/'

/**
 * What a client must check on every 2xx response and every callback (protocol §4.2), with the
 * Java rule for the clock: |now − timestamp| ≥ tolerance rejects.
 */
export function verifyResponseSignature(p: {
  headers: (name: string) => string | undefined
  body: string
  publicKey: PublicKeyInput
  publicKeyId: string
  nowSeconds: number
  toleranceSeconds?: number
}): ResponseVerification {
  const timestamp = p.headers(RESPONSE_HEADERS.timestamp)
  const nonce = p.headers(RESPONSE_HEADERS.nonce)
  const signature = p.headers(RESPONSE_HEADERS.signature)
  const serial = p.headers(RESPONSE_HEADERS.serial)
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'missing_header' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' }
  if (Math.abs(p.nowSeconds - Number(timestamp)) >= (p.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'stale_timestamp' }
  }
  if (serial !== p.publicKeyId) return { ok: false, reason: 'serial_mismatch' }
  if (signature.startsWith(SIGNATURE_PROBE)) return { ok: false, reason: 'signature_probe' }
  const message = buildResponseMessage({ timestamp, nonce, body: p.body })
  return verifySha256WithRsa(message, signature, p.publicKey)
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' }
}
