import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseRfc3339 } from '../src/domain/time.ts'
import {
  API,
  body,
  confirmed,
  couponPath,
  getCoupon,
  reqNo,
  usedCoupon,
} from './helpers/fixtures.ts'
import { partnerFrom, startTestServer, type TestServer } from './helpers/harness.ts'

/** The external contract: bootstrap, sandbox.json, /sandbox/ controls, the clock, restarts. */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

describe('bootstrap and sandbox.json', () => {
  test('first start writes sandbox.json with the contract keys and working key files', () => {
    const file = JSON.parse(readFileSync(join(s.dataDir, 'sandbox.json'), 'utf8'))
    assert.equal(file.base_url, s.baseUrl)
    assert.match(file.base_url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(file.admin_token.length >= 20)
    assert.match(file.platform.public_key_id, /^PUB_KEY_ID_\d+$/)
    assert.equal(file.platform.public_key_file, join(s.dataDir, 'keys', 'wechatpay_public_key.pem'))
    assert.match(file.partner.mchid, /^\d+$/)
    assert.match(file.partner.serial_no, /^[0-9A-F]{40}$/)
    assert.equal(file.partner.private_key_file, join(s.dataDir, 'keys', 'apiclient_key.pem'))
    assert.match(file.partner.apiv3_key, /^[0-9A-Za-z]{32}$/)
    assert.match(file.brand_id, /^\d+$/)
    assert.match(file.appid, /^wx[0-9a-f]{16}$/)
    assert.match(file.openid, /^o[0-9A-Za-z_-]{27}$/)
    const key = createPrivateKey(readFileSync(file.partner.private_key_file))
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048)
    assert.match(
      readFileSync(file.partner.private_key_file, 'utf8'),
      /^-----BEGIN PRIVATE KEY-----/,
    )
    const pub = createPublicKey(readFileSync(file.platform.public_key_file))
    assert.equal(pub.asymmetricKeyDetails?.modulusLength, 2048)
    assert.match(readFileSync(file.platform.public_key_file, 'utf8'), /^-----BEGIN PUBLIC KEY-----/)
    assert.equal(
      statSync(file.partner.private_key_file).mode & 0o077,
      0,
      'private key not world-readable',
    )
  })

  test('a restart keeps keys, tenants, coupons and the clock; sandbox.json gets the new URL', async () => {
    const c = await usedCoupon(s)
    await s.admin('POST', '/sandbox/clock', { advance_seconds: 3600 })
    const clockBefore = parseRfc3339((await s.admin('GET', '/sandbox/clock')).json.now) ?? 0
    const before = JSON.parse(readFileSync(join(s.dataDir, 'sandbox.json'), 'utf8'))
    const keyBefore = readFileSync(before.partner.private_key_file, 'utf8')
    const couponBefore = await getCoupon(s, c)
    await s.restart()
    const afterFile = JSON.parse(readFileSync(join(s.dataDir, 'sandbox.json'), 'utf8'))
    assert.equal(afterFile.base_url, s.baseUrl)
    assert.deepEqual({ ...afterFile, base_url: '' }, { ...before, base_url: '' })
    assert.equal(readFileSync(afterFile.partner.private_key_file, 'utf8'), keyBefore)
    assert.deepEqual(await getCoupon(s, c), couponBefore)
    const clockAfter = parseRfc3339((await s.admin('GET', '/sandbox/clock')).json.now) ?? 0
    assert.ok(clockAfter >= clockBefore && clockAfter < clockBefore + 60, 'clock offset survives')
    const r = await s.call(
      'POST',
      couponPath(c, 'return'),
      body(c, { out_request_no: reqNo('RET') }),
    )
    assert.equal(r.status, 200, r.text)
  })
})

