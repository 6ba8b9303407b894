import type { IncomingHttpHeaders } from 'node:http'
import { buildRequestMessage, parseAuthorization } from '@wxcoupon/sdk/protocol'
import { ERRORS } from '../../domain/errors.ts'
import { formatRfc3339 } from '../../domain/time.ts'
import type { JournalRecord } from '../../store/store.ts'

/**
 * One journal entry from capture to view. What a request leaves behind (`Captured`) is only
 * references; everything costly — shortening secrets, rebuilding the signed string of a failed
 * verification, finding the coupon — happens when the batch is written, off the request path.
 */
export interface Captured {
  requestId: string
  /** Real-time milliseconds. */
  at: number
  sandboxTime: number
  method: string
  url: string
  operation?: string
  status: number
  durationMs: number
  headers: IncomingHttpHeaders
  raw?: Buffer
  rawTruncated?: boolean
  params?: unknown
  query?: unknown
  body?: unknown
  responseHeaders: Record<string, unknown>
  payload?: string | Buffer
  verifiedMchid?: string
}

/** Bodies and the signed string are kept up to this many bytes. */
export const BODY_LIMIT = 16 * 1024

interface Doc {
  request: { headers: Record<string, string>; body: string; body_truncated?: true }
  response: { headers: Record<string, string>; body: string; body_truncated?: true }
  verification: {
    result: 'verified' | 'failed' | 'not_checked'
    message?: string
    issue?: string
    signed_message?: string
  }
  coupon_state?: string
}

const SECRET_HEADERS = new Set(['cookie', 'proxy-authorization'])
const RESPONSE_HEADERS = [
  'content-type',
  'request-id',
  'wechatpay-nonce',
  'wechatpay-serial',
  'wechatpay-signature',
  'wechatpay-timestamp',
]

export function toRecord(c: Captured, mchid: string): Omit<JournalRecord, 'seq'> {
  const responseText = text(c.payload)
  const failed = c.status >= 400 ? errorOf(responseText.value) : undefined
  const verification = verificationOf(c, failed)
  const path = pick(c.params)
  const body = pick(c.body)
  const query = pick(c.query)
  const couponCode = path.coupon_code ?? topLevel(responseText.value, 'coupon_code')
  const stockId = body.stock_id ?? query.stock_id ?? topLevel(responseText.value, 'stock_id')
  const outRequestNo = body.out_request_no ?? body.send_request_no
  const couponState = couponCode ? topLevel(responseText.value, 'coupon_state') : undefined
  const requestBody = c.raw ? c.raw.toString('utf8') : ''
  const doc: Doc = {
    request: {
      headers: requestHeaders(c.headers),
      body: requestBody,
      ...(c.rawTruncated ? { body_truncated: true as const } : {}),
    },
    response: {
      headers: responseHeaders(c.responseHeaders),
      body: responseText.value,
      ...(responseText.truncated ? { body_truncated: true as const } : {}),
    },
    verification,
    ...(couponState ? { coupon_state: couponState } : {}),
  }
  return {
    requestId: c.requestId,
    mchid,
    at: c.at,
    sandboxTime: c.sandboxTime,
    method: c.method,
    url: c.url,
    ...(c.operation === undefined ? {} : { operation: c.operation }),
    status: c.status,
    ...(failed?.code ? { code: failed.code } : {}),
    durationMs: c.durationMs,
    ...(stockId === undefined ? {} : { stockId }),
    ...(couponCode === undefined ? {} : { couponCode }),
    ...(outRequestNo === undefined ? {} : { outRequestNo }),
    verification: verification.result,
    doc: JSON.stringify(doc),
  }
}

/** The journal entry as GET /sandbox/requests answers it. */
export function journalView(r: JournalRecord) {
  const doc = JSON.parse(r.doc) as Doc
  return {
    request_id: r.requestId,
    seq: r.seq,
    time: new Date(r.at).toISOString(),
    sandbox_time: formatRfc3339(r.sandboxTime),
    method: r.method,
    url: r.url,
    ...(r.operation === undefined ? {} : { operation: r.operation }),
    ...(r.mchid === '' ? {} : { mchid: r.mchid }),
    status: r.status,
    ...(r.code === undefined ? {} : { code: r.code }),
    duration_ms: r.durationMs,
    ...(r.stockId === undefined ? {} : { stock_id: r.stockId }),
    ...(r.couponCode === undefined ? {} : { coupon_code: r.couponCode }),
    ...(r.outRequestNo === undefined ? {} : { out_request_no: r.outRequestNo }),
    ...(doc.coupon_state === undefined ? {} : { coupon_state: doc.coupon_state }),
    verification: doc.verification,
    request: doc.request,
    response: doc.response,
  }
}

