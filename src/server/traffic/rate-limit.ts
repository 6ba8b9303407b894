import type { Store } from '../../store/store.ts'

/**
 * Interface rate limits (protocol §7, Q17): a token bucket per (operation, brand or partner).
 * In memory, per server process; time is real time, injected for tests.
 */
export interface Limit {
  limit: number
  perSeconds: number
}

/** §7: user-coupon operations 500/s, create 1000/min (seed era), management 20/s. */
export const DEFAULT_LIMITS: Readonly<Record<string, Limit>> = Object.freeze({
  create_product_coupon: { limit: 1000, perSeconds: 60 },
  send: { limit: 500, perSeconds: 1 },
  confirm: { limit: 500, perSeconds: 1 },
  use: { limit: 500, perSeconds: 1 },
  get_user_coupon: { limit: 500, perSeconds: 1 },
  list_user_coupons: { limit: 500, perSeconds: 1 },
  deactivate: { limit: 500, perSeconds: 1 },
  return: { limit: 500, perSeconds: 1 },
})
const MANAGEMENT: Limit = { limit: 20, perSeconds: 1 }

export class RateLimiter implements Limiter {
  readonly #limits: Readonly<Record<string, Limit>>
  readonly #nowMs: () => number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  constructor(overrides: Readonly<Record<string, Limit>> = {}, nowMs: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LIMITS, ...overrides }
    this.#nowMs = nowMs
  }

  limitOf(operation: string): Limit {
    return this.#limits[operation] ?? MANAGEMENT
  }

  /** Takes one token; false when the caller is over the limit (nothing else happens then). */
  take(operation: string, subject: string): boolean {
    const { limit, perSeconds } = this.limitOf(operation)
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
  take(operation: string, subject: string): boolean | Promise<boolean>
}

/**
 * The same limits shared by every instance on one database: a fixed-window counter per
 * (operation, subject) in the store. Chosen over Redis to add no infrastructure; each call costs
 * one small upsert. Old windows are pruned now and then.
 */
export class SharedRateLimiter implements Limiter {
  readonly #local: RateLimiter
  readonly #store: Store
  readonly #nowMs: () => number
  #calls = 0

  constructor(store: Store, overrides: Readonly<Record<string, Limit>> = {}, nowMs = Date.now) {
    this.#local = new RateLimiter(overrides, nowMs)
    this.#store = store
    this.#nowMs = nowMs
  }

  async take(operation: string, subject: string): Promise<boolean> {
    const { limit, perSeconds } = this.#local.limitOf(operation)
    const windowMs = perSeconds * 1000
    const now = this.#nowMs()
    const windowStart = Math.floor(now / windowMs) * windowMs
    const count = await this.#store.transaction(async (tx) => {
      if (++this.#calls % 1000 === 0) await tx.pruneCounters(now - 2 * 3600_000)
      return tx.bumpCounter(`${operation}\n${subject}`, windowStart)
    })
    return count <= limit
  }
}
