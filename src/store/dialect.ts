import type { Kysely } from 'kysely'
import type { Database } from './schema.ts'

/**
 * What differs between the databases, supplied by each (sqlite.ts, postgres.ts). The queries
 * (the aggregate modules) are written once against this and never ask which database runs.
 */
export interface Dialect {
  /** Prepared statements are compiled once per dialect under this key (prepared.ts). */
  readonly name: string
  /** `SELECT … FOR UPDATE` exists (PostgreSQL); SQLite's single writer makes it unnecessary. */
  readonly rowLocks: boolean
  /** Holds a lock on `name` until the transaction ends, so no other transaction takes it meanwhile. */
  lockNamed(db: Kysely<Database>, name: string): Promise<void>
  /**
   * Bulk loading: every row (each with the same `columns`, values present or null) inserted in
   * as few statements as the database takes well. Driver errors pass through unchanged.
   */
  insertMany(
    db: Kysely<Database>,
    table: keyof Database,
    columns: readonly string[],
    rows: readonly Record<string, unknown>[],
  ): Promise<void>
  /** Recognises a unique-key violation in a driver error. */
  isUniqueViolation(e: unknown): boolean
  /** Errors after which the whole transaction may simply run again. */
  isTransient(e: unknown): boolean
}
