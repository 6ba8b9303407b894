import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { type Sandbox, startSandbox } from '../src/index.ts'
import { createTestDatabase, pgSkipReason } from '../src/store/pg-test-db.fixture.ts'

/**
 * The request journal: every /v3/ request with the Request-ID its client got, newest first,
 * filtered, with secrets shortened or hidden, bounded per tenant, cleared by reset, and shared
 * by every instance on one PostgreSQL database.
 */
const API = '/v3/marketing/partner/product-coupon'

async function withSandbox(f: (sb: Sandbox) => Promise<void>, journalSize?: number) {
  const sb = await startSandbox(journalSize === undefined ? {} : { journalSize })
  try {
    await f(sb)
  } finally {
    await sb.close()
  }
}

test('each request is journaled with the Request-ID its client got, newest first', async () => {
  await withSandbox(async (sb) => {
    const wx = sb.client({ retry: { maxRetries: 0 } })
    await wx.setNotifyConfig({ notify_url: 'http://127.0.0.1:9/wxcoupon/notify' })
    const got = await wx.getNotifyConfig().then(() => 'ok')
    const missing = await wx
      .getStock({
        product_coupon_id: '1000000000999',
        stock_id: '1',
        brand_id: sb.credentials.brand_id,
      })
      .catch((e: { requestId?: string }) => e.requestId)
    assert.equal(got, 'ok')
    const { data } = await sb.admin.listRequests()
    assert.deepEqual(
      data.map((e) => e.operation),
      ['get_stock', 'get_notify_config', 'set_notify_config'],
    )
    assert.equal(
      data[0]?.request_id,
      missing,
      'the failed call: the header with its numeric suffix',
    )
    assert.match(data[0]?.request_id ?? '', /^[0-9A-F]{42}-\d+$/)
    assert.equal(data[0]?.status, 404)
    assert.equal(data[0]?.code, 'NOT_FOUND')
    assert.equal(data[0]?.verification.result, 'verified')
    assert.equal(data[0]?.mchid, sb.credentials.partner.mchid)
    const set = data[2]
    assert.equal(set?.method, 'POST')
    assert.equal(set?.url, `${API}/notify-configs`)
    assert.deepEqual(JSON.parse(set?.request.body ?? ''), {
      notify_url: 'http://127.0.0.1:9/wxcoupon/notify',
    })
    assert.equal(set?.response.headers['request-id'], set?.request_id)
    const auth = set?.request.headers.authorization ?? ''
    assert.match(auth, /signature="[^"]{6}…\(344 characters\)"/, 'the signature is shortened')
    const only = await sb.admin.listRequests({ status: '4xx' })
    assert.deepEqual(
      only.data.map((e) => e.request_id),
      [missing],
    )
    const one = await sb.admin.listRequests({ request_id: set?.request_id ?? '' })
    assert.equal(one.data.length, 1)
  })
})

