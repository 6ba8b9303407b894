import { formatRequestId } from '@wxcoupon/sdk/protocol'
import type { ErrorBody } from '@wxcoupon/sdk/schemas'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorDetail, isWxError, type WxError, wxError } from '../domain/errors.ts'

/**
 * Every failure leaves in WeChat's envelope `{code, message, detail?}` (spec §5.1). Only
 * catalogue errors are shown as they are; anything else is logged and answered SYSTEM_ERROR,
 * so no stack trace, SQL or path can reach a client.
 */

const LOCATIONS: Record<string, ErrorDetail['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

interface SchemaIssue {
  instancePath?: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
}

/** The first schema violation, named the way §5.1 names fields. */
function fromValidation(issues: SchemaIssue[], context: string | undefined): WxError {
  const first = issues[0] ?? {}
  const location = LOCATIONS[context ?? 'body'] ?? 'body'
  let pointer = first.instancePath ?? ''
  const missing = first.params?.requiredProperties
  if (first.keyword === 'required' && Array.isArray(missing) && missing.length > 0) {
    pointer = `${pointer}/${String(missing[0])}`
  }
  const field = location === 'body' ? pointer : pointer.replace(/^\//, '')
  const issue =
    first.keyword === 'required' ? 'is required' : (first.message ?? 'is invalid').slice(0, 200)
  return wxError('PARAM_ERROR', { field, issue, location })
}

/** Maps anything thrown on the request path to a catalogue error. */
export function toWxError(e: unknown): WxError {
  if (isWxError(e)) return e
  const fe = e as Partial<FastifyError> & { validation?: SchemaIssue[] }
  if (Array.isArray(fe.validation)) return fromValidation(fe.validation, fe.validationContext)
  // Fastify's own 4xx (body too large, bad Content-Length, …): the HTTP request is malformed.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return wxError('INVALID_HTTP_REQUEST', { issue: httpIssue(fe.code) })
  }
  return wxError('SYSTEM_ERROR')
}

function httpIssue(code: string | undefined): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is too large'
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'Content-Length does not match the body'
    case 'FST_ERR_BAD_URL':
      return 'the path is not valid percent-encoding'
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path parameter is too long'
    default:
      return 'malformed HTTP request'
  }
}

export function errorBody(e: WxError): ErrorBody {
  const body: ErrorBody = { code: e.entry.code, message: e.entry.message }
  if (e.detail) body.detail = sanitizeDetail(e.detail)
  return body
}

/**
 * Echo short primitive values only; never objects or long strings from the request. The one
 * exception is a failed signature, answered as WeChat Pay answers it (keys in its order): what
 * the server signed, so a developer can diff it against what the client signed.
 */
function sanitizeDetail(d: ErrorDetail): Record<string, unknown> {
  if (d.signInformation) {
    const i = d.signInformation
    return {
      detail: { issue: d.issue ?? 'sign not match' },
      field: d.field ?? 'signature',
      location: d.location ?? 'authorization',
      sign_information: {
        method: i.method,
        sign_message_length: i.sign_message_length,
        truncated_sign_message: i.truncated_sign_message,
        url: i.url,
      },
    }
  }
  const out: Record<string, unknown> = {}
  if (d.field !== undefined) out.field = d.field
  if (typeof d.value === 'number' || typeof d.value === 'boolean') out.value = d.value
  if (typeof d.value === 'string' && d.value.length <= 64) out.value = d.value
  if (d.issue !== undefined) out.issue = d.issue
  if (d.location !== undefined) out.location = d.location
  return out
}

export function sendError(reply: FastifyReply, e: WxError): FastifyReply {
  reply.wxNumeric = e.entry.numeric
  reply.wxCode = e.entry.code
  return reply.code(e.entry.status).type('application/json; charset=utf-8').send(errorBody(e))
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const wx = toWxError(error)
    // A catalogue error thrown on purpose (an injected fault) is an answer, not a failure.
    if (wx.entry.status >= 500 && !isWxError(error)) {
      // The Request-ID the client will see, so its report can be matched with this line.
      const requestId = formatRequestId(request.id, wx.entry.numeric)
      request.log.error(
        { err: error, request_id: requestId, code: wx.entry.code },
        'request failed',
      )
    }
    return sendError(reply, wx)
  })
  app.setNotFoundHandler((_request, reply) => sendError(reply, wxError('NOT_FOUND_ROUTE')))
}

declare module 'fastify' {
  interface FastifyReply {
    /** Numeric WeChat error code appended to Request-ID on failures (spec §6). */
    wxNumeric?: number
    /** The error code of a failure, for the request log. */
    wxCode?: string
  }
}
