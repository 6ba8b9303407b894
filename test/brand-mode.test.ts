import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { parseBrandNotification, WxCouponBrandClient } from '../packages/sdk/src/index.ts'
import {
  readCallbackEnvelope,
  readCallbackResource,
} from '../packages/sdk/src/protocol/callback-envelope.ts'
import { verifyResponseSignature } from '../packages/sdk/src/protocol/response-signature.ts'
import { behaviour } from '../src/domain/settings.ts'
import { API, productCouponBody, reqNo } from './helpers/fixtures.ts'
import {
  type BrandCreds,
  expectError,
  startTestServer,
  TEST_SETTINGS,
  type TestServer,
} from './helpers/harness.ts'

/**
 * Brand-direct mode end to end: /brand/marketing/product-coupon on the same engine, signed
 * with the brand scheme, the Wechatpay-Serial check, no brand_id on the wire, creator-scoped
 * visibility between partner and brand, and the brand's own callbacks.
 */

const BRAND = '/brand/marketing/product-coupon'
let s: TestServer
before(async () => {
  s = await startTestServer(
    behaviour({
      ...TEST_SETTINGS,
      notify: { ...TEST_SETTINGS.notify, allowPrivateNetworks: true, schedule: 'fast' },
    }),
  )
})
after(() => s.close())

/** A create body for the brand: the partner body minus brand_id, with the brand's own AppID. */
function brandCouponBody() {
  const { brand_id: _, ...rest } = productCouponBody(s) as unknown as Record<string, unknown>
  const stock = rest.stock as Record<string, unknown>
  return {
    ...rest,
    stock: { ...stock, notify_config: { notify_appid: s.sandbox.brand_direct?.appid } },
  }
}

async function brandCoupon(): Promise<{ product_coupon_id: string; stock_id: string }> {
  const r = await s.brandCall('POST', `${BRAND}/product-coupons`, brandCouponBody())
  assert.equal(r.status, 200, r.text)
  return { product_coupon_id: r.json.product_coupon_id, stock_id: r.json.stock.stock_id }
}

test('sandbox.json: a ready brand-direct tenant, as the contract spells it', () => {
  const b = s.sandbox.brand_direct
  assert.ok(b)
  assert.deepEqual(Object.keys(b).sort(), [
    'api_key',
    'appid',
    'brand_id',
    'openid',
    'private_key_file',
    'public_key_file',
    'public_key_id',
    'serial_no',
  ])
  assert.equal(b.brand_id, s.sandbox.brand_id)
  assert.match(b.public_key_id, /^PUB_KEY_ID_[0-9]{32}$/)
  assert.match(b.serial_no, /^[0-9A-F]{40}$/)
  assert.equal(b.api_key.length, 32)
  assert.ok(isAbsolute(b.private_key_file) && isAbsolute(b.public_key_file))
  assert.equal(s.brand.publicKeyId, b.public_key_id)
})

test('a brand runs the coupon lifecycle itself; nothing it gets back names a brand_id', async () => {
  const pc = await brandCoupon()
  const get = await s.brandCall('GET', `${BRAND}/product-coupons/${pc.product_coupon_id}`)
  assert.equal(get.status, 200, get.text)
  assert.equal(get.headers.get('wechatpay-serial'), s.brand.publicKeyId)
  const { appid, openid } = s.sandbox.brand_direct ?? { appid: '', openid: '' }
  const sent = await s.brandCall('POST', `${BRAND}/users/${openid}/coupons`, {
    ...pc,
    appid,
    send_request_no: reqNo('BSEND'),
  })
  assert.equal(sent.status, 200, sent.text)
  assert.equal(sent.json.coupon_state, 'CONFIRMING')
  const path = `${BRAND}/users/${openid}/coupons/${sent.json.coupon_code}`
  const cfm = await s.brandCall('POST', `${path}/confirm`, {
    ...pc,
    appid,
    out_request_no: reqNo('BCFM'),
  })
  assert.equal(cfm.status, 200, cfm.text)
  const q = `?product_coupon_id=${pc.product_coupon_id}&stock_id=${pc.stock_id}&appid=${appid}`
  const uc = await s.brandCall('GET', `${path}${q}`)
  assert.equal(uc.status, 200, uc.text)
  assert.equal(uc.json.coupon_state, 'EFFECTIVE')
  const list = await s.brandCall('GET', `${BRAND}/product-coupons/${pc.product_coupon_id}/stocks`)
  assert.equal(list.status, 200, list.text)
  for (const r of [get, sent, cfm, uc, list]) assert.doesNotMatch(r.text, /brand_id/)
})

