import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import {
  ConfirmCouponBody,
  SendCouponBody,
  UseCouponBody,
} from '../packages/sdk/src/schemas/requests.ts'
import { runSeed } from '../src/cli/seed-run.ts'
import { ERRORS } from '../src/domain/errors.ts'
import { DEFAULT_BEHAVIOUR } from '../src/domain/settings.ts'
import { formatRfc3339 } from '../src/domain/time.ts'
import { confirmCoupon, issueCoupon, useCoupon } from '../src/domain/user-coupon.ts'
import { fingerprint } from '../src/service/fingerprint.ts'
import { ledgerOf, type SeedSummary, seededCoupon } from '../src/service/seed.ts'
import { openStore } from '../src/store/open.ts'
import type { IdempotencyRecord } from '../src/store/store.ts'
import { CLI, ROOT, tempDirs } from './helpers/built-cli.ts'
import { expectError, TEST_SETTINGS, TestServer } from './helpers/harness.ts'

/**
 * `wxcoupon seed` writes coupons the real API cannot tell from sent ones: a server started on
 * the seeded data dir queries, returns, replays and lists them, and the stock's counters and
 * budget agree with them — also while a seed runs beside a live server on the same file.
 */

const API = '/v3/marketing/partner/product-coupon'
const dataDir = tempDirs('wxcoupon-seed-')

test('the spelled-out fingerprints equal the endpoints’ own', () => {
  const now = 1_754_272_800
  const ref = {
    product_coupon_id: '1000000001',
    stock_id: '1000000001001',
    appid: 'wx0123456789abcdef',
    brand_id: '120001',
  }
  const issued = issueCoupon({
    couponCode: '100000000042',
    stockId: ref.stock_id,
    productCouponId: ref.product_coupon_id,
    brandId: ref.brand_id,
    mchid: '1900000001',
    openid: 'oSEEDtest"\\quoted00000000001',
    appid: ref.appid,
    sendRequestNo: 'SD1000000001001S000000042',
    usageMode: 'SINGLE',
    window: { begin: now - 86_400, end: now + 86_400 },
    now,
    issueSeq: 1,
  })
  const confirmed = confirmCoupon(issued, 'SD1000000001001C000000042', now)
  const order = { transaction_id: '4210000000010010000000000042' }
  const ctx = { now, usageMode: 'SINGLE' as const, settings: DEFAULT_BEHAVIOUR }
  const used = useCoupon(
    confirmed,
    { requestNo: 'SD1000000001001U000000042', useTime: now, order },
    ctx,
  )
  const records: IdempotencyRecord[] = []
  ledgerOf(used, records)
  const who = { mchid: used.mchid, openid: used.openid }
  const onCoupon = { ...who, coupon_code: used.couponCode }
  const expected = [
    fingerprint(SendCouponBody, { ...ref, send_request_no: used.sendRequestNo }, who),
    fingerprint(
      ConfirmCouponBody,
      { ...ref, out_request_no: confirmed.confirm?.requestNo },
      onCoupon,
    ),
    fingerprint(
      UseCouponBody,
      {
        ...ref,
        use_time: formatRfc3339(now),
        associated_order_info: order,
        out_request_no: 'SD1000000001001U000000042',
      },
      onCoupon,
    ),
  ]
  assert.deepEqual(
    records.map((r) => [r.operation, r.fingerprint, r.resourceId]),
    ['send', 'confirm', 'use'].map((op, k) => [
      op,
      expected[k],
      `${ref.stock_id}/${used.couponCode}`,
    ]),
  )
})

