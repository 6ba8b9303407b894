import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { behaviour } from '../src/domain/settings.ts'
import {
  API,
  body,
  type CouponRef,
  confirmed,
  couponPath,
  getCoupon,
  productCouponBody,
  reqNo,
  usedCoupon,
} from './helpers/fixtures.ts'
import { expectError, startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/** Issue 3 §4–§5: review, wallet deletion, channels, tenants, faults, reset, rate limits. */

let s: TestServer
before(async () => {
  s = await startTestServer(behaviour({ ...TEST_SETTINGS, approval: 'manual' }))
})
after(() => s.close())

async function approved() {
  const r = await s.call('POST', `${API}/product-coupons`, productCouponBody(s))
  assert.equal(r.json.state, 'AUDITING')
  await s.admin('POST', `/sandbox/product-coupons/${r.json.product_coupon_id}/approve`)
  await s.admin('POST', `/sandbox/stocks/${r.json.stock.stock_id}/approve`)
  return {
    product_coupon_id: r.json.product_coupon_id as string,
    stock_id: r.json.stock.stock_id as string,
  }
}

const sendTo = (pc: { product_coupon_id: string; stock_id: string }) =>
  s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
    ...pc,
    appid: s.sandbox.appid,
    brand_id: s.sandbox.brand_id,
    send_request_no: reqNo('SEND'),
  })

describe('review and pause', () => {
  test('reject keeps a product coupon and its stock from ever sending', async () => {
    const r = await s.call('POST', `${API}/product-coupons`, productCouponBody(s))
    const rejected = await s.admin(
      'POST',
      `/sandbox/product-coupons/${r.json.product_coupon_id}/reject`,
      { reason: '图片不合规' },
    )
    assert.equal(rejected.json.state, 'DEACTIVATED')
    assert.equal(rejected.json.deactivate_reason, '图片不合规')
    const st = await s.call(
      'GET',
      `${API}/product-coupons/${r.json.product_coupon_id}/stocks/${r.json.stock.stock_id}?brand_id=${s.sandbox.brand_id}`,
    )
    assert.equal(st.json.state, 'DEACTIVATED')
    expectError(
      await s.admin('POST', `/sandbox/product-coupons/${r.json.product_coupon_id}/approve`),
      400,
      'INVALID_REQUEST',
    )
  })

  test('pause stops sends, resume restarts them', async () => {
    const pc = await approved()
    assert.equal(
      (await s.admin('POST', `/sandbox/stocks/${pc.stock_id}/pause`)).json.state,
      'PAUSED',
    )
    expectError(await sendTo(pc), 400, 'INVALID_REQUEST', '商品券批次状态不是发放中')
    expectError(
      await s.admin('POST', `/sandbox/stocks/${pc.stock_id}/pause`),
      400,
      'INVALID_REQUEST',
      '批次状态非法',
    )
    assert.equal(
      (await s.admin('POST', `/sandbox/stocks/${pc.stock_id}/resume`)).json.state,
      'SENDING',
    )
    assert.equal((await sendTo(pc)).status, 200)
  })
})

