import type { KeyObject } from 'node:crypto'
import {
  CallbackDecryptError,
  decryptCallbackResource,
  type PublicKeyInput,
  verifySha256WithRsa,
} from '../protocol/index.ts'
import type { SendChannel } from '../schemas/enums.ts'
import {
  NotificationDecryptError,
  NotificationFormatError,
  NotificationHeaderError,
  NotificationSerialError,
  NotificationSignatureError,
  NotificationTimestampError,
} from './notification-errors.ts'
import { loadPublicKey } from './options.ts'

/** §10.5: the decrypted resource of `PRODUCT_COUPON_SP.SEND`. */
export interface ProductCouponSendEvent {
  brand_id: string
  /** Confirm the coupon with this code. */
  coupon_code: string
  product_coupon_id: string
  stock_id: string
  /** The appid under which `openid` is valid. */
  appid: string
  openid: string
  unionid?: string
  valid_begin_time: string
  valid_end_time: string
  receive_time: string
  send_request_no: string
  send_channel: SendChannel
  /** Only for coupons sent through the send API with `attach`. */
  attach?: string
  channel_custom_info?: string
  country_code?: string
  phone_number?: string
  stock_bundle_id?: string
  user_coupon_bundle_id?: string
}

/**
 * A verified, decrypted callback. `data` is the resource as WeChat Pay sent it; its type is what
 * the caller declares, not something checked field by field.
 */
export interface Notification<T = ProductCouponSendEvent> {
  id: string
  create_time: string
  event_type: string
  summary: string
  resource_type: string
  original_type: string
  data: T
}

/** Node's `req.headers`, any record (names matched case-insensitively), or a lookup function. */
export type NotificationHeaders =
  | Record<string, string | string[] | undefined>
  | ((name: string) => string | undefined)

export interface NotificationKeys {
  /** WeChat Pay public key: SPKI PEM text, a path to a PEM file, or a KeyObject. */
  platformPublicKey: PublicKeyInput
  /** `PUB_KEY_ID_…`; callbacks signed under any other id are refused. */
  platformPublicKeyId: string
  /** The partner's 32-character APIv3 key, which encrypts every callback resource. */
  apiv3Key: string
  /** Unix seconds, fractional allowed. Default: the system clock. */
  nowSeconds?: () => number
  /** |now − Wechatpay-Timestamp| must stay below this. Default 300 (protocol §4.2). */
  toleranceSeconds?: number
}

export interface ParseNotificationParams extends NotificationKeys {
  headers: NotificationHeaders
  /** The request body exactly as received: the signature covers these bytes. */
  body: string | Buffer
}

const SIGNATURE_PROBE = 'WECHATPAY/SIGNTEST/'
const HEADERS = [
  'Wechatpay-Timestamp',
  'Wechatpay-Nonce',
  'Wechatpay-Signature',
  'Wechatpay-Serial',
]
const APIV3_KEY = /^[0-9A-Za-z]{32}$/
// fatal: bytes that are not UTF-8 are a malformed envelope, not text with U+FFFD in it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Checks a callback the way protocol §4.2/§10.4 ask, cheapest and least trusting first:
 * headers, serial, timestamp, then the signature over the raw bytes. Nothing in the body is
 * looked at before the signature holds; only then is the envelope parsed and the resource
 * decrypted. Throws one NotificationError subclass per failed check.
 */
export function parseNotification<T = ProductCouponSendEvent>(
  p: ParseNotificationParams,
): Notification<T> {
  return parseWithKey<T>(p, resolveKeys(p))
}

export interface ResolvedKeys {
  publicKey: KeyObject
  publicKeyId: string
  apiv3Key: string
  nowSeconds: () => number
  toleranceSeconds: number
}

/** Argument errors are TypeErrors, thrown before any callback arrives when used by a handler. */
export function resolveKeys(k: NotificationKeys): ResolvedKeys {
  if (typeof k.platformPublicKeyId !== 'string' || k.platformPublicKeyId === '') {
    throw new TypeError('platformPublicKeyId must be a non-empty string')
  }
  // The value is never echoed: it is a secret.
  if (typeof k.apiv3Key !== 'string' || !APIV3_KEY.test(k.apiv3Key)) {
    throw new TypeError('apiv3Key must be 32 ASCII letters and digits')
  }
  const tolerance = k.toleranceSeconds ?? 300
  if (!Number.isFinite(tolerance) || tolerance <= 0) {
    throw new TypeError('toleranceSeconds must be a positive number')
  }
  if (k.nowSeconds !== undefined && typeof k.nowSeconds !== 'function') {
    throw new TypeError('nowSeconds must be a function')
  }
  return {
    publicKey: loadPublicKey(k.platformPublicKey),
    publicKeyId: k.platformPublicKeyId,
    apiv3Key: k.apiv3Key,
    nowSeconds: k.nowSeconds ?? (() => Date.now() / 1000),
    toleranceSeconds: tolerance,
  }
}