describe('the brand scheme and the Wechatpay-Serial', () => {
  test('a partner signature on a brand path, and a brand one on a partner path: 401 SIGN_ERROR', async () => {
    const a = await s.call('GET', `${BRAND}/notify-configs`)
    expectError(a, 401, 'SIGN_ERROR')
    const b = await s.brandCall('GET', `${API}/notify-configs`)
    expectError(b, 401, 'SIGN_ERROR')
  })

  test("missing, malformed or another brand's Wechatpay-Serial: 400 INVALID_REQUEST; changes nothing", async () => {
    const url = `${BRAND}/notify-configs`
    const body = { notify_url: 'https://example.com/never' }
    for (const serial of ['', `PUB_KEY_ID_${'1'.repeat(31)}`, `PUB_KEY_ID_${'0'.repeat(32)}`]) {
      const r = await s.brandCall('POST', url, body, { headers: { 'Wechatpay-Serial': serial } })
      expectError(r, 400, 'INVALID_REQUEST', undefined, { field: 'Wechatpay-Serial' })
    }
    const now = await s.brandCall('GET', url)
    assert.notEqual(now.json?.notify_url, 'https://example.com/never')
  })

  test('a bad brand signature carries the same sign_information detail as partner mode', async () => {
    const r = await s.brandCall('GET', `${BRAND}/notify-configs`, undefined, { signUrl: '/x' })
    expectError(r, 401, 'SIGN_ERROR')
    assert.equal(r.json.detail?.sign_information?.url, `${BRAND}/notify-configs`)
  })
})

describe('brand_id on the wire', () => {
  test("the signing brand's own brand_id in a body is ignored; another brand's is 400", async () => {
    const same = { ...brandCouponBody(), brand_id: s.brand.brandId }
    const ok = await s.brandCall('POST', `${BRAND}/product-coupons`, same)
    assert.equal(ok.status, 200, ok.text)
    const other = { ...brandCouponBody(), brand_id: '999999999' }
    expectError(
      await s.brandCall('POST', `${BRAND}/product-coupons`, other),
      400,
      'INVALID_REQUEST',
      undefined,
      {
        field: '/brand_id',
      },
    )
  })
})

describe("partners and brands do not see each other's product coupons", () => {
  let second: BrandCreds
  before(async () => {
    const b = await s.admin('POST', '/sandbox/brands', { partner_mchids: [] })
    assert.equal(b.status, 200, b.text)
    const c = await s.admin('POST', `/sandbox/brands/${b.json.brand_id}/direct-credentials`, {})
    assert.equal(c.status, 200, c.text)
    assert.deepEqual(Object.keys(c.json).sort(), [
      'api_key',
      'brand_id',
      'private_key_pem',
      'public_key_id',
      'public_key_pem',
      'serial_no',
    ])
    second = {
      brandId: c.json.brand_id,
      serialNo: c.json.serial_no,
      privateKey: createPrivateKey(c.json.private_key_pem),
      publicKeyId: c.json.public_key_id,
      publicKey: createPublicKey(c.json.public_key_pem),
    }
    s.trustBrand(second)
    const again = await s.admin('POST', `/sandbox/brands/${b.json.brand_id}/direct-credentials`, {})
    assert.equal(again.status, 409, again.text)
  })

  test('brand-created: the partner gets the not-found answer of a coupon that does not exist', async () => {
    const pc = await brandCoupon()
    const q = `?brand_id=${s.sandbox.brand_id}`
    const seen = await s.call('GET', `${API}/product-coupons/${pc.product_coupon_id}${q}`)
    const none = await s.call('GET', `${API}/product-coupons/1000000000000${q}`)
    expectError(seen, 404, 'NOT_FOUND')
    assert.deepEqual(seen.json, none.json)
  })

  test('partner-created: not visible to the brand (creator-scoped default)', async () => {
    const r = await s.call('POST', `${API}/product-coupons`, productCouponBody(s))
    assert.equal(r.status, 200, r.text)
    const seen = await s.brandCall('GET', `${BRAND}/product-coupons/${r.json.product_coupon_id}`)
    const none = await s.brandCall('GET', `${BRAND}/product-coupons/1000000000000`)
    expectError(seen, 404, 'NOT_FOUND')
    assert.deepEqual(seen.json, none.json)
  })

  test("another brand acting on this brand's coupon: the answer of one that does not exist", async () => {
    const pc = await brandCoupon()
    const path = `${BRAND}/product-coupons/${pc.product_coupon_id}/deactivate`
    const body = { out_request_no: reqNo('BDEACT'), deactivate_reason: 'x' }
    const foreign = await s.brandCall('POST', path, body, { brand: second })
    const none = await s.brandCall(
      'POST',
      `${BRAND}/product-coupons/1000000000000/deactivate`,
      body,
      {
        brand: second,
      },
    )
    expectError(foreign, 404, 'NOT_FOUND')
    assert.deepEqual(foreign.json, none.json)
    const still = await s.brandCall('GET', `${BRAND}/product-coupons/${pc.product_coupon_id}`)
    assert.notEqual(still.json.state, 'DEACTIVATED')
  })

  test('the same request number used by the partner and the brand: two requests, not a conflict', async () => {
    const no = reqNo('SHARED')
    const p = await s.call('POST', `${API}/product-coupons`, {
      ...productCouponBody(s),
      out_request_no: no,
    })
    assert.equal(p.status, 200, p.text)
    const b = await s.brandCall('POST', `${BRAND}/product-coupons`, {
      ...brandCouponBody(),
      out_request_no: no,
    })
    assert.equal(b.status, 200, b.text)
    assert.notEqual(p.json.product_coupon_id, b.json.product_coupon_id)
  })
})

