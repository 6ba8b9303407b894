import BetterSqlite3 from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely'
import type { Dialect } from './dialect.ts'
import { kyselyStore } from './kysely-store.ts'
import type { Database } from './schema.ts'
import {
  type Checkpointer,
  type CheckpointerOptions,
  startCheckpointer,
  WAL_SIZE_LIMIT,
} from './sqlite-checkpointer.ts'
import type { Store } from './store.ts'

/**
 * The embedded default: one SQLite file in WAL mode. Kysely serialises every query of this
 * process on the single connection; transactions start with BEGIN IMMEDIATE so that a second
 * process on the same file waits for the write lock (busy_timeout) instead of failing with
 * SQLITE_BUSY halfway through a read-then-write.
 */
export function openSqliteStore(
  path: string,
  options: {
    /** `deferred` exists only so a test can show what IMMEDIATE prevents. */
    begin?: 'immediate' | 'deferred'
    /**
     * `background` (servers): WAL checkpoints in a thread of their own (sqlite-checkpointer.ts)
     * instead of inside the commit that fills the log; `auto` (short-lived tools): SQLite's.
     */
    checkpoints?: 'auto' | 'background'
    /** Tuning of the background checkpoints (tests make them frequent). */
    checkpointer?: Omit<CheckpointerOptions, 'onFailure'>
  } = {},
): Store {
  const raw = new BetterSqlite3(path)
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = NORMAL')
  raw.pragma('busy_timeout = 5000')
  raw.pragma('foreign_keys = ON')
  raw.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`)
  let checkpointer: Checkpointer | undefined
  if (options.checkpoints === 'background') {
    raw.pragma('wal_autocheckpoint = 0')
    checkpointer = startCheckpointer(path, {
      ...options.checkpointer,
      // Never a WAL without a checkpointer: SQLite's own takes over.
      onFailure: () => {
        if (raw.open) raw.pragma('wal_autocheckpoint = 1000')
      },
    })
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached(raw) }) })
  const begin = raw.prepare(options.begin === 'deferred' ? 'begin deferred' : 'begin immediate')
  const commit = raw.prepare('commit')
  const rollback = raw.prepare('rollback')
  const units = { transactions: 0, spannedTurns: 0 }
  return kyselyStore({
    db,
    dialect: SQLITE,
    capabilities: {
      sharedByInstances: false,
      ownedByOneServer: true,
      label: 'SQLite',
      reportName: 'sqlite',
    },
    // The unit of work runs on this connection from BEGIN to COMMIT without giving the event
    // loop a turn: every statement runs synchronously (better-sqlite3), so what the service
    // awaits in between has already settled. The write lock is then held only for the
    // statements and the decisions between them, never while this process waits for I/O or
    // serves another request; a unit that does wait is counted (unitsOfWork).
    inTransaction: (fn) =>
      db.connection().execute(async (conn) => {
        // Between two transactions of this connection: nothing of ours holds the log.
        checkpointer?.beforeTransaction(raw)
        begin.run()
        units.transactions++
        let spanned = false
        const turn = setImmediate(() => {
          spanned = true
        })
        try {
          const result = await fn(conn)
          commit.run()
          return result
        } catch (e) {
          // A failed COMMIT may already have ended the transaction; the original error matters.
          try {
            if (raw.inTransaction) rollback.run()
          } catch {}
          throw e
        } finally {
          clearImmediate(turn)
          if (spanned) units.spannedTurns++
        }
      }),
    unitsOfWork: () => ({ ...units }),
    // The thread's connection closes first, so the last close folds the WAL into the database.
    close: async () => {
      await checkpointer?.stop()
      await db.destroy()
    },
  })
}

/** Kysely prepares every query anew; the statements of this app are few, so keep them. */
function cached(raw: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    close: () => raw.close(),
    prepare(text: string): SqliteStatement {
      let s = statements.get(text)
      if (!s) {
        s = raw.prepare(text) as unknown as SqliteStatement
        if (statements.size < 500) statements.set(text, s)
      }
      return s
    },
  }
}

const SQLITE: Dialect = {
  name: 'sqlite',
  rowLocks: false,
  // One writer at a time (BEGIN IMMEDIATE): no other transaction runs while this one holds it.
  lockNamed: async () => {},
  async insertMany(db, table, columns, rows) {
    const perStatement = Math.max(1, Math.floor(BIND_LIMIT / columns.length))
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement)
      const params: unknown[] = []
      for (const row of chunk) for (const c of columns) params.push(row[c])
      await db.executeQuery(CompiledQuery.raw(insertText(table, columns, chunk.length), params))
    }
  },
  // busy_timeout already waited for the lock; giving up after it is not worth a retry.
  isTransient: () => false,
  isUniqueViolation: (e) =>
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE'),
}

/** Bulk inserts: multi-row VALUES, bound parameters per statement well under SQLite's 32,766. */
const BIND_LIMIT = 8_000

const insertTexts = new Map<string, string>()

function insertText(table: string, columns: readonly string[], rows: number): string {
  const key = `${table}|${columns.join()}|${rows}`
  let text = insertTexts.get(key)
  if (!text) {
    const tuple = `(${columns.map(() => '?').join(', ')})`
    text = `insert into ${table} (${columns.join(', ')}) values ${Array(rows).fill(tuple).join(', ')}`
    insertTexts.set(key, text)
  }
  return text
}
