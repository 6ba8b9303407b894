import { sql } from 'kysely'
import { Executor } from './executor.ts'

/**
 * Fixed-window rate counters shared by every instance on one database. Not joined into StoreTx
 * as the other aggregates are: the store runs them on the pool (kysely-store.ts), each statement
 * committed alone.
 */
export class CounterQueries extends Executor {
  async bumpCounter(key: string, windowStart: number): Promise<number> {
    const r = await this.db
      .insertInto('rate_counters')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_counters.count + 1` }),
      )
      .returning('count')
      .executeTakeFirstOrThrow()
    return Number(r.count)
  }

  async pruneCounters(before: number): Promise<void> {
    await this.db.deleteFrom('rate_counters').where('window_start', '<', before).execute()
  }
}