describe('a server on a seeded data dir', () => {
  const dir = dataDir()
  let s: TestServer
  let seed: SeedSummary
  before(async () => {
    seed = await runSeed({
      coupons: 2000,
      state: ['USED'],
      users: 50,
      batch: 700,
      ledger: true,
      dataDir: dir,
      db: undefined,
    })
    s = await new TestServer(dir, { settings: TEST_SETTINGS }).start()
  })
  after(() => s.server.close())

  const ref = () => ({
    product_coupon_id: seed.product_coupon_id,
    stock_id: seed.stock_id,
    appid: seed.appid,
    brand_id: seed.brand_id,
  })
  const couponPath = (i: number) => {
    const c = seededCoupon(seed, i)
    return `${API}/users/${c.openid}/coupons/${c.coupon_code}`
  }
  const query = (i: number) => s.call('GET', `${couponPath(i)}?${new URLSearchParams(ref())}`)

  test('seeded for the bootstrap tenant, as the summary says', () => {
    assert.equal(seed.brand_id, s.sandbox.brand_id)
    assert.equal(seed.appid, s.sandbox.appid)
    assert.equal(seed.count, 2000)
    assert.equal(seed.openids.length, 50)
    assert.equal(seed.rows, 50 + 2000 * 4)
  })

  test('a seeded coupon is queried as USED and returned to EFFECTIVE', async () => {
    const q = await query(1234)
    assert.equal(q.status, 200, q.text)
    assert.equal(q.json.coupon_state, 'USED')
    assert.equal(q.json.coupon_code, seededCoupon(seed, 1234).coupon_code)
    assert.equal(
      q.json.single_usage_detail.use_request_no,
      'SD'.concat(seed.stock_id, 'U000001234'),
    )
    const r = await s.call('POST', `${couponPath(1234)}/return`, {
      ...ref(),
      out_request_no: 'SEEDRET1234',
    })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'EFFECTIVE')
    assert.equal((await query(1234)).json.coupon_state, 'EFFECTIVE')
  })

  test('the seeded request numbers replay instead of acting again (--ledger)', async () => {
    const c = seededCoupon(seed, 77)
    const n = (template: string) => template.replace('{i}', '000000077')
    const send = await s.call('POST', `${API}/users/${c.openid}/coupons`, {
      ...ref(),
      send_request_no: n(seed.request_nos.send),
    })
    assert.equal(send.status, 200, send.text)
    assert.equal(send.json.coupon_code, c.coupon_code, 'the same coupon, not a new one')
    const use = await s.call('POST', `${couponPath(77)}/use`, {
      ...ref(),
      use_time: seed.time,
      associated_order_info: { transaction_id: `42${seed.stock_id}${'77'.padStart(13, '0')}` },
      out_request_no: n(seed.request_nos.use),
    })
    assert.equal(use.status, 200, use.text)
    assert.equal(use.json.coupon_state, 'USED')
  })

  test("the stock's counters agree with the coupons, and its budget is spent", async () => {
    const st = await s.call(
      'GET',
      `${API}/product-coupons/${seed.product_coupon_id}/stocks/${seed.stock_id}?brand_id=${seed.brand_id}`,
    )
    assert.equal(st.status, 200, st.text)
    assert.deepEqual(st.json.sent_count_info, { total_count: 2000, today_count: 2000 })
    const more = await s.call('POST', `${API}/users/${seed.openids[0]}/coupons`, {
      ...ref(),
      send_request_no: 'SEEDMORE0001',
    })
    const exhausted = ERRORS.STOCK_BUDGET_EXHAUSTED
    expectError(more, exhausted.status, exhausted.code, exhausted.message)
  })

  test("a user's list shows their share", async () => {
    const user = seed.openids[3] ?? ''
    const r = await s.call(
      'GET',
      `${API}/users/${user}/coupons?${new URLSearchParams({ ...ref(), coupon_state: 'USED' })}`,
    )
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.total_count, 40)
    const mine = Array.from({ length: 2000 }, (_, i) => seededCoupon(seed, i)).filter(
      (c) => c.openid === user,
    )
    assert.equal(mine.length, 40)
  })

  test('the built CLI seeds beside the running server, whose writes keep succeeding', async () => {
    const args = ['seed', '--coupons', '20000', '--state', 'USED,EFFECTIVE,SENT', '--json']
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '' },
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let running = true
    void exited.then(() => {
      running = false
    })
    // Returns write, so they need the lock the seed's batches take and give back.
    const statuses: number[] = []
    for (let i = 1500; running && i < 2000; i++) {
      const r = await s.call('POST', `${couponPath(i)}/return`, {
        ...ref(),
        out_request_no: `SEEDBUSY${i}`,
      })
      statuses.push(r.status)
    }
    assert.equal(await exited, 0, err)
    assert.ok(statuses.length > 0)
    assert.deepEqual([...new Set(statuses)], [200], `server writes during the seed: ${statuses}`)
    assert.match(
      err,
      /seeded 20000 coupons \(USED,EFFECTIVE,CONFIRMING\) in [\d.]+ s: \d+ coupons\/s/,
    )

    // Each state of the new seed takes its next step through the API.
    const more = JSON.parse(out) as SeedSummary
    const on = { ...ref(), product_coupon_id: more.product_coupon_id, stock_id: more.stock_id }
    const path = (i: number) => {
      const c = seededCoupon(more, i)
      return `${API}/users/${c.openid}/coupons/${c.coupon_code}`
    }
    const steps = [
      ['return', 0, {}, 'EFFECTIVE'],
      ['use', 1, { use_time: more.time, associated_order_info: { transaction_id: 'T1' } }, 'USED'],
      ['confirm', 2, {}, 'EFFECTIVE'],
    ] as const
    for (const [op, i, body, state] of steps) {
      const r = await s.call('POST', `${path(i)}/${op}`, {
        ...on,
        ...body,
        out_request_no: `SEEDSTEP${op}`,
      })
      assert.equal(r.status, 200, `${op}: ${r.text}`)
      assert.equal(r.json.coupon_state, state)
    }
  })
})

test('the built CLI prints a JSON summary the coupons can be found by', async () => {
  const dir = dataDir()
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      CLI,
      'seed',
      '--coupons',
      '300',
      '--state',
      'USED,EFFECTIVE',
      '--users',
      '7',
      '--data-dir',
      dir,
      '--json',
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } },
  )
  const seed = JSON.parse(stdout) as SeedSummary
  assert.equal(seed.count, 300)
  assert.equal(seed.database, 'sqlite')
  assert.deepEqual(seed.states, ['USED', 'EFFECTIVE'])
  assert.equal(seed.openids.length, 7)
  assert.equal(seed.ledger, false)
  assert.ok(seed.rate > 0 && seed.elapsed_ms >= 0)
  assert.match(stderr, /seeded 300 coupons/)
  const store = openStore({ dataDir: dir })
  try {
    assert.equal((await store.read.getStock(seed.stock_id))?.sentTotal, 300)
    for (const i of [0, 1, 150, 299]) {
      const c = seededCoupon(seed, i)
      const stored = await store.read.getUserCoupon(seed.stock_id, c.coupon_code)
      assert.equal(stored?.openid, c.openid)
      assert.equal(stored?.state, c.state)
      assert.equal(await store.read.hasOpenId(seed.appid, c.openid), true)
    }
    assert.equal(
      await store.read.getIdempotency(
        seed.brand_id,
        'send',
        seed.request_nos.send.replace('{i}', '000000000'),
      ),
      undefined,
    )
  } finally {
    await store.close()
  }
})
