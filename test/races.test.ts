import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import { type Cluster, deployments, startCluster } from './helpers/cluster.ts'
import { naiveStore } from './helpers/naive-store.ts'
import {
  budgetSends,
  competingReturns,
  identicalReturns,
  identicalSends,
  interleavings,
  prng,
  type Violations,
} from './helpers/race-scenarios.ts'
import { RACE_SEED, RACERS, raceTests } from './helpers/race-tests.ts'

/**
 * Races on every deployment (SQLite; PostgreSQL with one and with three instances on one
 * database), then the same checks against a deliberately broken store to show each catches
 * the bug it targets.
 */
for (const { deployment, skip } of await deployments()) {
  describe(`races on ${deployment}`, { skip }, () => {
    let c: Cluster
    before(async () => {
      c = await startCluster(deployment)
    })
    after(() => c?.close())

    test('instances started together on one database agree on one sandbox', () => {
      const [first, ...rest] = c.servers.map((s) => s.sandbox)
      for (const other of rest) {
        assert.equal(other.platform.public_key_id, first?.platform.public_key_id)
        assert.deepEqual(other.partner, {
          ...first?.partner,
          private_key_file: other.partner.private_key_file,
        })
        assert.equal(other.admin_token, first?.admin_token)
        assert.equal(other.brand_id, first?.brand_id)
      }
    })

    raceTests(() => c)
  })
}

/**
 * Negative controls: a store that reads without row locks and writes blindly, on a database
 * whose request-number key was dropped. The checks above must report the bugs it causes —
 * if they passed here, they would be blind. (SQLite serialises writers, so this store cannot
 * race there; sqlite.test.ts shows BEGIN DEFERRED failing where IMMEDIATE holds instead.)
 */
const pgSkip = await pgSkipReason()
describe('negative controls: the same checks catch a naive store on PostgreSQL', {
  skip: pgSkip,
}, () => {
  let c: Cluster
  before(async () => {
    c = await startCluster('postgres', { wrap: (s) => naiveStore(s) })
    const client = new pg.Client({ connectionString: c.databaseUrl })
    await client.connect()
    await client.query('alter table idempotency drop constraint idempotency_pk')
    await client.end()
  })
  after(() => c?.close())

  /**
   * Rounds until the check reports the bug it targets (at most 10); everything it reported.
   * A race may go the other way in one round, or show first as another symptom.
   */
  async function caught(
    round: () => Promise<Violations>,
    targets: (v: string) => boolean,
  ): Promise<Violations> {
    const seen: Violations = []
    for (let i = 0; i < 10; i++) {
      const v = await round()
      seen.push(...v)
      if (v.some(targets)) return seen
    }
    return seen
  }

  test('identical returns: more than one state change is reported', async (t) => {
    const v = await caught(
      () => identicalReturns(c, RACERS),
      (x) => x.startsWith('state changes'),
    )
    t.diagnostic(v.join('; '))
    assert.ok(
      v.some((x) => x.startsWith('state changes')),
      v.join('; '),
    )
  })

  test('competing returns: a coupon returned twice for one use is reported', async (t) => {
    const v = await caught(
      () => competingReturns(c, RACERS),
      (x) => x.startsWith('successes'),
    )
    t.diagnostic(v.join('; '))
    assert.ok(
      v.some((x) => x.startsWith('successes')),
      v.join('; '),
    )
  })

  test('identical sends: two coupons for one send_request_no are reported', async (t) => {
    const v = await caught(
      () => identicalSends(c, RACERS),
      (x) => x.startsWith('state changes'),
    )
    t.diagnostic(v.join('; '))
    assert.ok(
      v.some((x) => x.startsWith('state changes')),
      v.join('; '),
    )
  })

  test('budget: sends past max_count are reported', async (t) => {
    const v = await caught(
      () => budgetSends(c, 20, 10),
      (x) => x.includes('budget'),
    )
    t.diagnostic(v.join('; '))
    assert.ok(
      v.some((x) => x.includes('budget')),
      v.join('; '),
    )
  })

  test('interleavings: a history no serial order explains is reported', async (t) => {
    const random = prng(RACE_SEED)
    const v = await caught(
      () => interleavings(c, 8, random),
      (x) => x.startsWith('not linearizable'),
    )
    t.diagnostic(v.slice(0, 2).join('; '))
    assert.ok(
      v.some((x) => x.startsWith('not linearizable')),
      v.join('; '),
    )
  })
})