test('a failed signature keeps the string the server checked, and no secret', async () => {
  await withSandbox(async (sb) => {
    const { mchid, serial_no } = sb.credentials.partner
    const ts = Math.floor(Date.now() / 1000)
    const res = await fetch(`${sb.baseUrl}${API}/notify-configs`, {
      headers: {
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="abc",signature="c2lnbmF0dXJlLW5vdC1yZWFs",timestamp="${ts}",serial_no="${serial_no}"`,
      },
    })
    assert.equal(res.status, 401)
    const bearer = await fetch(`${sb.baseUrl}${API}/notify-configs`, {
      headers: { Authorization: `Bearer ${sb.credentials.admin_token}` },
    })
    assert.equal(bearer.status, 401)
    const { data } = await sb.admin.listRequests()
    const [hidden, failed] = data
    assert.equal(failed?.request_id, res.headers.get('request-id'))
    assert.equal(failed?.verification.result, 'failed')
    assert.equal(failed?.verification.signed_message, `GET\n${API}/notify-configs\n${ts}\nabc\n\n`)
    assert.equal(failed?.mchid, mchid, 'a known partner named by a bad signature')
    const text = JSON.stringify(data)
    assert.ok(!text.includes('c2lnbmF0dXJlLW5vdC1yZWFs'), 'the signature is shortened')
    assert.ok(!text.includes(sb.credentials.admin_token), 'the admin token is hidden')
    assert.ok(!text.includes(sb.credentials.partner.apiv3_key), 'no APIv3 key')
    assert.match(hidden?.request.headers.authorization ?? '', /^Bearer \[hidden, \d+ characters\]$/)
    assert.equal(hidden?.mchid, undefined, 'no partner proven')
  })
})

test('the journal keeps about the newest N per tenant; made-up merchants share one bucket', async () => {
  await withSandbox(async (sb) => {
    const wx = sb.client({ retry: { maxRetries: 0 } })
    for (let i = 0; i < 130; i++) await wx.getNotifyConfig().catch(() => {})
    for (let i = 0; i < 70; i++) {
      await fetch(`${sb.baseUrl}${API}/notify-configs`, {
        headers: {
          Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${1_000_000 + i}",nonce_str="n",signature="s",timestamp="1",serial_no="x"`,
        },
      })
    }
    const mine = await sb.admin.listRequests({ mchid: sb.credentials.partner.mchid, limit: '500' })
    assert.ok(mine.data.length >= 10, 'at least the newest 10 are kept')
    assert.ok(mine.data.length <= 10 + 50 + 1, `pruned: ${mine.data.length} kept`)
    const all = await sb.admin.listRequests({ limit: '500' })
    const unproven = all.data.filter((e) => e.mchid === undefined)
    assert.ok(unproven.length <= 10 + 50 + 1, `one bounded bucket: ${unproven.length}`)
    assert.ok(
      mine.data.every((e, i) => i === 0 || (mine.data[i - 1]?.seq ?? 0) > e.seq),
      'newest first',
    )
  }, 10)
})

test('reset clears the journal; reset with clock brings the clock back to real time', async () => {
  await withSandbox(async (sb) => {
    await sb
      .client()
      .getNotifyConfig()
      .catch(() => {})
    await sb.admin.setClock({ advance_seconds: 30 * 86_400 })
    assert.ok(Date.parse((await sb.admin.getClock()).now) > Date.now() + 29 * 86_400_000)
    await sb.admin.reset()
    assert.deepEqual((await sb.admin.listRequests()).data, [])
    assert.ok(Date.parse((await sb.admin.getClock()).now) > Date.now() + 29 * 86_400_000, 'kept')
    const r = await sb.admin.reset({ clock: true })
    assert.ok(Math.abs(Date.parse(r.clock ?? '') - Date.now()) < 5_000, 'back to real time')
    await sb.admin.setClock({ advance_seconds: 60 })
    const after = Date.parse((await sb.admin.getClock()).now)
    assert.ok(after > Date.now() + 50_000 && after < Date.now() + 70_000, 'moves on from there')
  })
})

test('faults are removed one by one; an unknown id is a 404', async () => {
  await withSandbox(async (sb) => {
    const a = await sb.admin.addFault({ operation: 'return', mode: 'SYSTEM_ERROR', count: 1 })
    const b = await sb.admin.addFault({ operation: 'send', mode: 'SYSTEM_ERROR', count: 1 })
    const left = await sb.admin.removeFault({ fault_id: a.fault_id })
    assert.deepEqual(
      left.faults.map((f) => f.fault_id),
      [b.fault_id],
    )
    await assert.rejects(sb.admin.removeFault({ fault_id: a.fault_id }), { status: 404 })
  })
})

test('instances on one PostgreSQL database see each other’s requests and clock reset', async (t) => {
  const skip = await pgSkipReason()
  if (skip) return t.skip(skip)
  const db = await createTestDatabase()
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'wxcoupon-pgj-')))
  const [a, b] = await Promise.all(
    dirs.map((dataDir) => startSandbox({ dataDir, databaseUrl: db.url })),
  )
  try {
    assert.ok(a && b)
    const got = await a
      .client({ retry: { maxRetries: 0 } })
      .getNotifyConfig()
      .catch((e: { requestId?: string }) => e.requestId)
    let seen: string | undefined
    for (let i = 0; i < 50 && seen === undefined; i++) {
      seen = (await b.admin.listRequests()).data.find((e) => e.request_id === got)?.request_id
      if (!seen) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(seen, got, "B's journal shows A's request")
    await a.admin.setClock({ advance_seconds: 86_400 })
    await b.admin.reset({ clock: true })
    assert.ok(Math.abs(Date.parse((await a.admin.getClock()).now) - Date.now()) < 5_000)
  } finally {
    await Promise.all([a?.close(), b?.close()])
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await db.drop()
  }
})
