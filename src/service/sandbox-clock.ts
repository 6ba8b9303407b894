import { wxError } from '../domain/errors.ts'
import type { Clock } from '../domain/time.ts'
import { parseRfc3339, toSeconds } from '../domain/time.ts'
import type { Store } from '../store/store.ts'

const OFFSET_KEY = 'clock_offset_ms'

/**
 * The stored offset, `<ms>` or `<ms>@<epoch>`: a reset back to real time starts a new epoch,
 * the one move that may go backwards, so processes that saw a larger offset take it too.
 */
function parseOffset(raw: string | undefined): { offsetMs: number; epoch: number } {
  const [ms, epoch] = (raw ?? '0').split('@')
  return { offsetMs: Number(ms), epoch: Number(epoch ?? 0) }
}

/**
 * Business time: real time plus an offset that only grows. It starts at real time on first
 * start, runs at real speed, and its offset is persisted so it survives restarts. The protocol
 * layer (request timestamps, response signatures) never reads it. When several processes share
 * the database (`shared`), each request first reloads the offset, so a move made through one
 * instance is seen by the next request to any other.
 */
export class SandboxClock implements Clock {
  #offsetMs: number
  #epoch = 0
  readonly #store: Store
  readonly #real: () => number
  readonly shared: boolean

  private constructor(store: Store, offsetMs: number, real: () => number, shared: boolean) {
    this.#store = store
    this.#offsetMs = offsetMs
    this.#real = real
    this.shared = shared
  }

  static async load(
    store: Store,
    opts: { real?: () => number; shared?: boolean } = {},
  ): Promise<SandboxClock> {
    const clock = new SandboxClock(store, 0, opts.real ?? Date.now, opts.shared ?? false)
    await clock.refresh()
    return clock
  }

  /** Reloads the offset from the store; it never moves backwards. */
  async refresh(): Promise<void> {
    const stored = parseOffset(await this.#store.read.getMeta(OFFSET_KEY))
    if (stored.epoch > this.#epoch) {
      this.#epoch = stored.epoch
      this.#offsetMs = stored.offsetMs
    } else if (stored.epoch === this.#epoch && stored.offsetMs > this.#offsetMs) {
      this.#offsetMs = stored.offsetMs
    }
  }

  /** Back to real time (a sandbox reset that asks for it): the one move backwards. */
  async resetToRealTime(): Promise<void> {
    const next = await this.#store.transaction(async (tx) => {
      await tx.lockNamed('wxcoupon-clock')
      const stored = parseOffset(await tx.getMeta(OFFSET_KEY))
      const epoch = Math.max(stored.epoch, this.#epoch) + 1
      await tx.setMeta(OFFSET_KEY, `0@${epoch}`)
      return epoch
    })
    this.#epoch = next
    this.#offsetMs = 0
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
    await this.#move((current) => current + seconds * 1000)
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
    await this.#move((current) => {
      if (target * 1000 < this.#real() + current - 999) {
        throw wxError('SANDBOX_CLOCK_BACKWARDS', {
          field: '/now',
          issue: 'must not be earlier than the current sandbox time',
        })
      }
      return Math.max(current, target * 1000 - this.#real())
    })
  }

  /** Read-modify-write of the offset under a named lock: concurrent moves add up. */
  async #move(next: (currentOffsetMs: number) => number): Promise<void> {
    this.#offsetMs = await this.#store.transaction(async (tx) => {
      await tx.lockNamed('wxcoupon-clock')
      const stored = parseOffset(await tx.getMeta(OFFSET_KEY))
      const current =
        stored.epoch > this.#epoch ? stored.offsetMs : Math.max(this.#offsetMs, stored.offsetMs)
      const offset = next(current)
      this.#epoch = Math.max(this.#epoch, stored.epoch)
      await tx.setMeta(OFFSET_KEY, this.#epoch ? `${offset}@${this.#epoch}` : String(offset))
      return offset
    })
  }
}
