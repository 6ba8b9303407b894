import { type Kysely, type Migration, Migrator } from 'kysely'
import type { Database } from '../schema.ts'
import * as m001 from './001-initial.ts'
import * as m002 from './002-coupon-codes.ts'
import * as m003 from './003-notifications.ts'
import * as m004 from './004-rate-counters.ts'
import * as m005 from './005-platform-trust.ts'
import * as m006 from './006-request-journal.ts'
import * as m007 from './007-revisions.ts'
import * as m008 from './008-outbox-fairness.ts'
import * as m009 from './009-brand-direct.ts'
import * as m010 from './010-outbox-leases.ts'

/** Every schema change in order; a database records which of these it has run. */
export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-coupon-codes': m002,
  '003-notifications': m003,
  '004-rate-counters': m004,
  '005-platform-trust': m005,
  '006-request-journal': m006,
  '007-revisions': m007,
  '008-outbox-fairness': m008,
  '009-brand-direct': m009,
  '010-outbox-leases': m010,
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  })
  const { error } = await migrator.migrateToLatest()
  if (error) throw error
}
