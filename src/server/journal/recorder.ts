import { setImmediate as turn } from 'node:timers/promises'
import type { JournalRecord, Store } from '../../store/store.ts'
import { type Captured, claimedMchid, toRecord } from './entry.ts'

/**
 * The request journal's writer. A request only pushes what it captured onto an in-memory queue
 * (after its response has been sent); the queue is written in batches, each one transaction of
 * its own, outside every request's. Bounded: at most `maxPending` entries wait in memory (more
 * are dropped and counted), and each tenant keeps its newest `keepPerTenant` entries on disk.
 */
export interface JournalOptions {
  store: Store
  /** Entries kept per tenant (partner); the oldest are pruned. 0 turns the journal off. */
  keepPerTenant: number
  /** How long an entry may wait before its batch is written. */
  flushMs?: number
  /** A batch this large is written at once. */
  batchSize?: number
  maxPending?: number
  /** Asks every other process serving this database to write what it holds (cluster workers). */
  flushPeers?: () => Promise<void>
  /** Where a failed write is reported (the server's logger). */
  warn?: (message: string, err?: unknown) => void
}

export const DEFAULT_JOURNAL_SIZE = 10_000

/** Entries per transaction: about a millisecond of writing. */
const SLICE = 32

export class RequestJournal {
  readonly keepPerTenant: number
  readonly #o: Required<Omit<JournalOptions, 'flushPeers' | 'warn'>> &
    Pick<JournalOptions, 'flushPeers'>
  /** Where a failed write is reported; the server sets it once its logger exists. */
  warn: ((message: string, err?: unknown) => void) | undefined
  #pending: Captured[] = []
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> | undefined
  readonly #sincePrune = new Map<string, number>()
  readonly #knownPartners = new Set<string>()
  /** Entries dropped because the queue was full or their batch failed to write. */
  dropped = 0

  constructor(o: JournalOptions) {
    this.keepPerTenant = o.keepPerTenant
    this.#o = { flushMs: 200, batchSize: 250, maxPending: 2_000, ...o }
    this.warn = o.warn
  }

  get enabled(): boolean {
    return this.keepPerTenant > 0
  }

  /** Called once per answered request; never waits and never throws. */
  record(c: Captured): void {
    if (this.#pending.length >= this.#o.maxPending) {
      this.dropped++
      return
    }
    this.#pending.push(c)
    if (this.#pending.length >= this.#o.batchSize) void this.flush()
    else this.#timer ??= setTimeout(() => void this.flush(), this.#o.flushMs).unref()
  }

  /** Writes everything captured so far; resolves when it is in the database. */
  async flush(): Promise<void> {
    for (let w = this.#writing; w; w = this.#writing) await w
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined
    })
    await this.#writing
  }

  /** This process's entries and, through `flushPeers`, every other worker's. */
  async flushAll(): Promise<void> {
    await Promise.all([this.flush(), this.#o.flushPeers?.()])
  }

  /**
   * A batch goes in as several short transactions with a turn of the event loop between them:
   * each one holds the loop (and SQLite's write lock) for about a millisecond, so the requests
   * arriving meanwhile are not held up behind a whole batch. Pruning goes the same way.
   */
  async #write(batch: Captured[]): Promise<void> {
    const store = this.#o.store
    let written = 0
    try {
      const keep = this.keepPerTenant
      const threshold = Math.max(50, Math.ceil(keep / 20))
      const prune: string[] = []
      for (let i = 0; i < batch.length; i += SLICE) {
        if (i > 0) await turn()
        const records: Omit<JournalRecord, 'seq'>[] = []
        for (const c of batch.slice(i, i + SLICE))
          records.push(toRecord(c, await this.#partnerOf(c)))
        await store.transaction((tx) => tx.insertJournal(records))
        written += records.length
        for (const r of records) {
          const n = (this.#sincePrune.get(r.mchid) ?? 0) + 1
          this.#sincePrune.set(r.mchid, n)
          if (n === threshold) prune.push(r.mchid)
        }
      }
      for (const mchid of prune) {
        let deleted: number
        do {
          await turn()
          deleted = await store.transaction((tx) => tx.pruneJournal(mchid, keep, SLICE * 2))
        } while (deleted === SLICE * 2)
        this.#sincePrune.set(mchid, 0)
      }
    } catch (err) {
      const lost = batch.length - written
      this.dropped += lost
      this.warn?.(
        lost > 0
          ? `request journal: ${lost} entries could not be written`
          : 'request journal: old entries could not be pruned',
        err,
      )
    }
  }

  /**
   * The tenant an entry belongs to: the verified partner, or the partner a failed signature
   * named when that partner exists. Anything else shares one bucket, so made-up merchant ids
   * cannot grow the journal without bound.
   */
  async #partnerOf(c: Captured): Promise<string> {
    if (c.verifiedMchid !== undefined) return c.verifiedMchid
    const claimed = claimedMchid(c.headers)
    if (claimed === undefined) return ''
    if (this.#knownPartners.has(claimed)) return claimed
    if (!(await this.#o.store.read.getPartner(claimed))) return ''
    this.#knownPartners.add(claimed)
    return claimed
  }

  /** Drops what waits (sandbox reset: the journal starts again). */
  discardPending(): void {
    this.#pending = []
    this.#sincePrune.clear()
  }

  async close(): Promise<void> {
    await this.flush()
  }
}
