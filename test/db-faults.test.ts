import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { DEFAULT_BEHAVIOUR } from '../src/domain/settings.ts'
import { createTestDatabase, pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import { checkInvariants, rawDb } from './helpers/crash-invariants.ts'
import { type Stock, startWorkload, type Target } from './helpers/crash-workload.ts'
import { deliveryRecorder } from './helpers/delivery.ts'
import { API, createProductCoupon } from './helpers/fixtures.ts'
import {
  type PrivatePostgres,
  privatePgSkipReason,
  startPrivatePostgres,
} from './helpers/private-pg.ts'
import { ProcessTestServer, settingsFile } from './helpers/server-process.ts'

/**
 * The database goes away under load: its connections terminated (pg_terminate_backend, on the
 * shared server but only backends of this test's own database), or the whole PostgreSQL server
 * stopped and started again (a private one of this test's: the shared server serves other
 * tests). Before: the server process exited 1 at every such event ("Unhandled 'error' event …
 * on Client instance"). Now: the requests in flight fail with a signed 500 SYSTEM_ERROR, the
 * clients retry them with the same request numbers, the server never exits, /healthz says 503
 * while the database is away, and afterwards every acknowledged operation is present and
 * nothing else (crash-invariants.ts). npm test runs a few events; the reliability script more.
 */
const EVENTS = Number(process.env.WXCOUPON_DB_FAULTS ?? 3)
const LIMITED_MAX = 20

const settings = settingsFile({
  notify: { ...DEFAULT_BEHAVIOUR.notify, schedule: 'fast', timeoutMs: 1000 },
})

async function prepare(s: ProcessTestServer, rxUrl: string): Promise<Target> {
  assert.equal((await s.call('POST', `${API}/notify-configs`, { notify_url: rxUrl })).status, 200)
  const stocks: Stock[] = []
  for (const limited of [false, true]) {
    const pc = await createProductCoupon(
      s,
      limited ? { maxCount: LIMITED_MAX, maxPerUser: 1 } : { maxCount: 1_000_000, maxPerUser: 100 },
    )
    stocks.push({ productCouponId: pc.product_coupon_id, stockId: pc.stock_id, limited })
  }
  const openids = [s.sandbox.openid]
  for (let i = 0; i < 29; i++) {
    openids.push(
      (await s.admin('POST', '/sandbox/openids', { appid: s.sandbox.appid })).json.openid,
    )
  }
  return {
    partner: s.partner,
    brandId: s.sandbox.brand_id,
    appid: s.sandbox.appid,
    openids,
    stocks,
    live: () => [s.baseUrl],
  }
}

async function health(baseUrl: string): Promise<number> {
  try {
    const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) })
    await r.arrayBuffer()
    return r.status
  } catch {
    return 0
  }
}

/** Runs the load through `faults` fault events, then checks what the clients were told. */
async function underLoad(
  s: ProcessTestServer,
  databaseUrl: string,
  fault: (k: number) => Promise<{ healthDuring?: number; errorDuring?: string }>,
  t: { diagnostic(m: string): void },
) {
  const rx = await deliveryRecorder(0)
  const target = await prepare(s, rx.url)
  const load = startWorkload(target, 4)
  const during: string[] = []
  try {
    for (let k = 0; k < EVENTS; k++) {
      await sleep(300 + Math.random() * 500)
      const seen = await fault(k)
      if (seen.healthDuring !== undefined) during.push(`healthz ${seen.healthDuring}`)
      if (seen.errorDuring !== undefined) during.push(seen.errorDuring)
    }
    await sleep(500)
  } finally {
    await load.stop()
  }
  // Serving again, no restart needed.
  let status = 0
  for (let i = 0; i < 100 && status !== 200; i++) {
    status = await health(s.baseUrl)
    if (status !== 200) await sleep(100)
  }
  assert.equal(status, 200, 'healthz answers 200 once the database is back')
  const db = rawDb({ databaseUrl })
  try {
    const violations = await checkInvariants({
      db,
      store: s.server.store,
      workload: load,
      target,
      limitedMax: LIMITED_MAX,
    })
    const acked = load.history.filter((e) => e.ok && e.kind !== 'query' && e.kind !== 'replay')
    t.diagnostic(
      `${EVENTS} database faults: ${s.process.unexpectedExits.length} process exits; ` +
        `${load.history.length} requests answered, ${acked.length} writes acknowledged (all present: ${violations.length === 0}), ` +
        `${load.serverErrors} answered 500 and retried; during the faults: ${[...new Set(during)].join(', ') || '—'}`,
    )
    assert.deepEqual(s.process.unexpectedExits, [], 'the server never exited')
    for (const d of during) assert.match(d, /^(healthz 503|500 SYSTEM_ERROR)$/)
    assert.deepEqual(violations, [])
    assert.ok(acked.length > EVENTS, 'the load ran between the faults')
  } finally {
    await db.close()
    await rx.close()
  }
}

const pgSkip = await pgSkipReason()
describe(`pg_terminate_backend of the server's connections under load (×${EVENTS})`, {
  skip: pgSkip,
}, () => {
  let s: ProcessTestServer | undefined
  let drop = async () => {}
  after(async () => {
    await s?.close()
    await drop()
  })
  test('the server stays up, answers 500 meanwhile, and every acknowledged write is there', async (t) => {
    const db = await createTestDatabase()
    drop = db.drop
    s = await new ProcessTestServer({ databaseUrl: db.url, settingsFile: settings }).start()
    const name = new URL(db.url).pathname.slice(1)
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    try {
      await underLoad(
        s,
        db.url,
        async () => {
          // Only backends of this test's own database, never another's; not this one.
          await admin.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [name],
          )
          return {}
        },
        t,
      )
    } finally {
      await admin.end()
    }
  })
})

const privateSkip = privatePgSkipReason()
// npm test: one process; the reliability script (which sets the size) adds --workers 2.
for (const workers of process.env.WXCOUPON_DB_FAULTS ? [1, 2] : [1]) {
  describe(`PostgreSQL stopped and started under load, --workers ${workers} (×${EVENTS})`, {
    skip: privateSkip,
  }, () => {
    let s: ProcessTestServer | undefined
    let server: PrivatePostgres | undefined
    after(async () => {
      await s?.close()
      // Always: a stopped or running private server is removed with its files.
      await server?.destroy()
    })
    test('no process exits; 503 and signed 500s while it is down; all acknowledged writes there', async (t) => {
      server = await startPrivatePostgres()
      const pgServer = server
      s = await new ProcessTestServer({
        databaseUrl: pgServer.url,
        settingsFile: settings,
        workers,
      }).start()
      const srv = s
      await underLoad(
        srv,
        pgServer.url,
        async () => {
          await pgServer.stop()
          await sleep(300)
          const healthDuring = await health(srv.baseUrl)
          // The harness checks the answer's signature and that it leaks nothing (no SQL, stack).
          const r = await srv.call('GET', `${API}/notify-configs`)
          const errorDuring = `${r.status} ${r.json.code}`
          await sleep(700)
          await pgServer.start()
          return { healthDuring, errorDuring }
        },
        t,
      )
    })
  })
}
