import type { Kysely } from 'kysely'

/**
 * Fair claiming reads each partner's earliest due callbacks on their own (queries/outbox.ts):
 * by this index, a partner's few are found without reading past another's thousands.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('notifications_partner_due')
    .on('notifications')
    .columns(['mchid', 'state', 'next_attempt_at'])
    .execute()
}
