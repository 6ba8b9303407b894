import { Type } from 'typebox'

/** Field formats shared by every endpoint (endpoints.md §0.4). */

const REQUEST_NO_PATTERN = '^[0-9A-Za-z_-]+$'

/** out_request_no: 6–40 chars of digits, letters, `_` and `-` [seed]. */
export const OutRequestNo = Type.String({
  minLength: 6,
  maxLength: 40,
  pattern: REQUEST_NO_PATTERN,
})

/** send_request_no: 6–128 chars of the same alphabet [doc send page]. */
export const SendRequestNo = Type.String({
  minLength: 6,
  maxLength: 128,
  pattern: REQUEST_NO_PATTERN,
})

/** Ids WeChat Pay generates or brands choose: never empty, never more than 40 chars. */
export const Id40 = Type.String({ minLength: 1, maxLength: 40, pattern: REQUEST_NO_PATTERN })

export const BrandId = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z_-]+$' })

export const AppId = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z_-]+$' })

/** openid: 28 chars in practice; the alphabet is URL-safe base64. */
export const OpenId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[0-9A-Za-z_-]+$' })

/** coupon_code: string(40); WECHATPAY codes are digits, API_ASSIGN/UPLOAD codes `[0-9A-Za-z_-]`. */
export const CouponCode = Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z_-]+$' })

/**
 * RFC 3339 with an explicit offset. Seconds may be omitted (official examples do that) and
 * fractions are accepted on input; the server always emits `yyyy-MM-ddTHH:mm:ss+08:00`.
 */
export const Rfc3339 = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
})

/** An amount in fen or a count: a non-negative integer inside the exactly-representable range. */
export function Int(min: number, max: number) {
  return Type.Integer({ minimum: min, maximum: max })
}

export const Fen = Int(0, 100_000_000_00)

export const Url = Type.String({ minLength: 1, maxLength: 512, pattern: '^https?://[^\\s]+$' })

export function Text(maxLength: number, minLength = 0) {
  return Type.String({ minLength, maxLength })
}
