import type { Kysely } from 'kysely'
import type { Dialect } from '../dialect.ts'
import type { Database } from '../schema.ts'
import type { StoreTx } from '../store.ts'
import { BrowseQueries } from './browse.ts'
import { Executor } from './executor.ts'
import { JournalQueries } from './journal.ts'
import { LedgerQueries } from './ledger.ts'
import { MetaQueries } from './meta.ts'
import { OutboxQueries } from './outbox.ts'
import { ProductCouponQueries } from './product-coupons.ts'
import { RevisionQueries } from './revision.ts'
import { TenantQueries } from './tenants.ts'
import { TrustQueries } from './trust.ts'
import { UserCouponQueries } from './user-coupons.ts'

/**
 * The queries of every aggregate as one StoreTx. Their methods are joined onto one prototype
 * (not delegated to), so a transaction costs one object as it did when they were one class,
 * and the hot path calls each method directly.
 */
const AGGREGATES = [
  TenantQueries,
  TrustQueries,
  ProductCouponQueries,
  UserCouponQueries,
  LedgerQueries,
  OutboxQueries,
  MetaQueries,
  JournalQueries,
  BrowseQueries,
  RevisionQueries,
] as const

type Joined = TenantQueries &
  TrustQueries &
  ProductCouponQueries &
  UserCouponQueries &
  LedgerQueries &
  OutboxQueries &
  MetaQueries &
  JournalQueries &
  BrowseQueries &
  RevisionQueries

class Queries extends Executor {}

for (const aggregate of AGGREGATES) {
  for (const name of Object.getOwnPropertyNames(aggregate.prototype)) {
    if (name === 'constructor') continue
    // Two aggregates answering one name would leave only the last: refuse at load instead.
    if (Object.hasOwn(Queries.prototype, name)) throw new Error(`two aggregates define ${name}`)
    const method = Object.getOwnPropertyDescriptor(aggregate.prototype, name)
    if (method) Object.defineProperty(Queries.prototype, name, method)
  }
}

/** Queries over one executor: the pool for plain reads, a connection inside a transaction. */
export function queries(db: Kysely<Database>, dialect: Dialect): StoreTx {
  // The loop above gave Queries every method of Joined.
  return new Queries(db, dialect) as Joined
}
