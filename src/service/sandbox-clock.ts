import { wxError } from '../domain/errors.ts'
import type { Clock } from '../domain/time.ts'
import { parseRfc3339, toSeconds } from '../domain/time.ts'
import type { Store } from '../store/store.ts'

const OFFSET_KEY = 'clock_offset_ms'

/**
 * Business time: real time plus an offset that only grows. It starts at real time on first
 * start, runs at real speed, and its offset is persisted so it survives restarts. The protocol
 * layer (request timestamps, response signatures) never reads it.
 */
export class SandboxClock implements Clock {
  #offsetMs: number
  readonly #store: Store
  readonly #real: () => number

  private constructor(store: Store, offsetMs: number, real: () => number) {
    this.#store = store
    this.#offsetMs = offsetMs
    this.#real = real
  }

  static async load(store: Store, real: () => number = Date.now): Promise<SandboxClock> {
    const stored = await store.read.getMeta(OFFSET_KEY)
    return new SandboxClock(store, stored === undefined ? 0 : Number(stored), real)
  }

  now(): number {
    return this.#real() + this.#offsetMs
  }

  /** Business time in whole seconds, as the domain uses it. */
  seconds(): number {
    return toSeconds(this.now())
  }

  async advance(seconds: number): Promise<void> {
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw wxError('SANDBOX_CLOCK_BACKWARDS', {
        field: '/advance_seconds',
        issue: 'must be a non-negative integer',
      })
    }
    await this.#setOffset(this.#offsetMs + seconds * 1000)
  }

  async setNow(rfc3339: string): Promise<void> {
    const target = parseRfc3339(rfc3339)
    if (target === undefined) {
      throw wxError('PARAM_ERROR', {
        field: '/now',
        value: rfc3339,
        issue: 'must be an RFC 3339 time',
      })
    }
    const targetMs = target * 1000
    if (targetMs < this.now() - 999) {
      throw wxError('SANDBOX_CLOCK_BACKWARDS', {
        field: '/now',
        issue: 'must not be earlier than the current sandbox time',
      })
    }
    await this.#setOffset(Math.max(this.#offsetMs, targetMs - this.#real()))
  }

  async #setOffset(offsetMs: number): Promise<void> {
    await this.#store.transaction((tx) => tx.setMeta(OFFSET_KEY, String(offsetMs)))
    this.#offsetMs = offsetMs
  }
}
