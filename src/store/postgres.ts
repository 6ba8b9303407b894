import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Dialect } from './dialect.ts'
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

/** A connection attempt that gets no answer fails the request instead of holding it. */
export const CONNECT_TIMEOUT_MS = 5_000

/**
 * What the operator is told when a connection dies outside any query (default: one line on
 * stderr with PostgreSQL's code and message, which never carry the password).
 */
export type ConnectionErrorSink = (e: Error) => void

const toStderr: ConnectionErrorSink = (e) => {
  const c = code(e)
  process.stderr.write(
    `wxcoupon: PostgreSQL connection lost${c ? ` (${c})` : ''}: ${e.message}; reconnecting on demand\n`,
  )
}

export function openPostgresStore(
  connectionString: string,
  poolSize = 10,
  onConnectionError: ConnectionErrorSink = toStderr,
): Store {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    application_name: 'wxcoupon',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  // A connection that dies (PostgreSQL restart, pg_terminate_backend) emits 'error' on its
  // client, and on the pool while idle; unhandled, either ends the process. Checked out, the
  // query in flight fails too, so the request answers SYSTEM_ERROR and its transaction is gone;
  // the pool drops the dead client on release and the next query connects afresh.
  pool.on('error', onConnectionError)
  pool.on('connect', (client) => {
    client.on('error', (e) => {
      // The idle case is the pool's own listener's (above): reported once, not twice.
      if (client.listenerCount('error') === 1) onConnectionError(e)
    })
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return kyselyStore({
    db,
    dialect: POSTGRES,
    capabilities: {
      sharedByInstances: true,
      ownedByOneServer: false,
      label: `PostgreSQL ${withoutPassword(connectionString)}`,
      reportName: 'postgres',
    },
    inTransaction: (fn) => db.transaction().setIsolationLevel('read committed').execute(fn),
    close: () => db.destroy(),
    maxAttempts: 10,
  })
}

const POSTGRES: Dialect = {
  name: 'postgres',
  rowLocks: true,
  async lockNamed(db, name) {
    await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(db)
  },
  /**
   * One array per column through unnest, so the server parses a handful of parameters instead
   * of one per value, which doubles its rate.
   */
  async insertMany(db, table, columns, rows) {
    const isNumber = (c: string) => typeof rows.find((r) => r[c] !== null)?.[c] === 'number'
    const arrays = columns.map((c, i) => `$${i + 1}::${isNumber(c) ? 'bigint' : 'text'}[]`)
    const text = `insert into ${table} (${columns.join(', ')}) select * from unnest(${arrays.join(', ')})`
    for (let i = 0; i < rows.length; i += UNNEST_ROWS) {
      const chunk = rows.slice(i, i + UNNEST_ROWS)
      const params = columns.map((c) => chunk.map((row) => row[c]))
      await db.executeQuery(CompiledQuery.raw(text, params))
    }
  },
  isUniqueViolation: (e) => code(e) === '23505',
  isTransient: (e) => TRANSIENT.has(code(e)),
}

const UNNEST_ROWS = 5_000

/** The ready line names the database without its password. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'database'
  }
}
