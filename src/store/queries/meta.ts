import { type Kysely, sql } from 'kysely'
import type { Database } from '../schema.ts'
import { Executor } from './executor.ts'

/** Database-wide: settings and secrets by key, named sequences, named locks, the sandbox reset. */
export class MetaQueries extends Executor {
  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst()
    return r?.value
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  nextSequence(name: string, count = 1): Promise<number> {
    return nextSequence(this.db, name, count)
  }

  lockNamed(name: string): Promise<void> {
    return this.dialect.lockNamed(this.db, name)
  }

  async deleteCouponData(): Promise<void> {
    for (const table of [
      'notification_attempts',
      'notifications',
      'user_coupons',
      'coupon_codes',
      'stocks',
      'product_coupons',
      'idempotency',
      'user_coupon_bundles',
      'pre_send_tokens',
    ] as const) {
      await this.db.deleteFrom(table).execute()
    }
  }
}

/** Also numbers the outbox (outbox.ts), inside the same transaction. */
export async function nextSequence(db: Kysely<Database>, name: string, count = 1): Promise<number> {
  const r = await db
    .insertInto('sequences')
    .values({ name, value: count })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`sequences.value + ${count}` }))
    .returning('value')
    .executeTakeFirstOrThrow()
  return Number(r.value)
}
