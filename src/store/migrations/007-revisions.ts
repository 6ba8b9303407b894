import { type Kysely, sql } from 'kysely'

/**
 * The 2025-11 revision (PROGRESSIVE_BUNDLE): each partner's revision, user coupon bundles (the
 * coupons one bundle send issued, in tier order), brand stores (created by the sandbox control
 * in place of WeChat's store API) and pre-send tokens. Stock bundles need no table: each bundle
 * stock carries its bundle id and index in its document.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('partners')
    .addColumn('revision', 'text', (c) => c.notNull().defaultTo(sql`'2025-08'`))
    .execute()
  await db.schema
    .createTable('user_coupon_bundles')
    .addColumn('bundle_id', 'text', (c) => c.primaryKey())
    .addColumn('mchid', 'text', (c) => c.notNull())
    .addColumn('brand_id', 'text', (c) => c.notNull())
    .addColumn('openid', 'text', (c) => c.notNull())
    .addColumn('appid', 'text', (c) => c.notNull())
    .addColumn('product_coupon_id', 'text', (c) => c.notNull())
    .addColumn('stock_bundle_id', 'text', (c) => c.notNull())
    // [{stock_id, coupon_code}] in user_coupon_bundle_index order.
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('brand_stores')
    .addColumn('store_id', 'text', (c) => c.primaryKey())
    .addColumn('brand_id', 'text', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('pre_send_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('mchid', 'text', (c) => c.notNull())
    .addColumn('brand_id', 'text', (c) => c.notNull())
    // Sandbox-clock seconds.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed', 'text')
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}