export function parseWithKey<T>(
  p: { headers: NotificationHeaders; body: string | Buffer },
  k: ResolvedKeys,
): Notification<T> {
  const get = headerLookup(p.headers)
  const [timestamp, nonce, signature, serial] = HEADERS.map((name) => {
    const value = get(name)
    if (Array.isArray(value)) {
      throw new NotificationHeaderError({
        message: `${name} header appears more than once`,
        reason: 'duplicate_header',
      })
    }
    if (value === undefined || value === '') {
      throw new NotificationHeaderError({
        message: `${name} header is missing`,
        reason: 'missing_header',
      })
    }
    return value
  }) as [string, string, string, string]

  if (serial !== k.publicKeyId) {
    throw new NotificationSerialError({
      message: 'Wechatpay-Serial is not the configured platform public key id',
      reason: 'serial_mismatch',
    })
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new NotificationTimestampError({
      message: 'Wechatpay-Timestamp is not a Unix time in seconds',
      reason: 'bad_timestamp',
    })
  }
  // Java's rule (protocol §4.2): an absolute difference of exactly the tolerance is too much.
  if (Math.abs(k.nowSeconds() - Number(timestamp)) >= k.toleranceSeconds) {
    throw new NotificationTimestampError({
      message: `Wechatpay-Timestamp is ${k.toleranceSeconds} s or more away from now`,
      reason: 'stale_timestamp',
    })
  }
  if (signature.startsWith(SIGNATURE_PROBE)) {
    throw new NotificationSignatureError({
      message: 'Wechatpay-Signature is a WECHATPAY/SIGNTEST/ probe',
      reason: 'signature_probe',
    })
  }
  const body = typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body
  // Built from bytes: decoding and re-encoding the body could change what was signed.
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, NEWLINE])
  if (!verifySha256WithRsa(message, signature, k.publicKey)) {
    throw new NotificationSignatureError({
      message: 'Wechatpay-Signature does not verify with the platform public key',
      reason: 'bad_signature',
    })
  }

  const envelope = readEnvelope(body)
  const { resource } = envelope
  let plaintext: string
  try {
    plaintext = decryptCallbackResource({
      ciphertext: resource.ciphertext,
      apiv3Key: k.apiv3Key,
      associatedData: resource.associated_data,
      nonce: resource.nonce,
    })
  } catch (err) {
    if (!(err instanceof CallbackDecryptError)) throw err
    throw new NotificationDecryptError({
      message: `resource does not decrypt with the APIv3 key (${err.message})`,
      reason: 'decrypt_failed',
      cause: err,
    })
  }
  return {
    id: envelope.id,
    create_time: envelope.create_time,
    event_type: envelope.event_type,
    summary: envelope.summary,
    resource_type: envelope.resource_type,
    original_type: resource.original_type,
    data: readJsonObject(plaintext, 'the decrypted resource', 'bad_plaintext') as T,
  }
}

const NEWLINE = Buffer.from('\n')

interface Envelope {
  id: string
  create_time: string
  event_type: string
  summary: string
  resource_type: string
  resource: {
    original_type: string
    algorithm: string
    ciphertext: string
    associated_data: string
    nonce: string
  }
}

function readEnvelope(body: Buffer): Envelope {
  let text: string
  try {
    text = UTF8.decode(body)
  } catch (err) {
    throw new NotificationFormatError({
      message: 'the body is not UTF-8',
      reason: 'bad_envelope',
      cause: err,
    })
  }
  const e = readJsonObject(text, 'the body', 'bad_envelope')
  const fail = (what: string): never => {
    throw new NotificationFormatError({ message: `envelope: ${what}`, reason: 'bad_envelope' })
  }
  for (const field of ['id', 'create_time', 'event_type'] as const) {
    if (!nonEmpty(e[field])) fail(`${field} must be a non-empty string`)
  }
  if (e.resource_type !== 'encrypt-resource') fail('resource_type must be encrypt-resource')
  // Required by §10.3 but not needed to act on the event, so a missing one is tolerated.
  if (e.summary !== undefined && typeof e.summary !== 'string') fail('summary must be a string')
  const r = e.resource
  if (typeof r !== 'object' || r === null || Array.isArray(r)) fail('resource must be an object')
  const res = r as Record<string, unknown>
  if (res.algorithm !== 'AEAD_AES_256_GCM') fail('resource.algorithm must be AEAD_AES_256_GCM')
  for (const field of ['original_type', 'associated_data', 'nonce', 'ciphertext'] as const) {
    if (!nonEmpty(res[field])) fail(`resource.${field} must be a non-empty string`)
  }
  return { ...(e as unknown as Envelope), summary: (e.summary as string | undefined) ?? '' }
}

function readJsonObject(
  text: string,
  what: string,
  reason: 'bad_envelope' | 'bad_plaintext',
): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new NotificationFormatError({ message: `${what} is not JSON`, reason, cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotificationFormatError({ message: `${what} is not a JSON object`, reason })
  }
  return value as Record<string, unknown>
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== ''
}

/**
 * One header by its canonical name. A record is searched case-insensitively, and a repeated
 * header (Node gives an array for some) comes back as an array so it can be refused rather
 * than guessed at.
 */
function headerLookup(h: NotificationHeaders): (name: string) => string | string[] | undefined {
  if (typeof h === 'function') return (name) => h(name.toLowerCase())
  const lower = new Map<string, string | string[] | undefined>()
  for (const [name, value] of Object.entries(h)) {
    const key = name.toLowerCase()
    const seen = lower.get(key)
    if (value === undefined) continue
    lower.set(key, seen === undefined ? value : [seen, value].flat())
  }
  return (name) => {
    const value = lower.get(name.toLowerCase())
    return Array.isArray(value) && value.length === 1 ? value[0] : value
  }
}
