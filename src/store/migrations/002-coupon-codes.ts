import type { Kysely } from 'kysely'

/** UPLOAD-mode code pools; listing indexes. */
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
  await db.schema
    .createIndex('user_coupons_listing')
    .on('user_coupons')
    .columns(['mchid', 'brand_id', 'openid', 'appid', 'receive_time'])
    .execute()
}
