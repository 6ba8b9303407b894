import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createDecipheriv } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { behaviour } from '../src/domain/settings.ts'
import {
  API,
  body,
  couponPath,
  createProductCoupon,
  reqNo,
  sentCoupon,
  usedCoupon,
} from './helpers/fixtures.ts'
import { expectError, startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * Callbacks from the server's side (issue 4): notify config, the outbox, delivery checked by
 * tools not written here (openssl for the signature, Node's crypto per the spec for
 * AES-GCM), the retry schedule driven by the sandbox clock, restarts, and address safety.
 * One receiver and one server walk the whole schedule, so the file stays whole.
 */

interface Delivery {
  headers: IncomingHttpHeaders
  body: string
}

/** A loopback receiver that records every delivery and answers with `status()`. */
async function receiver(status: (n: number) => number, port = 0) {
  const deliveries: Delivery[] = []
  const server: Server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => {
      text += c.toString()
    })
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: text })
      res.statusCode = status(deliveries.length)
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  const address = server.address()
  const boundPort = typeof address === 'object' && address ? address.port : 0
  return {
    deliveries,
    url: `http://127.0.0.1:${boundPort}/wxcoupon/notify`,
    port: boundPort,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function setNotifyUrl(s: TestServer, url: string) {
  const r = await s.call('POST', `${API}/notify-configs`, { notify_url: url })
  assert.equal(r.status, 200, r.text)
  return r
}

/** Polls the sandbox until `pred` holds (bounded: 200 × 25 ms). */
async function until<T>(f: () => Promise<T>, pred: (t: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f()
    if (pred(v)) return v
    await sleep(25)
  }
  throw new Error('condition not reached')
}

async function notifications(s: TestServer) {
  const r = await s.admin('GET', `/sandbox/notifications?mchid=${s.sandbox.partner.mchid}`)
  return r.json.notifications as {
    id: string
    event_type: string
    state: string
    plaintext: Record<string, string>
    attempts: { status?: number; error?: string; kind: string }[]
  }[]
}

describe('notify config (E1, E2)', () => {
  let s: TestServer
  before(async () => {
    s = await startTestServer()
  })
  after(() => s.close())

  test('set, read back, overwrite; bad URLs and unsafe addresses are refused', async () => {
    const fresh = await s.admin('POST', '/sandbox/partners', {})
    const { partnerFrom } = await import('./helpers/harness.ts')
    expectError(
      await s.call('GET', `${API}/notify-configs`, undefined, { partner: partnerFrom(fresh.json) }),
      404,
      'NOT_FOUND',
      '未设置商品券事件通知地址',
    )
    const r = await setNotifyUrl(s, 'https://example.com/notify')
    assert.equal(r.json.notify_url, 'https://example.com/notify')
    assert.match(r.json.update_time, /\+08:00$/)
    await setNotifyUrl(s, 'http://127.0.0.1:9/wx/notify')
    assert.equal(
      (await s.call('GET', `${API}/notify-configs`)).json.notify_url,
      'http://127.0.0.1:9/wx/notify',
    )
    for (const bad of [
      'http://127.0.0.1:9',
      'http://127.0.0.1:9/',
      'https://example.com/notify?x=1',
      'https://example.com/notify#x',
      'ftp://example.com/notify',
      '/notify',
      'https://user:pw@example.com/notify',
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/latest',
      'http://10.1.2.3/notify',
      `https://example.com/${'x'.repeat(300)}`,
    ]) {
      const e = await s.call('POST', `${API}/notify-configs`, { notify_url: bad })
      expectError(e, 400, 'PARAM_ERROR', undefined, { field: '/notify_url' })
    }
  })
})

describe('outbox and delivery', () => {
  let s: TestServer
  let rx: Awaited<ReturnType<typeof receiver>>
  before(async () => {
    s = await startTestServer()
    rx = await receiver(() => 204)
    await setNotifyUrl(s, rx.url)
  })
  after(async () => {
    await rx.close()
    await s.close()
  })

  test('each issued coupon has exactly one SEND notification; a failed send has none', async () => {
    const pc = await createProductCoupon(s, { maxCount: 1 })
    const send = () =>
      s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
        ...pc,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
        attach: 'order-42',
      })
    const ok = await send()
    assert.equal(ok.status, 200)
    assert.equal((await send()).status, 400)
    const list = await until(
      () => notifications(s),
      (l) =>
        l.some((n) => n.plaintext.coupon_code === ok.json.coupon_code && n.state === 'DELIVERED'),
    )
    const mine = list.filter((n) => n.plaintext.stock_id === pc.stock_id)
    assert.equal(mine.length, 1)
    const n = mine[0]
    assert.ok(n)
    assert.equal(n.event_type, 'PRODUCT_COUPON_SP.SEND')
    assert.deepEqual(Object.keys(n.plaintext).sort(), [
      'appid',
      'attach',
      'brand_id',
      'coupon_code',
      'openid',
      'product_coupon_id',
      'receive_time',
      'send_channel',
      'send_request_no',
      'stock_id',
      'valid_begin_time',
      'valid_end_time',
    ])
    assert.equal(n.plaintext.attach, 'order-42')
    assert.equal(n.plaintext.valid_end_time, ok.json.valid_end_time)
  })

  test('a delivery verifies with openssl and decrypts with Node crypto following only the spec', async () => {
    const c = await sentCoupon(s)
    const d = await until(
      async () => rx.deliveries.map((x) => ({ ...x, json: JSON.parse(x.body) })),
      (l) =>
        l.some(
          (x) => x.headers['wechatpay-signature'] && decrypt(x.json).coupon_code === c.coupon_code,
        ),
    )
    const delivery = d.find((x) => decrypt(x.json).coupon_code === c.coupon_code)
    assert.ok(delivery)
    const h = delivery.headers
    assert.equal(h['content-type'], 'application/json')
    assert.equal(h['wechatpay-serial'], s.sandbox.platform.public_key_id)
    assert.ok(
      Math.abs(Number(h['wechatpay-timestamp']) - Date.now() / 1000) < 60,
      'real time, not the sandbox clock',
    )
    const env = delivery.json
    assert.match(env.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(env.event_type, 'PRODUCT_COUPON_SP.SEND')
    assert.equal(env.resource_type, 'encrypt-resource')
    assert.equal(env.summary, '商品券领券通知')
    assert.equal(env.resource.algorithm, 'AEAD_AES_256_GCM')
    assert.equal(env.resource.original_type, 'coupon')
    assert.equal(env.resource.associated_data, 'product_coupon_sp')
    assert.match(env.resource.nonce, /^[0-9A-Za-z]{12}$/)
    // Signature: `timestamp\nnonce\nbody\n`, SHA256withRSA, checked by openssl.
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cb-'))
    try {
      writeFileSync(
        join(dir, 'msg.txt'),
        `${h['wechatpay-timestamp']}\n${h['wechatpay-nonce']}\n${delivery.body}\n`,
      )
      writeFileSync(join(dir, 'sig.bin'), Buffer.from(String(h['wechatpay-signature']), 'base64'))
      const out = await promisify(execFile)('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        s.sandbox.platform.public_key_file,
        '-signature',
        join(dir, 'sig.bin'),
        join(dir, 'msg.txt'),
      ])
      assert.match(out.stdout, /Verified OK/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  /** AES-256-GCM per §10.3 with node:crypto directly: key = APIv3 key, IV = nonce, AAD, 16-byte tag. */
  function decrypt(env: {
    resource?: { ciphertext: string; nonce: string; associated_data: string }
  }) {
    if (!env.resource) return {}
    const data = Buffer.from(env.resource.ciphertext, 'base64')
    const d = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(s.sandbox.partner.apiv3_key),
      Buffer.from(env.resource.nonce),
    )
    d.setAAD(Buffer.from(env.resource.associated_data))
    d.setAuthTag(data.subarray(data.length - 16))
    return JSON.parse(
      Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8'),
    )
  }

  test('a channel issuance also notifies; USE/RETURN events are off by default', async () => {
    const pc = await createProductCoupon(s)
    const r = await s.admin('POST', '/sandbox/coupons/issue', {
      ...pc,
      appid: s.sandbox.appid,
      openid: s.sandbox.openid,
      send_channel: 'BRAND_MANAGE',
    })
    await until(
      () => notifications(s),
      (l) =>
        l.some(
          (n) =>
            n.plaintext.coupon_code === r.json.coupon_code &&
            n.plaintext.send_channel === 'BRAND_MANAGE',
        ),
    )
    const c = await usedCoupon(s)
    await s.call('POST', couponPath(c, 'return'), body(c, { out_request_no: reqNo('RET') }))
    const all = await notifications(s)
    assert.ok(!all.some((n) => n.event_type !== 'PRODUCT_COUPON_SP.SEND'))
  })
})

describe('retries on the sandbox clock, restart, safety', () => {
  test('fails 3 times, succeeds on the 4th; same id each time; nothing after success', async () => {
    const s = await startTestServer()
    const rx = await receiver((n) => (n <= 3 ? 500 : 204))
    try {
      await setNotifyUrl(s, rx.url)
      const c = await sentCoupon(s)
      const attempts = (k: number) =>
        until(
          () => notifications(s),
          (l) => (l[0]?.attempts.length ?? 0) >= k,
        )
      await attempts(1)
      // Standard schedule: 15 s, 15 s, 30 s after the 1st, 2nd and 3rd failures.
      for (const [k, wait] of [
        [2, 15],
        [3, 15],
        [4, 30],
      ] as const) {
        assert.equal(rx.deliveries.length, k - 1, 'no attempt before it is due')
        await s.admin('POST', '/sandbox/clock', { advance_seconds: wait })
        await attempts(k)
      }
      const [n] = await until(
        () => notifications(s),
        (l) => l[0]?.state === 'DELIVERED',
      )
      assert.ok(n)
      assert.deepEqual(
        n.attempts.map((a) => a.status),
        [500, 500, 500, 204],
      )
      assert.equal(n.plaintext.coupon_code, c.coupon_code)
      const ids = rx.deliveries.map((d) => JSON.parse(d.body).id)
      assert.deepEqual(ids, [n.id, n.id, n.id, n.id])
      await s.admin('POST', '/sandbox/clock', { advance_seconds: 86_400 })
      await sleep(400)
      assert.equal(rx.deliveries.length, 4, 'nothing is delivered twice after success')
    } finally {
      await rx.close()
      await s.close()
    }
  })

  test('no attempts while the partner has no notify URL; setting one releases them', async () => {
    const s = await startTestServer()
    const rx = await receiver(() => 204)
    try {
      const c = await sentCoupon(s)
      await sleep(300)
      const [waiting] = await notifications(s)
      assert.equal(waiting?.state, 'PENDING')
      assert.deepEqual(waiting?.attempts, [])
      await setNotifyUrl(s, rx.url)
      const [n] = await until(
        () => notifications(s),
        (l) => l[0]?.state === 'DELIVERED',
      )
      assert.equal(n?.plaintext.coupon_code, c.coupon_code)
      assert.equal(n?.attempts.length, 1)
    } finally {
      await rx.close()
      await s.close()
    }
  })

  test('pending callbacks survive a restart and are delivered after it', async () => {
    const s = await startTestServer()
    const down = await receiver(() => 204)
    const port = down.port
    await down.close()
    let rx: Awaited<ReturnType<typeof receiver>> | undefined
    try {
      await setNotifyUrl(s, `http://127.0.0.1:${port}/wxcoupon/notify`)
      const c = await sentCoupon(s)
      const [first] = await until(
        () => notifications(s),
        (l) => (l[0]?.attempts.length ?? 0) >= 1,
      )
      assert.ok(first?.attempts[0]?.error, 'the receiver was down')
      await s.server.close()
      rx = await receiver(() => 204, port)
      await s.start()
      await s.admin('POST', '/sandbox/clock', { advance_seconds: 15 })
      const [n] = await until(
        () => notifications(s),
        (l) => l[0]?.state === 'DELIVERED',
      )
      assert.equal(n?.plaintext.coupon_code, c.coupon_code)
      assert.equal(rx.deliveries.length, 1)
    } finally {
      await rx?.close()
      await s.close()
    }
  })

  test('a receiver that does not answer in time fails the attempt; the schedule can end in FAILED', async () => {
    const s = await startTestServer(
      behaviour({
        ...TEST_SETTINGS,
        notify: { ...TEST_SETTINGS.notify, timeoutMs: 200, schedule: 'fast' },
      }),
    )
    const hang = createServer(() => {})
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r))
    const address = hang.address()
    try {
      await setNotifyUrl(
        s,
        `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/cb`,
      )
      await sentCoupon(s)
      const [n] = await until(
        () => notifications(s),
        (l) => (l[0]?.attempts.length ?? 0) >= 1,
      )
      assert.match(n?.attempts[0]?.error ?? '', /no answer within 200 ms/)
      await s.admin('POST', '/sandbox/clock', { advance_seconds: 3600 })
      for (let i = 0; i < 12; i++) {
        await s.admin('POST', '/sandbox/clock', { advance_seconds: 60 })
        await sleep(250)
      }
      const done = await until(
        () => notifications(s),
        (l) => l[0]?.state === 'FAILED',
      )
      assert.equal(done[0]?.attempts.length, 10, 'the first attempt and 9 fast retries')
    } finally {
      hang.closeAllConnections()
      hang.close()
      await s.close()
    }
  })

  test('a host name is resolved and judged at delivery: localhost (loopback) is allowed', async () => {
    const s = await startTestServer()
    try {
      const rx = await receiver(() => 204)
      await setNotifyUrl(s, rx.url.replace('127.0.0.1', 'localhost'))
      await sentCoupon(s)
      await until(
        () => notifications(s),
        (l) => l[0]?.state === 'DELIVERED',
      )
      await rx.close()
    } finally {
      await s.close()
    }
  })

  test('USE and RETURN events when the setting asks for them', async () => {
    const s = await startTestServer(
      behaviour({
        ...TEST_SETTINGS,
        notify: { ...TEST_SETTINGS.notify, emitUseReturnEvents: true },
      }),
    )
    try {
      const c = await usedCoupon(s)
      await s.call('POST', couponPath(c, 'return'), body(c, { out_request_no: reqNo('RET') }))
      const types = (await notifications(s)).map((n) => n.event_type).sort()
      assert.deepEqual(types, [
        'PRODUCT_COUPON.RETURN',
        'PRODUCT_COUPON.USE',
        'PRODUCT_COUPON_SP.SEND',
      ])
    } finally {
      await s.close()
    }
  })
})
