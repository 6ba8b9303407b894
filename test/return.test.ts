import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  body,
  type CouponRef,
  confirmed,
  couponPath,
  getCoupon,
  reqNo,
  sentCoupon,
  useBody,
  usedCoupon,
} from './helpers/fixtures.ts'
import { expectError, partnerFrom, startTestServer, type TestServer } from './helpers/harness.ts'

/** E15 return (退券) end to end over loopback HTTP: rules, effects, idempotency (races: races.test.ts). */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

const returnIt = (c: CouponRef, extra: Record<string, unknown> = {}, no = reqNo('RET')) =>
  s.call('POST', couponPath(c, 'return'), body(c, { out_request_no: no, ...extra }))

async function storedVersion(c: CouponRef): Promise<number | undefined> {
  return (await s.server.store.read.getUserCoupon(c.stock_id, c.coupon_code))?.version
}

describe('SINGLE', () => {
  test('USED → EFFECTIVE; return_* recorded, use_* omitted; full entity answered', async () => {
    const c = await usedCoupon(s)
    const before = await getCoupon(s, c)
    assert.equal(before.coupon_state, 'USED')
    assert.ok(before.single_usage_detail.use_request_no)
    const no = reqNo('RET')
    const r = await returnIt(c, {}, no)
    assert.equal(r.status, 200, r.text)
    const e = r.json
    assert.equal(e.coupon_state, 'EFFECTIVE')
    assert.equal(e.single_usage_detail.return_request_no, no)
    assert.match(e.single_usage_detail.return_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/)
    assert.equal(e.single_usage_detail.use_request_no, undefined)
    assert.equal(e.single_usage_detail.use_time, undefined)
    assert.equal(e.single_usage_detail.associated_order_info, undefined)
    assert.equal(e.sequential_usage_detail, undefined)
    assert.equal(e.valid_begin_time, before.valid_begin_time)
    assert.equal(e.valid_end_time, before.valid_end_time)
    assert.equal(e.confirm_request_no, before.confirm_request_no)
    assert.equal(e.product_coupon.product_coupon_id, c.product_coupon_id)
    assert.equal(e.product_coupon.usage_mode, 'SINGLE')
    assert.equal(e.stock.stock_id, c.stock_id)
    assert.deepEqual(e.stock.sent_count_info, before.stock.sent_count_info, 'Q13: counters kept')
    assert.equal(e.brand_id, c.brand_id)
    assert.deepEqual(await getCoupon(s, c), e, 'query shows what return answered')
  })

  test('a returned coupon can be used again: USED with new use_* and the last return_*', async () => {
    const c = await usedCoupon(s)
    const no = reqNo('RET')
    assert.equal((await returnIt(c, {}, no)).status, 200)
    const use = await useBody(s, c)
    const r = await s.call('POST', couponPath(c, 'use'), use)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'USED')
    assert.equal(r.json.single_usage_detail.use_request_no, use.out_request_no)
    assert.equal(r.json.single_usage_detail.return_request_no, no)
  })

  test('only a USED coupon can be returned (CONFIRMING, EFFECTIVE, returned → 268578367)', async () => {
    const sent = await sentCoupon(s)
    expectError(await returnIt(sent), 400, 'INVALID_REQUEST', '用户券状态非法', {
      numeric: 268578367,
    })
    const eff = await confirmed(s)
    expectError(await returnIt(eff), 400, 'INVALID_REQUEST', '用户券状态非法', {
      numeric: 268578367,
    })
    const used = await usedCoupon(s)
    assert.equal((await returnIt(used)).status, 200)
    expectError(await returnIt(used), 400, 'INVALID_REQUEST', '用户券状态非法', {
      numeric: 268578367,
    })
  })

  test('PENDING (confirmed before its window opens) cannot be returned', async () => {
    const pending = await confirmed(s, { availableDays: 5, waitDays: 1 })
    assert.equal((await getCoupon(s, pending)).coupon_state, 'PENDING')
    expectError(await returnIt(pending), 400, 'INVALID_REQUEST', '用户券状态非法')
    assert.equal((await getCoupon(s, pending)).coupon_state, 'PENDING')
  })

  test('Q4: sequential_coupon_index on a SINGLE coupon → 400 INVALID_REQUEST, no change', async () => {
    const c = await usedCoupon(s)
    const v = await storedVersion(c)
    for (const index of [0, 1]) {
      expectError(
        await returnIt(c, { sequential_coupon_index: index }),
        400,
        'INVALID_REQUEST',
        '传入参数不符合业务规则',
      )
    }
    assert.equal(await storedVersion(c), v)
    assert.equal((await getCoupon(s, c)).coupon_state, 'USED')
  })
})

