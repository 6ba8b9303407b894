import type { Kysely } from 'kysely'

/**
 * A claim counts each partner's callbacks in flight (leased) before it deals places: by this
 * index only the leased few are read, however many wait behind them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('notifications_leased')
    .on('notifications')
    .columns(['state', 'lease_until'])
    .execute()
}
