import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { kyselyStore } from './kysely-store.ts'
import type { Database } from './schema.ts'
import type { Store } from './store.ts'

/**
 * PostgreSQL for scale-out: any number of server processes on one database. Read Committed with
 * row locks (`SELECT … FOR UPDATE`) for coupons and stocks, unique keys for request numbers,
 * `FOR UPDATE SKIP LOCKED` for the outbox; a unique violation, serialization failure or deadlock
 * rolls back and the store runs the unit of work again.
 */

// Columns are bigint (seconds and sequences outgrow int4); they are numbers in the domain.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

const code = (e: unknown) =>
  typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : ''

/** Serialization failure and deadlock: another transaction won; running again is safe. */
const TRANSIENT = new Set(['40001', '40P01'])

export function openPostgresStore(connectionString: string, poolSize = 10): Store {
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'wxcoupon' })
  // An idle client whose connection dies (PostgreSQL restart, pg_terminate_backend) emits
  // 'error' on the pool; unhandled, that would end the process. The next query reconnects.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return kyselyStore({
    kind: 'postgres',
    db,
    caps: {
      rowLocks: true,
      isUniqueViolation: (e) => code(e) === '23505',
      isTransient: (e) => TRANSIENT.has(code(e)),
    },
    inTransaction: (fn) => db.transaction().setIsolationLevel('read committed').execute(fn),
    close: () => db.destroy(),
    maxAttempts: 10,
  })
}
