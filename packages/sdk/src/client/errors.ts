import { STATUS_CODES } from 'node:http'
import type { ResponseVerification, SignInformation } from '../protocol/index.ts'

/**
 * One class per failure category, stripe-node style: callers branch with `instanceof`, and every
 * HTTP error keeps what the server said (status, code, detail, Request-ID, headers, raw body) so
 * it can be logged or handed to WeChat Pay support unchanged.
 *
 *   WxPayError
 *   ├── ApiError                  any non-2xx answer (and the fallback for unexpected statuses)
 *   │   ├── ParamError            400 PARAM_ERROR
 *   │   ├── InvalidRequestError   400 INVALID_REQUEST, ALREADY_EXISTS, any other 400
 *   │   ├── AuthenticationError   401 (SIGN_ERROR)
 *   │   ├── PermissionError       403 (NO_AUTH)
 *   │   ├── NotFoundError         404 (NOT_FOUND)
 *   │   ├── RateLimitError        429 (RATELIMIT_EXCEEDED)
 *   │   └── ApiServerError        5xx
 *   ├── ConnectionError           no HTTP answer: network failure, timeout
 *   └── SignatureVerificationError  2xx answer that is not provably from WeChat Pay
 */

export interface WxPayErrorInit {
  message: string
  status?: number
  code?: string
  detail?: unknown
  requestId?: string
  headers?: Record<string, string>
  raw?: string
  cause?: unknown
}

export class WxPayError extends Error {
  override readonly name: string = 'WxPayError'
  declare readonly status?: number
  declare readonly code?: string
  declare readonly detail?: unknown
  declare readonly requestId?: string
  /** Response headers, names in lower case. */
  declare readonly headers?: Record<string, string>
  /** The response body exactly as received. */
  declare readonly raw?: string

  constructor(init: WxPayErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    // `declare` fields plus these guards keep absent members absent rather than `undefined`.
    if (init.status !== undefined) this.status = init.status
    if (init.code !== undefined) this.code = init.code
    if (init.detail !== undefined) this.detail = init.detail
    if (init.requestId !== undefined) this.requestId = init.requestId
    if (init.headers !== undefined) this.headers = init.headers
    if (init.raw !== undefined) this.raw = init.raw
  }
}

export class ApiError extends WxPayError {
  override readonly name: string = 'ApiError'
}
export class ParamError extends ApiError {
  override readonly name: string = 'ParamError'
}
export class InvalidRequestError extends ApiError {
  override readonly name: string = 'InvalidRequestError'
}
/**
 * 401. When the signature failed, WeChat Pay says what it verified (`detail.sign_information`):
 * it is `signInformation`, and the same description of what this client signed is
 * `clientSignInformation`; the message sets the two side by side.
 */
export class AuthenticationError extends ApiError {
  override readonly name: string = 'AuthenticationError'
  declare readonly signInformation?: SignInformation
  declare readonly clientSignInformation?: SignInformation

  constructor(
    init: WxPayErrorInit & {
      signInformation?: SignInformation
      clientSignInformation?: SignInformation
    },
  ) {
    super(init)
    if (init.signInformation !== undefined) this.signInformation = init.signInformation
    if (init.clientSignInformation !== undefined) {
      this.clientSignInformation = init.clientSignInformation
    }
  }
}
export class PermissionError extends ApiError {
  override readonly name: string = 'PermissionError'
}
export class NotFoundError extends ApiError {
  override readonly name: string = 'NotFoundError'
}
export class RateLimitError extends ApiError {
  override readonly name: string = 'RateLimitError'
}
export class ApiServerError extends ApiError {
  override readonly name: string = 'ApiServerError'
}

export class ConnectionError extends WxPayError {
  override readonly name: string = 'ConnectionError'
}

export type SignatureFailureReason = Extract<ResponseVerification, { ok: false }>['reason']

export class SignatureVerificationError extends WxPayError {
  override readonly name: string = 'SignatureVerificationError'
  readonly reason: SignatureFailureReason

  constructor(init: WxPayErrorInit & { reason: SignatureFailureReason }) {
    super(init)
    this.reason = init.reason
  }
}

type ApiErrorClass = new (
  init: WxPayErrorInit & {
    signInformation?: SignInformation
    clientSignInformation?: SignInformation
  },
) => ApiError

function classFor(status: number, code: string | undefined): ApiErrorClass {
  if (status === 400) return code === 'PARAM_ERROR' ? ParamError : InvalidRequestError
  if (status === 401) return AuthenticationError
  if (status === 403) return PermissionError
  if (status === 404) return NotFoundError
  if (status === 429) return RateLimitError
  if (status >= 500 && status <= 599) return ApiServerError
  return ApiError
}

function parseErrorBody(bodyText: string): { code?: string; message?: string; detail?: unknown } {
  let parsed: unknown
  try {
    parsed = JSON.parse(bodyText)
  } catch {
    return {}
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
  const { code, message, detail } = parsed as Record<string, unknown>
  return {
    ...(typeof code === 'string' && code !== '' ? { code } : {}),
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
    ...(detail !== undefined && detail !== null ? { detail } : {}),
  }
}

/** Header record with lower-case names, whatever the caller passed. */
export function lowerCaseHeaders(
  headers: Headers | Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value
    })
  } else {
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  }
  return out
}

/** `detail.sign_information` of a 401, when it has the shape WeChat Pay gives it. */
function readSignInformation(detail: unknown): SignInformation | undefined {
  const i = (detail as { sign_information?: Record<string, unknown> } | undefined)?.sign_information
  if (
    typeof i?.method !== 'string' ||
    typeof i.url !== 'string' ||
    typeof i.sign_message_length !== 'number' ||
    typeof i.truncated_sign_message !== 'string'
  ) {
    return undefined
  }
  return {
    method: i.method,
    sign_message_length: i.sign_message_length,
    truncated_sign_message: i.truncated_sign_message,
    url: i.url,
  }
}

const described = (i: SignInformation) =>
  `${JSON.stringify(i.truncated_sign_message)} (${i.sign_message_length} bytes)`

/**
 * The error for a non-2xx answer (protocol §4.2 step 5). The body is parsed if it is a JSON
 * object; anything else (an HTML page from a proxy, an empty body) still yields an error whose
 * message is the HTTP status text, so callers never see a JSON SyntaxError instead. `signed`:
 * what the caller signed, shown next to what the server verified when a signature failed.
 */
export function errorFromResponse(
  status: number,
  bodyText: string,
  headers: Headers | Record<string, string>,
  context: { signed?: SignInformation } = {},
): ApiError {
  const lower = lowerCaseHeaders(headers)
  const { code, message, detail } = parseErrorBody(bodyText)
  const statusText = STATUS_CODES[status] ?? 'Unknown Status'
  const server = status === 401 ? readSignInformation(detail) : undefined
  const signed = server ? context.signed : undefined
  const comparison = server
    ? ` — the server verified ${described(server)}${signed ? `; this client signed ${described(signed)}` : ''}`
    : ''
  const text = `${message ?? statusText}${comparison}`
  const requestId = lower['request-id']
  const ErrorClass = classFor(status, code)
  return new ErrorClass({
    message: code === undefined ? `HTTP ${status}: ${text}` : `${code}: ${text}`,
    ...(server ? { signInformation: server } : {}),
    ...(signed ? { clientSignInformation: signed } : {}),
    status,
    ...(code === undefined ? {} : { code }),
    ...(detail === undefined ? {} : { detail }),
    ...(requestId === undefined ? {} : { requestId }),
    headers: lower,
    raw: bodyText,
  })
}
