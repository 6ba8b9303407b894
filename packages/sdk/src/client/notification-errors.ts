import { WxPayError } from './errors.ts'

/**
 * Why a callback was refused. The first group means "not provably from WeChat Pay" (a receiver
 * answers 401), the second "from WeChat Pay, but unreadable" (400).
 */
export type NotificationFailureReason =
  | 'missing_header'
  | 'duplicate_header'
  | 'serial_mismatch'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'signature_probe'
  | 'bad_envelope'
  | 'bad_plaintext'
  | 'decrypt_failed'

/**
 * A callback that must not be acted upon. Subclasses say which check failed, in the order the
 * checks run:
 *
 *   NotificationError
 *   ├── NotificationHeaderError     a Wechatpay-* header is missing or repeated
 *   ├── NotificationSerialError     signed under another key than the configured one
 *   ├── NotificationTimestampError  timestamp not an integer, or ≥ tolerance away from now
 *   ├── NotificationSignatureError  signature wrong, or a WECHATPAY/SIGNTEST/ probe
 *   ├── NotificationFormatError     envelope or decrypted resource is not what §10.3/§10.5 say
 *   └── NotificationDecryptError    the resource does not decrypt under the APIv3 key
 *
 * Messages are fixed texts: nothing from the request and never the APIv3 key.
 */
export class NotificationError extends WxPayError {
  override readonly name: string = 'NotificationError'
  readonly reason: NotificationFailureReason

  constructor(init: { message: string; reason: NotificationFailureReason; cause?: unknown }) {
    super({ message: init.message, ...(init.cause === undefined ? {} : { cause: init.cause }) })
    this.reason = init.reason
  }
}

export class NotificationHeaderError extends NotificationError {
  override readonly name: string = 'NotificationHeaderError'
}
export class NotificationSerialError extends NotificationError {
  override readonly name: string = 'NotificationSerialError'
}
export class NotificationTimestampError extends NotificationError {
  override readonly name: string = 'NotificationTimestampError'
}
export class NotificationSignatureError extends NotificationError {
  override readonly name: string = 'NotificationSignatureError'
  /** WeChat Pay's deliberate wrong signature: refusing it is the right answer, not an incident. */
  readonly probe: boolean

  constructor(init: { message: string; reason: 'bad_signature' | 'signature_probe' }) {
    super(init)
    this.probe = init.reason === 'signature_probe'
  }
}
export class NotificationFormatError extends NotificationError {
  override readonly name: string = 'NotificationFormatError'
}
export class NotificationDecryptError extends NotificationError {
  override readonly name: string = 'NotificationDecryptError'
}

/** The HTTP status a receiver answers for a refused callback. */
export function notificationErrorStatus(err: NotificationError): 400 | 401 {
  return err instanceof NotificationFormatError || err instanceof NotificationDecryptError
    ? 400
    : 401
}