describe('users and channels', () => {
  test('a coupon the user deleted is DELETED; a return then fails with 272756769', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 3 }, 1)
    const del = await s.admin(
      'POST',
      `/sandbox/users/${c.openid}/coupons/${c.coupon_code}/delete`,
      { stock_id: c.stock_id },
    )
    assert.equal(del.json.coupon_state, 'DELETED')
    const items = del.json.sequential_usage_detail.detail_item_list
    assert.equal(items[0].detail_state, 'USED')
    assert.equal(items[1].detail_state, 'DELETED')
    assert.ok(items[1].delete_time)
    const r = await s.call(
      'POST',
      couponPath(c, 'return'),
      body(c, { out_request_no: reqNo('RET'), sequential_coupon_index: 0 }),
    )
    expectError(r, 400, 'INVALID_REQUEST', '券已被删除')
    assert.match(r.headers.get('request-id') ?? '', /-272756769$/)
  })

  test('other channels issue CONFIRMING coupons with their channel data', async () => {
    const pc = await approved()
    const r = await s.admin('POST', '/sandbox/coupons/issue', {
      ...pc,
      appid: s.sandbox.appid,
      openid: s.sandbox.openid,
      send_channel: 'MERCHANT_CARD',
      channel_custom_info: '{"card":"vip"}',
    })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'CONFIRMING')
    assert.equal(r.json.send_channel, 'MERCHANT_CARD')
    assert.equal(r.json.channel_custom_info, '{"card":"vip"}')
    assert.match(r.json.send_request_no, /^MERCHANT_CARD_/)
    const c = {
      ...pc,
      coupon_code: r.json.coupon_code,
      openid: s.sandbox.openid,
      appid: s.sandbox.appid,
      brand_id: s.sandbox.brand_id,
    }
    const confirmedCoupon = await s.call(
      'POST',
      couponPath(c, 'confirm'),
      body(c, { out_request_no: reqNo('CFM') }),
    )
    assert.equal(confirmedCoupon.json.coupon_state, 'EFFECTIVE')
  })
})

describe('tenants', () => {
  test('lists, revoking a brand (→ 403) and unbinding an AppID (→ AppID非法)', async () => {
    const partners = await s.admin('GET', '/sandbox/partners')
    assert.ok(partners.json.some((p: { mchid: string }) => p.mchid === s.sandbox.partner.mchid))
    assert.ok(!JSON.stringify(partners.json).includes('apiv3'), 'no secrets in lists')
    const brands = await s.admin('GET', '/sandbox/brands')
    assert.ok(
      brands.json.some(
        (b: { brand_id: string; partner_mchids: string[] }) =>
          b.brand_id === s.sandbox.brand_id && b.partner_mchids.includes(s.sandbox.partner.mchid),
      ),
    )
    const appids = await s.admin('GET', '/sandbox/appids')
    assert.ok(appids.json.some((a: { appid: string }) => a.appid === s.sandbox.appid))

    const brand = (
      await s.admin('POST', '/sandbox/brands', { partner_mchids: [s.sandbox.partner.mchid] })
    ).json.brand_id
    const b = productCouponBody(s)
    assert.equal(
      (await s.call('POST', `${API}/product-coupons`, { ...b, brand_id: brand })).status,
      200,
    )
    const revoked = await s.admin(
      'DELETE',
      `/sandbox/brands/${brand}/partners/${s.sandbox.partner.mchid}`,
    )
    assert.equal(revoked.status, 200, revoked.text)
    expectError(
      await s.call('POST', `${API}/product-coupons`, {
        ...b,
        brand_id: brand,
        out_request_no: reqNo('C'),
      }),
      403,
      'NO_AUTH',
    )
    expectError(
      await s.admin('DELETE', `/sandbox/brands/${brand}/partners/${s.sandbox.partner.mchid}`),
      404,
      'NOT_FOUND',
    )

    const app = (await s.admin('POST', '/sandbox/appids', { mchid: s.sandbox.partner.mchid })).json
      .appid
    const user = (await s.admin('POST', '/sandbox/openids', { appid: app })).json.openid
    assert.equal((await s.admin('DELETE', `/sandbox/appids/${app}`)).status, 200)
    const q = `${API}/users/${user}/coupons?appid=${app}&brand_id=${s.sandbox.brand_id}`
    expectError(await s.call('GET', q), 400, 'INVALID_REQUEST', 'AppID非法')
  })
})

