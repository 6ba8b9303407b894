import type { Kysely } from 'kysely'

/**
 * Key modes per partner and platform certificates (with the private keys that sign under them).
 * A partner without a partner_trust row is in public_key mode, as every partner was before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partner_trust')
    .addColumn('mchid', 'text', (c) => c.primaryKey())
    .addColumn('key_mode', 'text', (c) => c.notNull())
    .addColumn('strict_serial', 'integer', (c) => c.notNull())
    // Basis points (1/10000) of callback deliveries signed with the public key in transition.
    .addColumn('callback_public_key_share', 'integer', (c) => c.notNull())
    // Bumped by every change of the partner's keys: instances sharing the database reload on it.
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('platform_certificates')
    .addColumn('serial_no', 'text', (c) => c.primaryKey())
    .addColumn('mchid', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    // Real Unix seconds (the X.509 notBefore).
    .addColumn('effective_time', 'bigint', (c) => c.notNull())
    // Sandbox-clock seconds.
    .addColumn('expire_time', 'bigint', (c) => c.notNull())
    .addColumn('signing_from', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('platform_certificates_partner')
    .on('platform_certificates')
    .columns(['mchid', 'effective_time'])
    .execute()
}
