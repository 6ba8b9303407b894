import type { Kysely } from 'kysely'
import type { Dialect } from './dialect.ts'
import { migrateToLatest } from './migrations/index.ts'
import { CounterQueries } from './queries/counters.ts'
import { queries } from './queries/index.ts'
import type { Database } from './schema.ts'
import { type Store, StoreConflict, type StoreTx } from './store.ts'

/** What a Store says of itself (store.ts), as each dialect answers it. */
export type StoreCapabilities = Pick<
  Store,
  'sharedByInstances' | 'ownedByOneServer' | 'label' | 'reportName'
>

/**
 * The Store shell shared by both databases: the queries (queries/) over the pool for reads and
 * over one connection per transaction, the rate counters over the pool (each one statement
 * committed alone), and the retry of a transaction that lost a race. A dialect supplies what
 * differs (dialect.ts) and how a transaction is opened.
 */
export function kyselyStore(p: {
  db: Kysely<Database>
  dialect: Dialect
  capabilities: StoreCapabilities
  inTransaction: <T>(fn: (db: Kysely<Database>) => Promise<T>) => Promise<T>
  close: () => Promise<void>
  maxAttempts?: number
  unitsOfWork?: Store['unitsOfWork']
}): Store {
  const maxAttempts = p.maxAttempts ?? 5
  const counters = new CounterQueries(p.db, p.dialect)
  return {
    ...p.capabilities,
    read: queries(p.db, p.dialect),
    migrate: () => migrateToLatest(p.db),
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await p.inTransaction((db) => fn(queries(db, p.dialect)))
        } catch (e) {
          const retry = e instanceof StoreConflict || p.dialect.isTransient(e)
          if (!retry || attempt >= maxAttempts) throw e
        }
      }
    },
    bumpCounter: (key, windowStart) => counters.bumpCounter(key, windowStart),
    pruneCounters: (before) => counters.pruneCounters(before),
    close: p.close,
    ...(p.unitsOfWork ? { unitsOfWork: p.unitsOfWork } : {}),
  }
}
