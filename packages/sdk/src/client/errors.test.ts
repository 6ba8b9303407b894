import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  ApiError,
  ApiServerError,
  AuthenticationError,
  ConnectionError,
  errorFromResponse,
  InvalidRequestError,
  NotFoundError,
  ParamError,
  PermissionError,
  RateLimitError,
  SignatureVerificationError,
  WxPayError,
} from '../index.ts'

const json = (code: string, message = '参数错误') => JSON.stringify({ code, message })

test('status and code select the class', () => {
  const cases: [number, string, new (...a: never[]) => ApiError][] = [
    [400, 'PARAM_ERROR', ParamError],
    [400, 'INVALID_REQUEST', InvalidRequestError],
    [400, 'ALREADY_EXISTS', InvalidRequestError],
    [400, 'SOMETHING_NEW', InvalidRequestError],
    [401, 'SIGN_ERROR', AuthenticationError],
    [403, 'NO_AUTH', PermissionError],
    [404, 'NOT_FOUND', NotFoundError],
    [429, 'RATELIMIT_EXCEEDED', RateLimitError],
    [500, 'SYSTEM_ERROR', ApiServerError],
    [503, 'SERVICE_UNAVAILABLE', ApiServerError],
    [409, 'CONFLICT', ApiError],
    [302, 'FOUND', ApiError],
  ]
  for (const [status, code, cls] of cases) {
    const err = errorFromResponse(status, json(code), {})
    assert.equal(err.constructor, cls, `${status} ${code}`)
    assert.equal(err.name, cls.name)
    assert.ok(err instanceof ApiError && err instanceof WxPayError && err instanceof Error)
  }
})

test('the message is "code: message" and detail, Request-ID and headers are kept', () => {
  const body = JSON.stringify({
    code: 'PARAM_ERROR',
    message: '参数错误',
    detail: { field: '/stock_id', location: 'body' },
  })
  const err = errorFromResponse(400, body, { 'Request-ID': 'ABC-268578224', 'X-Other': '1' })
  assert.equal(err.message, 'PARAM_ERROR: 参数错误')
  assert.equal(err.status, 400)
  assert.equal(err.code, 'PARAM_ERROR')
  assert.deepEqual(err.detail, { field: '/stock_id', location: 'body' })
  assert.equal(err.requestId, 'ABC-268578224')
  assert.deepEqual(err.headers, { 'request-id': 'ABC-268578224', 'x-other': '1' })
  assert.equal(err.raw, body)
})

test('accepts a Headers instance', () => {
  const err = errorFromResponse(404, json('NOT_FOUND'), new Headers({ 'Request-Id': 'R1' }))
  assert.equal(err.requestId, 'R1')
})

test('bodies that are not an error object never throw and fall back to the status text', () => {
  for (const body of ['', '<html>oops</html>', '[1,2]', 'null', '"text"', '{"code":42}', '{']) {
    const err = errorFromResponse(502, body, {})
    assert.ok(err instanceof ApiServerError)
    assert.equal(err.code, undefined)
    assert.equal(err.message, 'HTTP 502: Bad Gateway')
    assert.equal(err.raw, body)
    assert.equal('detail' in err, false)
    assert.equal('requestId' in err, false)
  }
  assert.equal(errorFromResponse(599, '', {}).message, 'HTTP 599: Unknown Status')
  assert.equal(
    errorFromResponse(400, '{"code":"PARAM_ERROR"}', {}).message,
    'PARAM_ERROR: Bad Request',
  )
})

test('connection and signature errors are WxPayErrors but not ApiErrors', () => {
  const cause = new Error('socket hang up')
  const conn = new ConnectionError({ message: 'failed', cause })
  assert.ok(conn instanceof WxPayError)
  assert.ok(!(conn instanceof ApiError))
  assert.equal(conn.cause, cause)
  assert.equal(conn.name, 'ConnectionError')
  const sig = new SignatureVerificationError({
    message: 'bad',
    reason: 'bad_signature',
    status: 200,
  })
  assert.ok(sig instanceof WxPayError)
  assert.ok(!(sig instanceof ApiError))
  assert.equal(sig.reason, 'bad_signature')
  assert.equal(sig.status, 200)
  assert.match(String(sig.stack), /^SignatureVerificationError: bad/)
})