test('faults by brand operation name hit the brand route only', async () => {
  const f = await s.admin('POST', '/sandbox/faults', {
    operation: 'brand_get_notify_config',
    mode: 'SYSTEM_ERROR',
    count: 1,
  })
  assert.equal(f.status, 200, f.text)
  expectError(await s.brandCall('GET', `${BRAND}/notify-configs`), 500, 'SYSTEM_ERROR')
  assert.notEqual((await s.brandCall('GET', `${BRAND}/notify-configs`)).status, 500)
})

test('PRODUCT_COUPON.SEND reaches the brand: its API key decrypts it (AAD product_coupon), its public key signed it', async () => {
  const got: { headers: IncomingHttpHeaders; body: string }[] = []
  const rx = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => {
      text += c.toString()
    })
    req.on('end', () => {
      got.push({ headers: req.headers, body: text })
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r))
  const port = (rx.address() as { port: number }).port
  try {
    const cfg = await s.brandCall('POST', `${BRAND}/notify-configs`, {
      notify_url: `http://127.0.0.1:${port}/n`,
    })
    assert.equal(cfg.status, 200, cfg.text)
    const pc = await brandCoupon()
    const { appid, openid } = s.sandbox.brand_direct ?? { appid: '', openid: '' }
    const sent = await s.brandCall('POST', `${BRAND}/users/${openid}/coupons`, {
      ...pc,
      appid,
      send_request_no: reqNo('BS'),
    })
    assert.equal(sent.status, 200, sent.text)
    // Earlier sends of this file were queued before the notify URL was set: pick this one's.
    const mine = () =>
      got.find((g) => {
        const env = readCallbackEnvelope(Buffer.from(g.body))
        const key = s.sandbox.brand_direct?.api_key ?? ''
        return readCallbackResource(env, key).coupon_code === sent.json.coupon_code
      })
    for (let i = 0; i < 200 && !mine(); i++) await sleep(25)
    const d = mine()
    assert.ok(d, 'delivered')
    assert.equal(d.headers['wechatpay-serial'], s.brand.publicKeyId)
    assert.equal(d.headers['wechatpay-signature-type'], 'WECHATPAY-BRAND-SHA256-RSA2048')
    const verdict = verifyResponseSignature({
      headers: (n) => d.headers[n.toLowerCase()] as string | undefined,
      body: d.body,
      publicKey: s.brand.publicKey,
      publicKeyId: s.brand.publicKeyId,
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    assert.deepEqual(verdict, { ok: true })
    const env = readCallbackEnvelope(Buffer.from(d.body))
    assert.equal(env.event_type, 'PRODUCT_COUPON.SEND')
    assert.equal(env.resource.original_type, 'product_coupon')
    assert.equal(env.resource.associated_data, 'product_coupon')
    const b = s.sandbox.brand_direct
    assert.ok(b)
    const n = parseBrandNotification({
      headers: d.headers,
      body: d.body,
      publicKey: b.public_key_file,
      publicKeyId: b.public_key_id,
      apiKey: b.api_key,
    })
    assert.equal(n.event_type, 'PRODUCT_COUPON.SEND')
    assert.equal(n.data.coupon_code, sent.json.coupon_code)
    assert.equal(n.data.brand_id, s.brand.brandId)
    assert.throws(() =>
      parseBrandNotification({
        headers: d.headers,
        body: d.body,
        publicKey: b.public_key_file,
        publicKeyId: b.public_key_id,
        apiKey: 'x'.repeat(32),
      }),
    )
  } finally {
    await new Promise<void>((r) => rx.close(() => r()))
  }
})

test('the SDK brand client: typed brand methods, signed and verified under the brand scheme', async () => {
  const b = s.sandbox.brand_direct
  assert.ok(b)
  const client = new WxCouponBrandClient({
    brandId: b.brand_id,
    serialNo: b.serial_no,
    privateKey: b.private_key_file,
    publicKey: b.public_key_file,
    publicKeyId: b.public_key_id,
    baseUrl: s.baseUrl,
  })
  const created = await client.createProductCoupon(brandCouponBody() as never)
  const pc = await client.getProductCoupon({ product_coupon_id: created.product_coupon_id })
  assert.equal(pc.product_coupon_id, created.product_coupon_id)
  assert.equal('brand_id' in pc, false)
  const stockId = created.stock?.stock_id
  assert.ok(stockId, 'a SINGLE create answers its stock')
  const coupon = await client.sendCoupon({
    openid: b.openid,
    product_coupon_id: created.product_coupon_id,
    stock_id: stockId,
    appid: b.appid,
    send_request_no: reqNo('SDKB'),
  })
  assert.equal(coupon.coupon_state, 'CONFIRMING')
  const stocks = []
  for await (const st of client.iterateStocks({ product_coupon_id: created.product_coupon_id }))
    stocks.push(st)
  assert.equal(stocks.length, 1)
  // A client holding another id than the brand's key: the server refuses the Wechatpay-Serial.
  await assert.rejects(
    new WxCouponBrandClient({
      brandId: b.brand_id,
      serialNo: b.serial_no,
      privateKey: b.private_key_file,
      publicKey: b.public_key_file,
      publicKeyId: `PUB_KEY_ID_${'0'.repeat(32)}`,
      baseUrl: s.baseUrl,
      retry: { maxRetries: 0 },
    }).getNotifyConfig(),
    (e: Error & { status?: number; code?: string }) =>
      e.status === 400 && e.code === 'INVALID_REQUEST',
  )
})

test('rate limits: per brand and brand operation, apart from the partner buckets', async () => {
  const limited = await startTestServer(
    behaviour({
      rateLimits: {
        enabled: true,
        per: 'brand',
        overrides: {
          brand_get_notify_config: { limit: 1, perSeconds: 3600 },
          get_notify_config: { limit: 1, perSeconds: 3600 },
        },
      },
    }),
  )
  try {
    const url = `${BRAND}/notify-configs`
    assert.notEqual((await limited.brandCall('GET', url)).status, 429)
    expectError(await limited.brandCall('GET', url), 429, 'RATELIMIT_EXCEEDED', undefined, {
      numeric: 270924289,
    })
    // The partner's bucket of the twin operation is its own.
    assert.notEqual((await limited.call('GET', `${API}/notify-configs`)).status, 429)
  } finally {
    await limited.close()
  }
})

test("docs/brand-mode.md's SDK example runs against the sandbox", {
  timeout: 120_000,
}, async () => {
  const root = new URL('..', import.meta.url).pathname
  const doc = readFileSync(join(root, 'docs/brand-mode.md'), 'utf8')
  const name = 'brand-example'
  const marker = `<!-- check: run-by test/brand-mode.test.ts ${name} -->\n\`\`\`ts\n`
  const start = doc.indexOf(marker)
  assert.ok(start >= 0, 'the example is marked')
  const code = doc.slice(start + marker.length, doc.indexOf('\n```', start + marker.length))
  // Inside the package, so `import … from 'wxcoupon'` resolves to it; run where .wxcoupon is.
  const dir = join(root, 'test', '.brand-example')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `example-${process.pid}.ts`)
  writeFileSync(file, `${code}\n`)
  const cwd = mkdtempSync(join(tmpdir(), 'wxcoupon-brand-example-'))
  symlinkSync(s.dataDir, join(cwd, '.wxcoupon'))
  try {
    const r = await promisify(execFile)(
      process.execPath,
      ['--conditions=wxcoupon-source', '--import', import.meta.resolve('tsx'), file],
      { cwd },
    )
    assert.equal(r.stdout.trim(), 'CONFIRMING')
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(cwd, { recursive: true, force: true })
  }
})
