import { ApiServerError, ConnectionError, RateLimitError } from './errors.ts'

/**
 * Retry policy, kept pure so it can be tested without a clock.
 *
 * WeChat Pay's advice for 429 RATELIMIT_EXCEEDED and 500 SYSTEM_ERROR is to back off
 * exponentially, 1 s → 2 s → 4 s, and to retry with the *same* parameters (protocol §7, §8):
 * the request number (`out_request_no` / `send_request_no`) makes the retry idempotent on the
 * server, so resending after a lost answer cannot issue or redeem a coupon twice.
 */
export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. Default 2. */
  maxRetries: number
  /** Nominal delay before the first retry, doubled for each later one. Default 1000. */
  initialDelayMs: number
  /** Upper bound of the nominal delay. Default 8000. */
  maxDelayMs: number
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 2,
  initialDelayMs: 1000,
  maxDelayMs: 8000,
})

/** Fills in defaults and rejects values that would make the loop spin or never end. */
export function resolveRetryOptions(partial: Partial<RetryOptions> = {}): RetryOptions {
  const opts = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(partial) }
  for (const key of ['maxRetries', 'initialDelayMs', 'maxDelayMs'] as const) {
    const v = opts[key]
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new TypeError(`retry.${key} must be a non-negative integer`)
    }
  }
  return opts
}

function definedOnly(partial: Partial<RetryOptions>): Partial<RetryOptions> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined))
}

/**
 * Whether to retry after a failed attempt. `attempt` counts the retries already made (0 after
 * the first failure). Only failures that say nothing about the request itself are retried:
 * rate limiting, server errors, and no answer at all. Any other 4xx would fail the same way
 * again, and a 2xx that fails signature verification was processed by *someone*, so repeating
 * it hides an attack or a misconfiguration instead of surfacing it.
 */
export function shouldRetry(err: unknown, attempt: number, opts: RetryOptions): boolean {
  if (attempt >= opts.maxRetries) return false
  return (
    err instanceof RateLimitError || err instanceof ApiServerError || err instanceof ConnectionError
  )
}

/**
 * Delay before retry number `attempt` (0-based): nominal = initial × 2^attempt capped at
 * maxDelayMs, then "equal jitter" — uniformly within [½ × nominal, nominal] — so many clients
 * throttled at the same moment do not come back in lockstep, while each still waits at least
 * half of what WeChat recommends. The floor of initialDelayMs / 2 holds even when maxDelayMs is
 * configured below initialDelayMs, so a retry never hammers the server immediately.
 */
export function retryDelayMs(attempt: number, opts: RetryOptions, random: () => number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52)
  const nominal = Math.min(opts.initialDelayMs * 2 ** exponent, opts.maxDelayMs)
  const r = random()
  // A misbehaving injected random must not produce NaN or a delay outside the documented band.
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 1
  const jittered = nominal * (0.5 + 0.5 * unit)
  return Math.round(Math.max(jittered, opts.initialDelayMs / 2))
}

/** What both clients give `sendWithRetries`: where they are and how they retry. */
export interface RetryingTransport {
  origin: string
  basePath: string
  retry: RetryOptions
  sleep: (ms: number) => Promise<void>
  random: () => number
  onRetry:
    | ((event: {
        method: string
        target: string
        retry: number
        delayMs: number
        error: unknown
      }) => void)
    | undefined
}

/**
 * One call of either client (partner or brand): the request-target checked to be what will be
 * signed and sent (URL parsing must not alter it), then `attempt` until it succeeds or the
 * retry policy gives up; each attempt signs afresh (new timestamp and nonce).
 */
export async function sendWithRetries<T>(
  o: RetryingTransport,
  method: string,
  pathAndQuery: string,
  attempt: (url: string, target: string) => Promise<unknown>,
): Promise<T> {
  if (!pathAndQuery.startsWith('/')) throw new TypeError('pathAndQuery must start with "/"')
  const target = o.basePath + pathAndQuery
  const url = o.origin + target
  const parsed = new URL(url)
  if (parsed.pathname + parsed.search !== target) {
    throw new TypeError('pathAndQuery is not in canonical form; URL parsing would alter it')
  }
  for (let n = 0; ; n++) {
    try {
      return (await attempt(url, target)) as T
    } catch (err) {
      if (!shouldRetry(err, n, o.retry)) throw err
      const delayMs = retryDelayMs(n, o.retry, o.random)
      o.onRetry?.({ method, target, retry: n + 1, delayMs, error: err })
      await o.sleep(delayMs)
    }
  }
}
