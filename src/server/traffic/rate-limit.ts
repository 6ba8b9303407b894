import { type ApiOperationName, apiOperation, type RateLimit } from '@wxcoupon/sdk/schemas'
import type { Store } from '../../store/store.ts'

/**
 * Interface rate limits: a token bucket per (operation, brand or partner), at the limit the
 * operation table gives each operation unless the settings override it. In memory, per server
 * process; time is real time, injected for tests.
 */
export type Limit = RateLimit
type Overrides = Readonly<Partial<Record<ApiOperationName, Limit>>>

export class RateLimiter implements Limiter {
  readonly #overrides: Overrides
  readonly #nowMs: () => number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  constructor(overrides: Overrides = {}, nowMs: () => number = Date.now) {
    this.#overrides = overrides
    this.#nowMs = nowMs
  }

  /** A settings override, else the caller's revision's limit (`revised`), else the table's. */
  limitOf(operation: ApiOperationName, revised?: Limit): Limit {
    return this.#overrides[operation] ?? revised ?? apiOperation(operation).rateLimit
  }

  /** Takes one token; false when the caller is over the limit (nothing else happens then). */
  take(operation: ApiOperationName, subject: string, revised?: Limit): boolean {
    const { limit, perSeconds } = this.limitOf(operation, revised)
    const key = `${operation}\n${subject}`
    const now = this.#nowMs()
    const rate = limit / (perSeconds * 1000)
    const b = this.#buckets.get(key) ?? { tokens: limit, at: now }
    const tokens = Math.min(limit, b.tokens + (now - b.at) * rate)
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now })
      return false
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now })
    return true
  }
}

export interface Limiter {
  take(operation: ApiOperationName, subject: string, revised?: Limit): boolean | Promise<boolean>
}

/**
 * The same limits shared by every instance on one database: a fixed-window counter per
 * (operation, subject) in the store. Chosen over Redis to add no infrastructure; each call costs
 * one small upsert, committed alone (no transaction around it). Old windows are pruned now and
 * then.
 */
export class SharedRateLimiter implements Limiter {
  readonly #local: RateLimiter
  readonly #store: Store
  readonly #nowMs: () => number
  #calls = 0

  constructor(store: Store, overrides: Overrides = {}, nowMs = Date.now) {
    this.#local = new RateLimiter(overrides, nowMs)
    this.#store = store
    this.#nowMs = nowMs
  }

  async take(operation: ApiOperationName, subject: string, revised?: Limit): Promise<boolean> {
    const { limit, perSeconds } = this.#local.limitOf(operation, revised)
    const windowMs = perSeconds * 1000
    const now = this.#nowMs()
    const windowStart = Math.floor(now / windowMs) * windowMs
    if (++this.#calls % 1000 === 0) await this.#store.pruneCounters(now - 2 * 3600_000)
    const count = await this.#store.bumpCounter(`${operation}\n${subject}`, windowStart)
    return count <= limit
  }
}
