import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { inspect } from 'node:util'
import { SDK_VERSION, WxCouponClient, type WxCouponClientOptions } from '../index.ts'
import {
  assertNoPrivateKeyIn,
  clientOptions,
  fakeWechat,
  merchantKeys,
  platformKeys,
  thrownErrors,
  throwsWith,
} from './fake-wechat.fixture.ts'
import { BRAND_ID, PRODUCT_COUPON_ID, productCoupon } from './samples.fixture.ts'

after(() => assertNoPrivateKeyIn(thrownErrors))

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sdk-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The client works end to end: the fake server accepts its signature and it verifies the answer. */
async function assertWorks(overrides: Partial<WxCouponClientOptions>): Promise<void> {
  const server = fakeWechat(() => ({ body: productCoupon }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch, ...overrides }))
  const res = await client.getProductCoupon({
    product_coupon_id: PRODUCT_COUPON_ID,
    brand_id: BRAND_ID,
  })
  assert.deepEqual(res, productCoupon)
  assert.ok(server.requests[0]?.signed)
}

test('an unknown option is a TypeError that lists the allowed ones', () => {
  const options = { ...clientOptions(), apiKey: 'x', timeout: 5 } as WxCouponClientOptions
  const err = throwsWith(() => new WxCouponClient(options), TypeError)
  assert.match(err.message, /Unknown option\(s\) for WxCouponClient: apiKey, timeout\./)
  for (const key of ['mchid', 'privateKey', 'platformPublicKeyId', 'fetch', 'retry', 'timeoutMs']) {
    assert.match(err.message, new RegExp(`\\b${key}\\b`))
  }
})

test('required options are checked', () => {
  for (const key of [
    'mchid',
    'serialNo',
    'privateKey',
    'platformPublicKey',
    'platformPublicKeyId',
  ]) {
    const options: Record<string, unknown> = { ...clientOptions() }
    delete options[key]
    const err = throwsWith(() => new WxCouponClient(options as never), TypeError)
    assert.match(err.message, new RegExp(`^${key} `))
  }
  throwsWith(() => new WxCouponClient(clientOptions({ mchid: '1900\n000001' })), TypeError)
  throwsWith(() => new WxCouponClient(null as never), TypeError)
})

test('keys given as file paths are read at construction', async () => {
  const privatePath = join(dir, 'apiclient_key.pem')
  const publicPath = join(dir, 'pub_key.pem')
  writeFileSync(privatePath, merchantKeys.privateKey)
  writeFileSync(publicPath, platformKeys.publicKey)
  await assertWorks({ privateKey: privatePath, platformPublicKey: publicPath })
})

test('keys given as KeyObjects work', async () => {
  await assertWorks({ privateKey: createPrivateKey(merchantKeys.privateKey) })
})

test('an unreadable key path is reported without echoing the value', () => {
  // The armour-less Base64 body of a real key: exactly what must never reach a log.
  const bare = merchantKeys.privateKey.replace(/-----[^-]+-----/g, '').trim()
  const err = throwsWith(() => new WxCouponClient(clientOptions({ privateKey: bare })), TypeError)
  assert.match(err.message, /^privateKey is neither PEM text nor a readable file path/)
  const missing = throwsWith(
    () => new WxCouponClient(clientOptions({ platformPublicKey: join(dir, 'missing.pem') })),
    TypeError,
  )
  assert.match(missing.message, /ENOENT/)
})

test('malformed or mismatched key material is refused without echoing it', () => {
  const broken = merchantKeys.privateKey.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!')
  const err = throwsWith(() => new WxCouponClient(clientOptions({ privateKey: broken })), TypeError)
  assert.equal(err.message, 'privateKey is not a valid PEM private key')
  throwsWith(
    () => new WxCouponClient(clientOptions({ privateKey: platformKeys.publicKey })),
    TypeError,
  )
  throwsWith(
    () => new WxCouponClient(clientOptions({ platformPublicKey: '-----BEGIN PUBLIC KEY-----\nx' })),
    TypeError,
  )
})

test('the client does not expose key material through inspection or serialisation', () => {
  const client = new WxCouponClient(clientOptions())
  const body = merchantKeys.privateKey.split('\n')[1] ?? ''
  assert.ok(body.length > 16)
  assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes(body))
  assert.equal(JSON.stringify(client), '{}')
})

test('baseUrl must be an absolute http(s) URL without query, fragment or credentials', () => {
  for (const baseUrl of [
    'api.mch.weixin.qq.com',
    'ftp://x.test',
    'https://x.test/?a=1',
    'https://u:p@x.test',
  ]) {
    throwsWith(() => new WxCouponClient(clientOptions({ baseUrl })), TypeError)
  }
})

test('retry and timeout options are validated', () => {
  throwsWith(() => new WxCouponClient(clientOptions({ retry: { maxRetries: -1 } })), TypeError)
  throwsWith(() => new WxCouponClient(clientOptions({ retry: { initialDelayMs: 1.5 } })), TypeError)
  throwsWith(() => new WxCouponClient(clientOptions({ timeoutMs: 0 })), TypeError)
  throwsWith(() => new WxCouponClient(clientOptions({ fetch: 'no' as never })), TypeError)
})

test('userAgent replaces the default', async () => {
  const server = fakeWechat(() => ({ body: productCoupon }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch, userAgent: 'my-app/1.0' }))
  await client.getProductCoupon({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID })
  assert.equal(server.requests[0]?.headers['user-agent'], 'my-app/1.0')
})

test('SDK_VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  assert.equal(SDK_VERSION, pkg.version)
})
