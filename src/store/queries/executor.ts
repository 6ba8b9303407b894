import type { Kysely } from 'kysely'
import type { Dialect } from '../dialect.ts'
import type { Database } from '../schema.ts'
import { StoreConflict } from '../store.ts'

/**
 * What every aggregate's queries run on: the pool for plain reads, one connection inside a
 * transaction, and the dialect for what differs. The aggregates extend it and index.ts joins
 * their methods into one StoreTx, so helpers shared by several aggregates live here (an
 * aggregate's own helpers are module functions: `#private` members would not survive the join).
 */
export class Executor {
  readonly db: Kysely<Database>
  readonly dialect: Dialect

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.db = db
    this.dialect = dialect
  }

  /** A unique-key violation means a concurrent writer took the key first. */
  protected async guardUnique(p: Promise<unknown>): Promise<void> {
    try {
      await p
    } catch (e) {
      if (this.dialect.isUniqueViolation(e)) {
        throw new StoreConflict('unique key taken', { cause: e })
      }
      throw e
    }
  }

  /** At a million rows the query builder's cost per value would outweigh the database's. */
  protected async insertMany<T extends keyof Database>(
    table: T,
    rows: readonly Database[T][],
  ): Promise<void> {
    const first = rows[0]
    if (!first) return
    const columns = Object.keys(first)
    await this.guardUnique(
      this.dialect.insertMany(this.db, table, columns, rows as readonly Record<string, unknown>[]),
    )
  }
}
