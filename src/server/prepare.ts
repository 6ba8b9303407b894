import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { RandomBytes } from '../protocol/nonce.ts'
import { bootstrap } from '../service/bootstrap.ts'
import { openPostgresStore } from '../store/postgres.ts'
import { openSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/store.ts'
import { SharedFaultRegistry } from './traffic/shared-faults.ts'

/** The given store, else PostgreSQL at `databaseUrl`, else SQLite in the data dir. */
export function openStore(
  opts: { store?: Store; databaseUrl?: string },
  /** The resolved data dir. */
  dir: string,
  /** A serving process checkpoints SQLite's WAL in a thread (sqlite-checkpointer.ts). */
  serving = false,
): Store {
  return (
    opts.store ??
    (opts.databaseUrl
      ? openPostgresStore(opts.databaseUrl)
      : openSqliteStore(join(dir, 'wxcoupon.db'), serving ? { checkpoints: 'background' } : {}))
  )
}

/**
 * What must happen once before several worker processes serve one database: the schema and
 * the bootstrap (key generation included), so workers never race on an empty database. On
 * SQLite the data dir is this server's alone, so faults left by an earlier run go, as they do
 * when a single process restarts; on PostgreSQL other instances may be using them. Kept apart
 * from start.ts so that the cluster primary, which serves nothing, never loads the HTTP stack.
 */
export async function prepareDatabase(opts: {
  databaseUrl?: string
  dataDir?: string
  random?: RandomBytes
}): Promise<void> {
  const dir = resolve(opts.dataDir ?? '.wxcoupon')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const store = openStore(opts, dir)
  try {
    await store.migrate()
    await bootstrap(store, opts.random ?? randomBytes)
    if (store.kind === 'sqlite') await new SharedFaultRegistry(store).reset()
  } finally {
    await store.close()
  }
}