describe('SEQUENTIAL', () => {
  test('returning the latest used round: used_count − 1, round EFFECTIVE, next round relocked', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 3 }, 2)
    const before = await getCoupon(s, c)
    assert.equal(before.sequential_usage_detail.used_count, 2)
    assert.equal(before.sequential_usage_detail.detail_item_list[2].detail_state, 'EFFECTIVE')
    const no = reqNo('RET')
    const r = await returnIt(c, { sequential_coupon_index: 1 }, no)
    assert.equal(r.status, 200, r.text)
    const d = r.json.sequential_usage_detail
    assert.equal(r.json.coupon_state, 'EFFECTIVE')
    assert.equal(r.json.single_usage_detail, undefined)
    assert.equal(d.total_count, 3)
    assert.equal(d.used_count, 1)
    assert.equal(d.detail_item_list.length, 3, 'Q3: all rounds listed')
    const [r0, r1, r2] = d.detail_item_list
    assert.equal(r0.detail_state, 'USED')
    assert.ok(r0.use_request_no)
    assert.equal(r1.detail_state, 'EFFECTIVE')
    assert.equal(r1.return_request_no, no)
    assert.ok(r1.return_time)
    assert.equal(r1.use_request_no, undefined, 'Q1: use_* omitted after return')
    assert.equal(r2.detail_state, 'PENDING', 'round after the returned one is locked again')
  })

  test('index 0 is honoured (a round returned by index 0 after one use)', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 2 }, 1)
    const r = await returnIt(c, { sequential_coupon_index: 0 })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.sequential_usage_detail.used_count, 0)
    assert.equal(r.json.sequential_usage_detail.detail_item_list[0].detail_state, 'EFFECTIVE')
  })

  test('a fully used coupon (USED) goes back to EFFECTIVE', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 2 }, 2)
    assert.equal((await getCoupon(s, c)).coupon_state, 'USED')
    const r = await returnIt(c, { sequential_coupon_index: 1 })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'EFFECTIVE')
    assert.equal(r.json.sequential_usage_detail.used_count, 1)
  })

  test('index rules: missing, not the latest, unused, out of range — each 400, no change', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 3 }, 2)
    const v = await storedVersion(c)
    expectError(await returnIt(c), 400, 'INVALID_REQUEST', '传入参数不符合业务规则')
    expectError(
      await returnIt(c, { sequential_coupon_index: 0 }),
      400,
      'INVALID_REQUEST',
      '多次优惠索引不合法',
    )
    expectError(
      await returnIt(c, { sequential_coupon_index: 2 }),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
    expectError(
      await returnIt(c, { sequential_coupon_index: 3 }),
      400,
      'INVALID_REQUEST',
      '多次优惠索引不合法',
    )
    expectError(await returnIt(c, { sequential_coupon_index: 1_000_000 }), 400, 'INVALID_REQUEST')
    expectError(await returnIt(c, { sequential_coupon_index: -1 }), 400, 'PARAM_ERROR')
    assert.equal(await storedVersion(c), v)
  })
})

describe('idempotency', () => {
  test('replay with the same number and fields → 200 with the current entity, no change', async () => {
    const c = await usedCoupon(s)
    const no = reqNo('RET')
    const first = await returnIt(c, {}, no)
    assert.equal(first.status, 200)
    const v = await storedVersion(c)
    // Same fields, other key order and whitespace: still the same request.
    const b = body(c, { out_request_no: no })
    const reordered = `{ "brand_id" : "${b.brand_id}", "out_request_no":"${no}", "appid":"${b.appid}",\n"stock_id":"${b.stock_id}","product_coupon_id":"${b.product_coupon_id}"}`
    for (const rawBody of [JSON.stringify(b), reordered]) {
      const again = await s.call('POST', couponPath(c, 'return'), undefined, { rawBody })
      assert.equal(again.status, 200, again.text)
      assert.deepEqual(again.json, first.json)
      assert.notEqual(again.headers.get('wechatpay-nonce'), first.headers.get('wechatpay-nonce'))
    }
    assert.equal(await storedVersion(c), v)
  })

  test('Q8: a replay after the coupon moved on answers the current entity', async () => {
    const c = await usedCoupon(s)
    const no = reqNo('RET')
    assert.equal((await returnIt(c, {}, no)).status, 200)
    assert.equal((await s.call('POST', couponPath(c, 'use'), await useBody(s, c))).status, 200)
    const replay = await returnIt(c, {}, no)
    assert.equal(replay.status, 200)
    assert.equal(replay.json.coupon_state, 'USED')
  })

  test('same number with other fields → 400 INVALID_REQUEST 268578927, nothing changes', async () => {
    const c = await usedCoupon(s)
    const other = await usedCoupon(s)
    const no = reqNo('RET')
    assert.equal((await returnIt(c, {}, no)).status, 200)
    const r = await returnIt(other, {}, no)
    expectError(r, 400, 'INVALID_REQUEST', '使用了相同单号，但与上次请求的数据不一致', {
      numeric: 268578927,
    })
    assert.equal((await getCoupon(s, other)).coupon_state, 'USED')
  })

  test('a number whose request failed is not consumed', async () => {
    const c = await confirmed(s)
    const no = reqNo('RET')
    expectError(await returnIt(c, {}, no), 400, 'INVALID_REQUEST', '用户券状态非法')
    assert.equal((await s.call('POST', couponPath(c, 'use'), await useBody(s, c))).status, 200)
    const r = await returnIt(c, {}, no)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.single_usage_detail.return_request_no, no)
  })

  test('numbers are per operation: a use number may be reused for a return', async () => {
    const c = await confirmed(s)
    const no = reqNo('SAME')
    assert.equal(
      (await s.call('POST', couponPath(c, 'use'), await useBody(s, c, { out_request_no: no })))
        .status,
      200,
    )
    assert.equal((await returnIt(c, {}, no)).status, 200)
  })
})

