import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  ApiError,
  ApiServerError,
  AuthenticationError,
  ConnectionError,
  DEFAULT_RETRY_OPTIONS,
  InvalidRequestError,
  NotFoundError,
  ParamError,
  PermissionError,
  RateLimitError,
  type RetryOptions,
  retryDelayMs,
  SignatureVerificationError,
  shouldRetry,
} from '../index.ts'
import { resolveRetryOptions } from './retry.ts'

const opts: RetryOptions = { ...DEFAULT_RETRY_OPTIONS }
const e = { message: 'x' }

test('defaults are 2 retries, 1 s initial delay, 8 s cap', () => {
  assert.deepEqual(resolveRetryOptions(), { maxRetries: 2, initialDelayMs: 1000, maxDelayMs: 8000 })
  assert.deepEqual(resolveRetryOptions({ maxRetries: 0 }), { ...opts, maxRetries: 0 })
})

test('only rate limits, server errors and connection failures are retried', () => {
  for (const err of [new RateLimitError(e), new ApiServerError(e), new ConnectionError(e)]) {
    assert.equal(shouldRetry(err, 0, opts), true, err.name)
  }
  for (const err of [
    new ParamError(e),
    new InvalidRequestError(e),
    new AuthenticationError(e),
    new PermissionError(e),
    new NotFoundError(e),
    new ApiError(e),
    new SignatureVerificationError({ ...e, reason: 'bad_signature' }),
    new TypeError('x'),
    'string',
    undefined,
  ]) {
    assert.equal(shouldRetry(err, 0, opts), false, String(err))
  }
})

test('retries stop at maxRetries; 0 turns them off', () => {
  const err = new ApiServerError(e)
  assert.equal(shouldRetry(err, 1, opts), true)
  assert.equal(shouldRetry(err, 2, opts), false)
  assert.equal(shouldRetry(err, 0, { ...opts, maxRetries: 0 }), false)
})

test('nominal delays follow 1 s → 2 s → 4 s → 8 s and stay capped', () => {
  const top = () => 1
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10, 100, 5000].map((a) => retryDelayMs(a, opts, top)),
    [1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000],
  )
})

test('jitter spans half to all of the nominal delay', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((a) => retryDelayMs(a, opts, () => 0)),
    [500, 1000, 2000, 4000],
  )
  assert.equal(
    retryDelayMs(1, opts, () => 0.5),
    1500,
  )
})

test('the floor of initialDelayMs / 2 holds even with a cap below the initial delay', () => {
  const odd = { maxRetries: 3, initialDelayMs: 1000, maxDelayMs: 200 }
  assert.equal(
    retryDelayMs(0, odd, () => 0),
    500,
  )
  assert.equal(
    retryDelayMs(5, odd, () => 1),
    500,
  )
})

test('a misbehaving random source cannot escape the band', () => {
  for (const r of [Number.NaN, -3, 7, Number.POSITIVE_INFINITY]) {
    const d = retryDelayMs(2, opts, () => r)
    assert.ok(d >= 2000 && d <= 4000, `${r} → ${d}`)
  }
})

test('every delay is an integer within [max(initial/2, nominal/2), max(nominal, initial/2)]', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: 1000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.nat({ max: 60_000 }),
      fc.nat({ max: 120_000 }),
      (attempt, r, initialDelayMs, maxDelayMs) => {
        const o = { maxRetries: 5, initialDelayMs, maxDelayMs }
        const nominal = Math.min(initialDelayMs * 2 ** Math.min(attempt, 52), maxDelayMs)
        const d = retryDelayMs(attempt, o, () => r)
        assert.ok(Number.isInteger(d))
        assert.ok(d >= Math.floor(Math.max(initialDelayMs / 2, nominal / 2)), `${d} too small`)
        assert.ok(d <= Math.ceil(Math.max(nominal, initialDelayMs / 2)), `${d} too large`)
      },
    ),
  )
})
