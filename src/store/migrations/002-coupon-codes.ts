import type { Kysely } from 'kysely'

/** UPLOAD-mode code pools; issue order and an index for listing a user's coupons. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('coupon_codes')
    .addColumn('stock_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('coupon_codes_pk', ['stock_id', 'code'])
    .execute()
  await db.schema
    .createIndex('coupon_codes_available')
    .on('coupon_codes')
    .columns(['stock_id', 'used', 'code'])
    .execute()
  // Issue order: receive_time has second precision, so it cannot order coupons on its own.
  await db.schema
    .alterTable('user_coupons')
    .addColumn('issue_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('user_coupons_listing')
    .on('user_coupons')
    .columns(['mchid', 'brand_id', 'openid', 'appid', 'issue_seq'])
    .execute()
}
