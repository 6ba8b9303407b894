import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { after, before, test } from 'node:test'
import { behaviour } from '../src/domain/settings.ts'
import { formatRfc3339 } from '../src/domain/time.ts'
import { reqNo } from './helpers/fixtures.ts'
import { expectError, startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * Brand-direct mode follows the revision switch as partner mode does: a brand on 2025-11 gets
 * the bundle operations under /brand/… with its own signature and no brand_id anywhere, and
 * the revision's schemas (SEQUENTIAL refused as an unknown value); a brand on 2025-08 has no
 * bundle paths at all.
 */

const BRAND = '/brand/marketing/product-coupon'
const DAY = 86_400
let s: TestServer
let old: TestServer

before(async () => {
  ;[s, old] = await Promise.all([
    startTestServer(behaviour({ ...TEST_SETTINGS, revision: '2025-11' })),
    startTestServer(),
  ])
})
after(async () => {
  await Promise.all([s.close(), old.close()])
})

function brandBundleBody(t: TestServer, usageMode = 'PROGRESSIVE_BUNDLE') {
  const now = Math.floor(Date.now() / 1000)
  const period = {
    available_begin_time: formatRfc3339(now - DAY),
    available_end_time: formatRfc3339(now + 30 * DAY),
  }
  return {
    out_request_no: reqNo('BB'),
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: usageMode,
    progressive_bundle_usage_info: { count: 3, interval_days: 0 },
    display_info: {
      name: '品牌多次优惠',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
    },
    stock_bundle: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 10, max_count_per_user: 5 },
      progressive_bundle_usage_rule: {
        coupon_available_period: period,
        normal_coupon_list: [0, 1, 2].map((i) => ({
          threshold: 10000,
          discount_amount: 500 + i * 100,
        })),
      },
      usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: '可用' },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: t.sandbox.brand_direct?.appid },
      store_scope: 'NONE',
    },
  }
}

test('a 2025-11 brand creates and sends a coupon bundle under /brand/…; no brand_id comes back', async () => {
  const direct = s.sandbox.brand_direct
  assert.ok(direct)
  const created = await s.brandCall('POST', `${BRAND}/product-coupons`, brandBundleBody(s))
  assert.equal(created.status, 200, created.text)
  assert.equal(created.json.usage_mode, 'PROGRESSIVE_BUNDLE')
  assert.equal(created.text.includes('brand_id'), false, created.text)
  const sent = await s.brandCall('POST', `${BRAND}/users/${direct.openid}/coupon-bundles`, {
    product_coupon_id: created.json.product_coupon_id,
    stock_bundle_id: created.json.stock_bundle.stock_bundle_id,
    appid: direct.appid,
    send_request_no: reqNo('BS'),
  })
  assert.equal(sent.status, 200, sent.text)
  assert.equal(sent.json.user_product_coupon_list.length, 3)
  assert.equal(sent.text.includes('brand_id'), false, sent.text)
  const first = sent.json.user_product_coupon_list[0]
  const got = await s.brandCall(
    'GET',
    `${BRAND}/users/${direct.openid}/coupons/${first.coupon_code}?appid=${direct.appid}&product_coupon_id=${created.json.product_coupon_id}&stock_id=${first.stock.stock_id}`,
  )
  assert.equal(got.status, 200, got.text)
  assert.ok(got.json.user_product_coupon_bundle_info, got.text)
  assert.equal(got.text.includes('brand_id'), false, got.text)
})

test("a field of the other revision is the brand's PARAM_ERROR too, both ways", async () => {
  const seq = await s.brandCall(
    'POST',
    `${BRAND}/product-coupons`,
    brandBundleBody(s, 'SEQUENTIAL'),
  )
  expectError(seq, 400, 'PARAM_ERROR')
  const bundle = await old.brandCall('POST', `${BRAND}/product-coupons`, brandBundleBody(old))
  expectError(bundle, 400, 'PARAM_ERROR')
  // A 2025-08 brand has no bundle operations: the unknown route's answer.
  const direct = old.sandbox.brand_direct
  assert.ok(direct)
  const send = await old.brandCall('POST', `${BRAND}/users/${direct.openid}/coupon-bundles`, {
    product_coupon_id: '1000000000000001',
    stock_bundle_id: '100000000000000001',
    appid: direct.appid,
    send_request_no: reqNo('BS'),
  })
  assert.equal(send.status, 404, send.text)
})

test('direct credentials take a revision (default: the setting); that brand calls under it', async () => {
  const brandFor = async (revision?: string) => {
    const partner = await old.admin('POST', '/sandbox/partners', {})
    assert.equal(partner.status, 200, partner.text)
    const brand = await old.admin('POST', '/sandbox/brands', {
      partner_mchids: [partner.json.mchid],
    })
    assert.equal(brand.status, 200, brand.text)
    const c = await old.admin(
      'POST',
      `/sandbox/brands/${brand.json.brand_id}/direct-credentials`,
      revision === undefined ? {} : { revision },
    )
    assert.equal(c.status, 200, c.text)
    const creds = {
      brandId: c.json.brand_id,
      serialNo: c.json.serial_no,
      privateKey: createPrivateKey(c.json.private_key_pem),
      publicKeyId: c.json.public_key_id,
      publicKey: createPublicKey(c.json.public_key_pem),
    }
    old.trustBrand(creds)
    return creds
  }
  // Stock-bundle listing exists in 2025-11 only: a 404 route for a 2025-08 brand, a
  // not-found product coupon for a 2025-11 one.
  const probe = (brand: Awaited<ReturnType<typeof brandFor>>) =>
    old.brandCall(
      'POST',
      `${BRAND}/users/o-none/coupon-bundles`,
      {
        product_coupon_id: '1000000000000001',
        stock_bundle_id: '100000000000000001',
        appid: 'wx0000000000000000',
        send_request_no: reqNo('BS'),
      },
      { brand },
    )
  const eleven = await probe(await brandFor('2025-11'))
  const byDefault = await probe(await brandFor())
  assert.equal(byDefault.status, 404, byDefault.text)
  assert.equal(byDefault.json.message, '请求的资源不存在')
  // The 2025-11 brand reaches the service, which refuses the AppID it does not own.
  assert.equal(eleven.status, 400, eleven.text)
  assert.equal(eleven.json.detail?.field, '/appid', eleven.text)
  const bad = await old.admin('POST', '/sandbox/brands/1/direct-credentials', {
    revision: '2026-01',
  })
  assert.equal(bad.status, 400, bad.text)
})
