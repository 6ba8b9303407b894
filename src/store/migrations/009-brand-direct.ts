import type { Kysely } from 'kysely'

/**
 * Brand-direct tenants (品牌直连): a brand that calls /brand/… itself. Each is served by a
 * partner row of its own (`mchid`, never a partner a client can sign for: the partner scheme
 * refuses it), which holds the brand API certificate (partner_certs) and the brand API key
 * (apiv3_key), so ownership, idempotency and the outbox work unchanged. This table binds the
 * brand to it and holds the brand's WeChat Pay public key pair, which signs its answers and
 * callbacks (brand mode has no platform certificates).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('brand_direct')
    .addColumn('brand_id', 'text', (c) => c.primaryKey())
    .addColumn('mchid', 'text', (c) => c.notNull().unique())
    .addColumn('public_key_id', 'text', (c) => c.notNull().unique())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}
