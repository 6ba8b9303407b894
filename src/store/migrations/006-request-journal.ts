import type { Kysely } from 'kysely'

/**
 * The request journal: every /v3/ request the sandbox answered, newest kept, the oldest pruned
 * per tenant. Columns exist for what the journal is filtered and pruned by; the rest (headers,
 * bodies, the verification detail) is JSON text in `doc`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_journal')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull())
    // '' when the request did not prove a known partner.
    .addColumn('mchid', 'text', (c) => c.notNull())
    // Real-time milliseconds, and the sandbox clock's seconds when it was answered.
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('sandbox_time', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('operation', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('duration_us', 'bigint', (c) => c.notNull())
    .addColumn('stock_id', 'text')
    .addColumn('coupon_code', 'text')
    .addColumn('out_request_no', 'text')
    .addColumn('verification', 'text', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('request_journal_tenant')
    .on('request_journal')
    .columns(['mchid', 'seq'])
    .execute()
  await db.schema
    .createIndex('request_journal_request_id')
    .on('request_journal')
    .column('request_id')
    .execute()
  await db.schema
    .createIndex('request_journal_coupon')
    .on('request_journal')
    .columns(['coupon_code', 'seq'])
    .execute()
}