describe('tenancy and ownership (E15 steps 4–6)', () => {
  test('brand not authorised to the partner → 403 NO_AUTH', async () => {
    const c = await usedCoupon(s)
    const brand = await s.admin('POST', '/sandbox/brands', { partner_mchids: [] })
    expectError(
      await returnIt({ ...c, brand_id: brand.json.brand_id }),
      403,
      'NO_AUTH',
      '缺少业务相关权限',
      { numeric: 268579803 },
    )
  })

  test('appid not bound to the partner → 268578704; openid of another appid → 268578526', async () => {
    const c = await usedCoupon(s)
    const other = await s.admin('POST', '/sandbox/partners', {})
    const foreign = await s.admin('POST', '/sandbox/appids', { mchid: other.json.mchid })
    expectError(
      await returnIt({ ...c, appid: foreign.json.appid }),
      400,
      'INVALID_REQUEST',
      'AppID非法',
      { numeric: 268578704 },
    )
    const mine = await s.admin('POST', '/sandbox/appids', { mchid: s.sandbox.partner.mchid })
    expectError(
      await returnIt({ ...c, appid: mine.json.appid }),
      400,
      'INVALID_REQUEST',
      '解析OpenID错误',
      { numeric: 268578526 },
    )
  })

  test('ids of the wrong parent → the three 404 messages of the seed', async () => {
    const c = await usedCoupon(s)
    const d = await usedCoupon(s)
    expectError(
      await returnIt({ ...c, product_coupon_id: '9999999999' }),
      404,
      'NOT_FOUND',
      '未找到 product_coupon_id 对应的商品券',
      { numeric: 268578608 },
    )
    expectError(
      await returnIt({ ...c, stock_id: d.stock_id }),
      404,
      'NOT_FOUND',
      '未找到 stock_id 对应的商品券批次',
    )
    expectError(
      await returnIt({ ...c, coupon_code: d.coupon_code }),
      404,
      'NOT_FOUND',
      '未找到 coupon_code 对应的用户商品券',
    )
    const user = await s.admin('POST', '/sandbox/openids', { appid: c.appid })
    expectError(
      await returnIt({ ...c, openid: user.json.openid }),
      404,
      'NOT_FOUND',
      '未找到 coupon_code 对应的用户商品券',
    )
    assert.equal((await getCoupon(s, c)).coupon_state, 'USED')
  })

  test("another partner of the same brand never reaches this partner's coupon", async () => {
    const c = await usedCoupon(s)
    const p2 = await s.admin('POST', '/sandbox/partners', {})
    await s.admin('POST', `/sandbox/brands/${c.brand_id}/partners`, { mchid: p2.json.mchid })
    const app2 = await s.admin('POST', '/sandbox/appids', { mchid: p2.json.mchid })
    const partner = partnerFrom(p2.json)
    const r = await s.call(
      'POST',
      couponPath({ ...c }, 'return'),
      body({ ...c, appid: app2.json.appid }, { out_request_no: reqNo('RET') }),
      { partner },
    )
    assert.notEqual(r.status, 200)
    expectError(r, 400, 'INVALID_REQUEST', '解析OpenID错误')
    const user2 = await s.admin('POST', '/sandbox/openids', { appid: app2.json.appid })
    const r2 = await s.call(
      'POST',
      couponPath({ ...c, openid: user2.json.openid }, 'return'),
      body({ ...c, appid: app2.json.appid }, { out_request_no: reqNo('RET') }),
      { partner },
    )
    expectError(r2, 404, 'NOT_FOUND', '未找到 product_coupon_id 对应的商品券')
    assert.equal((await getCoupon(s, c)).coupon_state, 'USED')
  })
})