/** The signature is shortened; any other scheme (a bearer token sent by mistake) is hidden. */
export function shortenAuthorization(value: string): string {
  const parsed = parseAuthorization(value)
  if (!parsed.ok) {
    const scheme = /^[A-Za-z0-9-]{1,40}(?= )/.exec(value)?.[0] ?? ''
    return `${scheme}${scheme ? ' ' : ''}[hidden, ${value.length} characters]`
  }
  const a = parsed.value
  const short = `${a.signature.slice(0, 6)}…(${a.signature.length} characters)`
  return `WECHATPAY2-SHA256-RSA2048 mchid="${a.mchid}",nonce_str="${a.nonceStr}",signature="${short}",timestamp="${a.timestamp}",serial_no="${a.serialNo}"`
}

function requestHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, raw] of Object.entries(h)) {
    if (raw === undefined) continue
    const value = Array.isArray(raw) ? raw.join(', ') : raw
    if (name === 'authorization') out[name] = shortenAuthorization(value)
    else if (SECRET_HEADERS.has(name)) out[name] = `[hidden, ${value.length} characters]`
    else out[name] = value.length > 1024 ? `${value.slice(0, 1024)}…` : value
  }
  return out
}

function responseHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of RESPONSE_HEADERS) {
    const v = h[name] ?? h[name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())]
    if (v !== undefined) out[name] = String(v)
  }
  return out
}

function verificationOf(c: Captured, failed: ErrorOf | undefined): Doc['verification'] {
  if (c.verifiedMchid !== undefined) return { result: 'verified' }
  if (failed?.code !== ERRORS.SIGN_ERROR_SIGNATURE.code) return { result: 'not_checked' }
  const out: Doc['verification'] = { result: 'failed' }
  if (failed.message) out.message = failed.message
  if (failed.issue) out.issue = failed.issue
  const parsed = parseAuthorization(firstHeader(c.headers.authorization))
  if (parsed.ok) {
    // The string this server verified the signature against, as WeChat Pay shows it.
    const signed = buildRequestMessage({
      method: c.method,
      url: c.url,
      timestamp: parsed.value.timestamp,
      nonce: parsed.value.nonceStr,
      body: c.raw ?? Buffer.alloc(0),
    }).toString('utf8')
    out.signed_message = signed.length > BODY_LIMIT ? `${signed.slice(0, BODY_LIMIT)}…` : signed
  }
  return out
}

export function claimedMchid(headers: IncomingHttpHeaders): string | undefined {
  const parsed = parseAuthorization(firstHeader(headers.authorization))
  return parsed.ok ? parsed.value.mchid : undefined
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

interface ErrorOf {
  code?: string
  message?: string
  issue?: string
}

function errorOf(body: string): ErrorOf | undefined {
  try {
    const e = JSON.parse(body) as {
      code?: unknown
      message?: unknown
      detail?: { issue?: unknown }
    }
    return {
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.message === 'string' ? { message: e.message } : {}),
      ...(typeof e.detail?.issue === 'string' ? { issue: e.detail.issue } : {}),
    }
  } catch {
    return undefined
  }
}

/** String members of a parsed path, query or body; nothing else is read from them. */
function pick(v: unknown): Record<string, string | undefined> {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return {}
  const out: Record<string, string | undefined> = {}
  for (const k of ['coupon_code', 'stock_id', 'out_request_no', 'send_request_no']) {
    const x = (v as Record<string, unknown>)[k]
    if (typeof x === 'string' && x.length <= 64) out[k] = x
  }
  return out
}

/**
 * A string member at the top of an answer, without parsing it whole: the user-coupon entity
 * names coupon_code, stock_id and coupon_state before its nested objects.
 */
function topLevel(body: string, name: string): string | undefined {
  if (!body.startsWith('{')) return undefined
  const m = new RegExp(`^\\{[^{]*?"${name}":"([^"\\\\]{1,64})"`).exec(body)
  return m?.[1]
}

function text(payload: string | Buffer | undefined): { value: string; truncated: boolean } {
  const s = payload === undefined ? '' : typeof payload === 'string' ? payload : payload.toString()
  return s.length > BODY_LIMIT
    ? { value: s.slice(0, BODY_LIMIT), truncated: true }
    : { value: s, truncated: false }
}
