import type { Kysely } from 'kysely'

/** Partner notify URLs and the transactional outbox of callbacks with their attempts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notify_configs')
    .addColumn('mchid', 'text', (c) => c.primaryKey())
    .addColumn('notify_url', 'text', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mchid', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('create_time', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    // Sandbox-clock milliseconds: advancing the clock makes retries due.
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    // Real-time milliseconds: a worker that died releases its claim when the lease ends.
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .columns(['state', 'next_attempt_at'])
    .execute()
  await db.schema
    .createTable('notification_attempts')
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_attempts_pk', ['notification_id', 'attempt_no'])
    .execute()
}
