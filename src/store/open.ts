import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openPostgresStore } from './postgres.ts'
import { openSqliteStore } from './sqlite.ts'
import type { Store } from './store.ts'

/** Where the data lives: PostgreSQL when a URL is given, else SQLite in the data dir. */
export type StoreLocation =
  | { databaseUrl: string; dataDir?: string }
  | { databaseUrl?: string | undefined; dataDir: string }

export interface OpenStoreOptions {
  /**
   * A process that serves (and so commits all day): SQLite checkpoints its WAL in a thread of
   * its own (sqlite-checkpointer.ts) instead of inside the commit that fills it.
   */
  serving?: boolean
  /** PostgreSQL connections at most (default 10); a one-at-a-time tool takes few. */
  poolSize?: number
}

/** The one place that chooses the database. SQLite creates the data dir if it is missing. */
export function openStore(at: StoreLocation & OpenStoreOptions): Store {
  if (at.databaseUrl) return openPostgresStore(at.databaseUrl, at.poolSize)
  if (at.dataDir === undefined) throw new Error('a store needs a database URL or a data dir')
  mkdirSync(at.dataDir, { recursive: true, mode: 0o700 })
  return openSqliteStore(
    join(at.dataDir, 'wxcoupon.db'),
    at.serving ? { checkpoints: 'background' } : {},
  )
}