describe('faults and reset', () => {
  test('the next N returns fail with 500 and change nothing; then the same request succeeds', async () => {
    const c = await usedCoupon(s)
    const f = await s.admin('POST', '/sandbox/faults', {
      operation: 'return',
      mode: 'SYSTEM_ERROR',
      count: 2,
    })
    assert.equal(f.status, 200, f.text)
    const b = body(c, { out_request_no: reqNo('RET') })
    for (let i = 0; i < 2; i++) {
      expectError(
        await s.call('POST', couponPath(c, 'return'), b),
        500,
        'SYSTEM_ERROR',
        '系统异常，请稍后重试',
      )
      assert.equal((await getCoupon(s, c)).coupon_state, 'USED')
    }
    assert.equal((await s.call('POST', couponPath(c, 'return'), b)).json.coupon_state, 'EFFECTIVE')
    assert.deepEqual((await s.admin('GET', '/sandbox/faults')).json.faults, [])
  })

  test('a probability fault answers 429 until cleared; delays slow calls down; bad specs are refused', async () => {
    const c = await confirmed(s)
    await s.admin('POST', '/sandbox/faults', {
      operation: '*',
      mode: 'RATELIMIT_EXCEEDED',
      probability: 1,
    })
    const r = await s.call(
      'GET',
      `${couponPath(c)}?product_coupon_id=${c.product_coupon_id}&stock_id=${c.stock_id}&appid=${c.appid}&brand_id=${c.brand_id}`,
    )
    expectError(r, 429, 'RATELIMIT_EXCEEDED', '请求超过接口频率限制')
    assert.match(r.headers.get('request-id') ?? '', /-270924289$/)
    assert.equal((await s.admin('DELETE', '/sandbox/faults')).status, 200)
    assert.equal((await getCoupon(s, c)).coupon_state, 'EFFECTIVE')
    const delay = await s.admin('POST', '/sandbox/faults', {
      operation: 'get_user_coupon',
      mode: 'DELAY',
      count: 1,
      delay_ms: 50,
    })
    assert.equal(delay.json.mode, 'DELAY')
    assert.equal((await getCoupon(s, c)).coupon_state, 'EFFECTIVE', 'a delayed call still answers')
    assert.deepEqual((await s.admin('GET', '/sandbox/faults')).json.faults, [], 'used up')
    expectError(
      await s.admin('POST', '/sandbox/faults', { operation: 'return', mode: 'SYSTEM_ERROR' }),
      400,
      'PARAM_ERROR',
    )
    expectError(
      await s.admin('POST', '/sandbox/faults', { operation: 'return', mode: 'DELAY', count: 1 }),
      400,
      'PARAM_ERROR',
    )
  })

  test('reset wipes coupons but keeps tenants and keys', async () => {
    const c = await confirmed(s)
    assert.equal((await s.admin('POST', '/sandbox/reset')).status, 200)
    const gone = await s.call(
      'GET',
      `${API}/product-coupons/${c.product_coupon_id}?brand_id=${c.brand_id}`,
    )
    expectError(gone, 404, 'NOT_FOUND')
    assert.equal((await approved()).stock_id.length > 0, true, 'the same tenant keeps working')
  })
})

describe('rate limits', () => {
  test('per brand and operation, 429 in WeChat shape with no state change', async () => {
    const r = await startTestServer(
      behaviour({
        rateLimits: {
          enabled: true,
          per: 'brand',
          overrides: { return: { limit: 2, perSeconds: 3600 } },
        },
      }),
    )
    try {
      const first = await usedCoupon(r)
      const second = await usedCoupon(r)
      const third = await usedCoupon(r)
      const ret = (c: CouponRef) =>
        r.call('POST', couponPath(c, 'return'), body(c, { out_request_no: reqNo('RET') }))
      assert.equal((await ret(first)).status, 200)
      assert.equal((await ret(second)).status, 200)
      expectError(await ret(third), 429, 'RATELIMIT_EXCEEDED', '请求超过接口频率限制')
      assert.equal((await getCoupon(r, third)).coupon_state, 'USED')
      // Another brand of the same partner has its own budget: this call reaches the rules.
      const brand = (
        await r.admin('POST', '/sandbox/brands', { partner_mchids: [r.sandbox.partner.mchid] })
      ).json.brand_id
      expectError(await ret({ ...third, brand_id: brand }), 404, 'NOT_FOUND')
    } finally {
      await r.close()
    }
  })
})
