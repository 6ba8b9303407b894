import {
  CallbackDecryptError,
  CallbackFormatError,
  checkResponseSignature,
  isApiV3Key,
  type PublicKeyInput,
  readCallbackEnvelope,
  readCallbackResource,
  readResponseSignatureHeaders,
  type SignatureCheckFailure,
  TIMESTAMP_TOLERANCE_SECONDS,
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
import { type PlatformKeyOptions, PlatformKeySet } from './platform-keys.ts'

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

export interface NotificationKeys extends PlatformKeyOptions {
  /**
   * WeChat Pay public key: SPKI PEM text, a path to a PEM file, or a KeyObject. Give it (with
   * its id), platform certificates (`platformCertificates`, serial → certificate), or both —
   * in transition key mode callbacks come under either. A callback signed under a key not
   * given is refused.
   */
  platformPublicKey?: PublicKeyInput
  /** `PUB_KEY_ID_…`. */
  platformPublicKeyId?: string
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

/**
 * Checks a callback the way protocol §4.2/§10.4 ask, with the one verifier the client uses too
 * (protocol's response-signature.ts, cheapest and least trusting first): headers, serial,
 * timestamp, then the signature over the raw bytes. Nothing in the body is looked at before the
 * signature holds; only then is the envelope parsed and the resource decrypted. Throws one
 * NotificationError subclass per failed check.
 */
export function parseNotification<T = ProductCouponSendEvent>(
  p: ParseNotificationParams,
): Notification<T> {
  return parseWithKey<T>(p, resolveKeys(p))
}

export interface ResolvedKeys {
  keys: PlatformKeySet
  apiv3Key: string
  nowSeconds: () => number
  toleranceSeconds: number
}

/** Argument errors are TypeErrors, thrown before any callback arrives when used by a handler. */
export function resolveKeys(k: NotificationKeys): ResolvedKeys {
  const keys = new PlatformKeySet(k)
  if (keys.empty) {
    throw new TypeError(
      'platformPublicKey and platformPublicKeyId, or platformCertificates, must be given',
    )
  }
  // The value is never echoed: it is a secret.
  if (!isApiV3Key(k.apiv3Key)) {
    throw new TypeError('apiv3Key must be 32 ASCII letters and digits')
  }
  const tolerance = k.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS
  if (!Number.isFinite(tolerance) || tolerance <= 0) {
    throw new TypeError('toleranceSeconds must be a positive number')
  }
  if (k.nowSeconds !== undefined && typeof k.nowSeconds !== 'function') {
    throw new TypeError('nowSeconds must be a function')
  }
  return {
    keys,
    apiv3Key: k.apiv3Key,
    nowSeconds: k.nowSeconds ?? (() => Date.now() / 1000),
    toleranceSeconds: tolerance,
  }
}

export function parseWithKey<T>(
  p: { headers: NotificationHeaders; body: string | Buffer },
  k: ResolvedKeys,
): Notification<T> {
  const read = readResponseSignatureHeaders(headerLookup(p.headers))
  if (!read.ok) {
    throw new NotificationHeaderError(
      read.reason === 'duplicate_header'
        ? { message: `${read.header} header appears more than once`, reason: read.reason }
        : { message: `${read.header} header is missing`, reason: read.reason },
    )
  }
  // Bytes throughout: decoding and re-encoding the body could change what was signed.
  const body = typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body
  const check = checkResponseSignature(
    read.value,
    body,
    k.keys.trust(k.nowSeconds(), k.toleranceSeconds),
  )
  if (!check.ok) throw SIGNATURE_FAILURES[check.reason](k)

  const envelope = readOrFormatError(() => readCallbackEnvelope(body), 'bad_envelope')
  let data: Record<string, unknown>
  try {
    data = readOrFormatError(() => readCallbackResource(envelope, k.apiv3Key), 'bad_plaintext')
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
    original_type: envelope.resource.original_type,
    data: data as T,
  }
}

/** Each failed check's error; the messages are fixed texts, never the sender's values. */
const SIGNATURE_FAILURES = {
  serial_mismatch: () =>
    new NotificationSerialError({
      message: 'Wechatpay-Serial names none of the configured platform keys',
      reason: 'serial_mismatch',
    }),
  bad_timestamp: () =>
    new NotificationTimestampError({
      message: 'Wechatpay-Timestamp is not a Unix time in seconds',
      reason: 'bad_timestamp',
    }),
  stale_timestamp: (k: ResolvedKeys) =>
    new NotificationTimestampError({
      message: `Wechatpay-Timestamp is ${k.toleranceSeconds} s or more away from now`,
      reason: 'stale_timestamp',
    }),
  signature_probe: () =>
    new NotificationSignatureError({
      message: 'Wechatpay-Signature is a WECHATPAY/SIGNTEST/ probe',
      reason: 'signature_probe',
    }),
  bad_signature: () =>
    new NotificationSignatureError({
      message: 'Wechatpay-Signature does not verify with the platform key its serial names',
      reason: 'bad_signature',
    }),
} satisfies Record<SignatureCheckFailure, (k: ResolvedKeys) => Error>

/** The envelope's or the resource's format failure, as the receiver's error. */
function readOrFormatError<R>(read: () => R, reason: 'bad_envelope' | 'bad_plaintext'): R {
  try {
    return read()
  } catch (err) {
    if (!(err instanceof CallbackFormatError)) throw err
    throw new NotificationFormatError({ message: err.message, reason, cause: err.cause })
  }
}

/**
 * One header by its canonical name. A record is searched case-insensitively, and a repeated
 * header (Node gives an array for some) comes back as an array so the verifier refuses it
 * rather than guess.
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
