import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_BEHAVIOUR } from '../src/domain/settings.ts'
import {
  createTestDatabase,
  pgSkipReason,
  sqliteSkipReason,
} from '../src/store/pg-test-db.fixture.ts'
import { checkInvariants, rawDb } from './helpers/crash-invariants.ts'
import { type Stock, startWorkload, type Target } from './helpers/crash-workload.ts'
import { deliveryRecorder } from './helpers/delivery.ts'
import { API, createProductCoupon } from './helpers/fixtures.ts'
import { ProcessTestServer, settingsFile } from './helpers/server-process.ts'

/**
 * Crash safety: server processes are killed with SIGKILL at random moments under load and
 * started again on the same data; clients retry what went unanswered with the same request
 * numbers. Afterwards the database must hold every acknowledged operation and nothing else
 * (crash-invariants.ts), and every issued coupon's callback must arrive. npm run test:slow runs a
 * few kills per database; the reliability script sets WXCOUPON_CRASH_KILLS=50.
 */
const KILLS = Number(process.env.WXCOUPON_CRASH_KILLS ?? 3)
const WORKERS = 6
const LIMITED_MAX = 20

// A short delivery timeout keeps leases short: a delivery a kill cut off is retried sooner.
const settings = settingsFile({
  notify: { ...DEFAULT_BEHAVIOUR.notify, schedule: 'fast', timeoutMs: 1000 },
})

interface Run {
  servers: ProcessTestServer[]
  db: { sqliteFile?: string; databaseUrl?: string }
}

async function crashLoop(run: Run, t: { diagnostic(s: string): void }) {
  const [first] = run.servers
  assert.ok(first)
  const rx = await deliveryRecorder(0)
  const s = first.sandbox
  assert.equal(
    (await first.call('POST', `${API}/notify-configs`, { notify_url: rx.url })).status,
    200,
  )
  const stocks: Stock[] = []
  for (const limited of [false, false, true]) {
    const pc = await createProductCoupon(
      first,
      // The others must not run dry in a long loop: 100 users × 100 per user each.
      limited ? { maxCount: LIMITED_MAX, maxPerUser: 1 } : { maxCount: 1_000_000, maxPerUser: 100 },
    )
    stocks.push({ productCouponId: pc.product_coupon_id, stockId: pc.stock_id, limited })
  }
  const openids = [s.openid]
  for (let i = 0; i < 99; i++) {
    openids.push((await first.admin('POST', '/sandbox/openids', { appid: s.appid })).json.openid)
  }
  const live = new Set(run.servers)
  const target: Target = {
    partner: first.partner,
    brandId: s.brand_id,
    appid: s.appid,
    openids,
    stocks,
    live: () => [...live].map((x) => x.baseUrl),
  }
  const load = startWorkload(target, WORKERS)
  const recovery: number[] = []
  try {
    for (let k = 0; k < KILLS; k++) {
      await sleep(150 + Math.random() * 750)
      const victim = [...live][Math.floor(Math.random() * live.size)] as ProcessTestServer
      live.delete(victim)
      await victim.kill()
      recovery.push(await victim.revive())
      live.add(victim)
    }
    await sleep(300)
  } finally {
    await load.stop()
  }

  const h = load.history
  const ops = h.filter((e) => e.kind !== 'query' && e.kind !== 'replay')
  const indeterminate = h.filter((e) => e.tries > 1).length
  const db = rawDb(run.db)
  try {
    const violations = await checkInvariants({
      db,
      store: first.server.store,
      workload: load,
      target,
      limitedMax: LIMITED_MAX,
    })
    // Every issued coupon's callback arrives, even those whose delivery a kill cut short.
    let pending = -1
    for (let i = 0; i < 300 && pending !== 0; i++) {
      pending = Number(
        (await db.rows("select count(*) as n from notifications where state <> 'DELIVERED'"))[0]?.n,
      )
      if (pending) await sleep(100)
    }
    const total = Number((await db.rows('select count(*) as n from notifications'))[0]?.n)
    if (pending !== 0) violations.push(`${pending} callbacks never delivered`)
    if (rx.distinct !== total) violations.push(`${rx.distinct} of ${total} callbacks received`)
    if (run.db.sqliteFile) {
      const [r] = await db.rows('pragma integrity_check')
      if (r?.integrity_check !== 'ok') violations.push(`integrity_check: ${JSON.stringify(r)}`)
    }
    if (load.serverErrors) violations.push(`${load.serverErrors} answers were 5xx`)
    const sorted = [...recovery].sort((a, b) => a - b)
    const pct = (q: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
    t.diagnostic(
      `${KILLS} SIGKILLs, ${h.length} requests answered (${ops.length} writes, ${h.filter((e) => e.ok && e.kind !== 'query' && e.kind !== 'replay').length} acknowledged), ` +
        `${indeterminate} indeterminate → all converged; ${load.coupons.length} coupons; ${total} callbacks, ` +
        `${rx.duplicates} redelivered; restart p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms; violations ${violations.length}`,
    )
    assert.deepEqual(violations, [])
    assert.ok(ops.length > KILLS, 'the load ran between the kills')
  } finally {
    await db.close()
    await rx.close()
  }
}

const sqliteSkip = sqliteSkipReason()
describe(`crash loop on SQLite: ${KILLS} × SIGKILL under load`, { skip: sqliteSkip }, () => {
  let server: ProcessTestServer
  after(() => server?.close())
  test('every acknowledged operation survives, nothing else appears, every callback arrives', async (t) => {
    server = await new ProcessTestServer({ settingsFile: settings }).start()
    await crashLoop(
      { servers: [server], db: { sqliteFile: join(server.dataDir, 'wxcoupon.db') } },
      t,
    )
  })
})

const pgSkip = await pgSkipReason()
describe(`crash loop on PostgreSQL, 3 instances: ${KILLS} × SIGKILL under load`, {
  skip: pgSkip,
}, () => {
  let servers: ProcessTestServer[] = []
  let drop = async () => {}
  after(async () => {
    for (const s of servers) await s.close()
    await drop()
  })
  test('every acknowledged operation survives, nothing else appears, every callback arrives', async (t) => {
    const db = await createTestDatabase()
    drop = db.drop
    servers = await Promise.all(
      [0, 1, 2].map(() =>
        new ProcessTestServer({ databaseUrl: db.url, settingsFile: settings }).start(),
      ),
    )
    await crashLoop({ servers, db: { databaseUrl: db.url } }, t)
  })
})