describe('/sandbox/ controls', () => {
  test('require the admin token (401 otherwise, compared safely for any length)', async () => {
    for (const token of ['', 'wrong', 'x'.repeat(500), `${s.sandbox.admin_token}x`]) {
      const r = await s.admin('POST', '/sandbox/partners', {}, token)
      assert.equal(r.status, 401)
      assert.equal(r.json.code, 'UNAUTHORIZED')
    }
    const partnerCreds = partnerFrom((await s.admin('POST', '/sandbox/partners', {})).json)
    // A partner's APIv3 signature is not an admin credential.
    const r = await s.call('POST', '/sandbox/partners', {}, { partner: partnerCreds })
    assert.equal(r.status, 401)
  })

  test('partners, brands, appids and openids make a working tenant', async () => {
    const p = await s.admin('POST', '/sandbox/partners', {})
    assert.equal(p.status, 200)
    assert.match(p.json.serial_no, /^[0-9A-F]{40}$/)
    assert.match(p.json.apiv3_key, /^[0-9A-Za-z]{32}$/)
    assert.match(p.json.private_key_pem, /BEGIN PRIVATE KEY/)
    const brand = await s.admin('POST', '/sandbox/brands', { partner_mchids: [p.json.mchid] })
    const appid = await s.admin('POST', '/sandbox/appids', { mchid: p.json.mchid })
    const openid = await s.admin('POST', '/sandbox/openids', { appid: appid.json.appid })
    assert.match(openid.json.openid, /^o[0-9A-Za-z_-]{27}$/)
    const partner = partnerFrom(p.json)
    const { productCouponBody } = await import('./helpers/fixtures.ts')
    const b = productCouponBody(s)
    const created = await s.call(
      'POST',
      `${API}/product-coupons`,
      {
        ...b,
        brand_id: brand.json.brand_id,
        stock: { ...b.stock, notify_config: { notify_appid: appid.json.appid } },
      },
      { partner },
    )
    assert.equal(created.status, 200, created.text)
    assert.equal(created.json.brand_id, brand.json.brand_id)
    const unknown = await s.admin('POST', '/sandbox/brands', { partner_mchids: ['1'] })
    assert.equal(unknown.status, 404)
    assert.equal((await s.admin('POST', '/sandbox/openids', { appid: 'wxnope' })).status, 404)
  })

  test('the clock moves forward only, and every business rule follows it', async () => {
    const c = await confirmed(s, { availableDays: 2 })
    const now = parseRfc3339((await s.admin('GET', '/sandbox/clock')).json.now) ?? 0
    assert.ok(Math.abs(now - Date.now() / 1000) < 4000, 'starts near real time')
    const back = await s.admin('POST', '/sandbox/clock', { advance_seconds: -1 })
    assert.equal(back.status, 400)
    const past = await s.admin('POST', '/sandbox/clock', { now: '2020-01-01T00:00:00+08:00' })
    assert.equal(past.status, 400)
    const used = await usedCoupon(s, { availableDays: 2 })
    const target = now + 3 * 86_400
    const moved = await s.admin('POST', '/sandbox/clock', {
      now: new Date(target * 1000).toISOString(),
    })
    assert.equal(moved.status, 200, moved.text)
    assert.ok((parseRfc3339(moved.json.now) ?? 0) >= target)
    assert.equal((await getCoupon(s, c)).coupon_state, 'EXPIRED', 'reads see expiry at once')
    assert.equal((await getCoupon(s, used)).coupon_state, 'USED', 'USED does not expire')
    const r = await s.call(
      'POST',
      couponPath(used, 'return'),
      body(used, { out_request_no: reqNo('RET') }),
    )
    assert.equal(r.status, 400)
    assert.equal(r.json.message, '用户券已过期', 'Q5: expired coupons cannot be returned')
    assert.match(r.headers.get('request-id') ?? '', /-268578776$/)
    const cfm = await s.call(
      'POST',
      couponPath(c, 'confirm'),
      body(c, { out_request_no: reqNo('CFM') }),
    )
    assert.equal(cfm.json.message, '用户券已过期')
    // The protocol keeps real time: requests signed now still pass the ±300 s check.
    assert.equal((await s.admin('POST', '/sandbox/clock', { advance_seconds: 0 })).status, 200)
  })
})
