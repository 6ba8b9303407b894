/**
 * The clock rule of both directions (protocol §3 step 4, §4.2 step 2): a timestamp is decimal
 * Unix seconds, and the two sides allow five minutes of skew. They differ only at the edge: the
 * server still accepts a request exactly 300 s away (only `> 300 s` rejects), a client refuses a
 * response or callback exactly 300 s away (the Java SDK's `≥` rule, which the TS SDK follows).
 */

export const TIMESTAMP_TOLERANCE_SECONDS = 300

/** Whose timestamp: a request's (Authorization) as the server checks it, or a response's or
 * callback's (Wechatpay-Timestamp) as a client checks it. */
export type TimestampSide = 'request' | 'response'

export type TimestampCheck = 'ok' | 'bad_timestamp' | 'stale_timestamp'

// ASCII digits only (no sign, exponent, fraction or blanks); twelve bound the value far below
// 2^53, so Number() is exact.
const UNIX_SECONDS = /^\d{1,12}$/

export function checkTimestamp(
  side: TimestampSide,
  timestamp: string,
  nowSeconds: number,
  toleranceSeconds: number = TIMESTAMP_TOLERANCE_SECONDS,
): TimestampCheck {
  if (!UNIX_SECONDS.test(timestamp)) return 'bad_timestamp'
  const skew = Math.abs(nowSeconds - Number(timestamp))
  const stale = side === 'request' ? skew > toleranceSeconds : skew >= toleranceSeconds
  return stale ? 'stale_timestamp' : 'ok'
}
