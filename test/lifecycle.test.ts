import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  API,
  body,
  confirmed,
  couponPath,
  createProductCoupon,
  getCoupon,
  productCouponBody,
  reqNo,
  sentCoupon,
  useBody,
} from './helpers/fixtures.ts'
import { expectError, startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * The path a partner walks to reach a return: create, query, send, confirm, use, query.
 * Longer than most files on purpose: one server and one story, each step building on the last.
 */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

const q = (brand: string) => `?brand_id=${brand}`

describe('E3 create product coupon, E4/E6 query', () => {
  test('creates the product coupon with its first stock, approved at creation', async () => {
    const b = productCouponBody(s)
    const r = await s.call('POST', `${API}/product-coupons`, b)
    assert.equal(r.status, 200, r.text)
    const pc = r.json
    assert.match(pc.product_coupon_id, /^\d{10}$/)
    assert.equal(pc.state, 'EFFECTIVE')
    assert.equal(pc.scope, 'ALL')
    assert.deepEqual(pc.display_info, b.display_info)
    assert.deepEqual(pc.single_usage_info, b.single_usage_info)
    assert.equal(pc.out_product_no, 'SKU-001')
    assert.equal(pc.brand_id, s.sandbox.brand_id)
    assert.equal(pc.stock.stock_id, `${pc.product_coupon_id}001`)
    assert.equal(pc.stock.state, 'SENDING')
    assert.deepEqual(pc.stock.sent_count_info, { total_count: 0, today_count: 0 })
    assert.deepEqual(pc.stock.stock_send_rule, b.stock.stock_send_rule)
    assert.equal(pc.stock.remark, '测试批次')
    assert.equal(pc.stock.coupon_code_count_info, undefined)

    const got = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}${q(pc.brand_id)}`,
    )
    assert.equal(got.status, 200, got.text)
    const { stock, ...entity } = pc
    assert.deepEqual(got.json, entity)
    const st = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}/stocks/${stock.stock_id}${q(pc.brand_id)}`,
    )
    assert.deepEqual(st.json, stock)
  })

  test('times are stored and answered in the canonical +08:00 form', async () => {
    const b = productCouponBody(s)
    const period = b.stock.single_usage_rule?.coupon_available_period
    assert.ok(period)
    period.available_begin_time = '2025-01-01T00:00Z'
    period.available_end_time = '2025-06-30T16:00:00.5Z'
    const r = await s.call('POST', `${API}/product-coupons`, b)
    assert.equal(r.status, 200, r.text)
    const p = r.json.stock.single_usage_rule.coupon_available_period
    assert.equal(p.available_begin_time, '2025-01-01T08:00:00+08:00')
    assert.equal(p.available_end_time, '2025-07-01T00:00:00+08:00')
  })

  test('replay of create → the same objects; same number with other data → ALREADY_EXISTS', async () => {
    const b = productCouponBody(s)
    const first = await s.call('POST', `${API}/product-coupons`, b)
    const again = await s.call('POST', `${API}/product-coupons`, b)
    assert.deepEqual(again.json, first.json)
    const changed = await s.call('POST', `${API}/product-coupons`, {
      ...b,
      out_product_no: 'OTHER',
    })
    expectError(changed, 400, 'ALREADY_EXISTS')
  })

  test('cross-field rules of E3 → 400 INVALID_REQUEST, nothing created', async () => {
    const b = productCouponBody(s)
    const cases: [string, Record<string, unknown>][] = [
      ['EXCHANGE with scope ALL', { type: 'EXCHANGE' }],
      ['SINGLE without single_usage_info', { single_usage_info: undefined }],
      ['DISCOUNT rule missing', { type: 'DISCOUNT' }],
      [
        'SEQUENTIAL without sequential_usage_info',
        { usage_mode: 'SEQUENTIAL', single_usage_info: undefined },
      ],
      [
        'sequential info on a SINGLE coupon',
        { sequential_usage_info: { type: 'EQUAL', count: 3, available_days: 10 } },
      ],
      ['scope SINGLE without price', { scope: 'SINGLE', single_usage_info: undefined }],
      [
        'end before begin',
        {
          stock: {
            ...b.stock,
            single_usage_rule: {
              coupon_available_period: {
                available_begin_time: '2025-06-01T00:00:00+08:00',
                available_end_time: '2025-05-01T00:00:00+08:00',
              },
            },
          },
        },
      ],
      [
        'MINI_PROGRAM without appid/path',
        {
          stock: {
            ...b.stock,
            usage_rule_display_info: {
              coupon_usage_method_list: ['MINI_PROGRAM'],
              usage_description: 'x',
            },
          },
        },
      ],
    ]
    for (const [name, patch] of cases) {
      const r = await s.call('POST', `${API}/product-coupons`, {
        ...b,
        out_request_no: reqNo('BAD'),
        ...patch,
      })
      expectError(r, 400, 'INVALID_REQUEST', '传入参数不符合业务规则')
      assert.ok(r.json.detail?.field, name)
    }
    const bad = await s.call('POST', `${API}/product-coupons`, {
      ...b,
      out_request_no: reqNo('BAD'),
      stock: { ...b.stock, notify_config: { notify_appid: 'wx0000000000000000' } },
    })
    expectError(bad, 400, 'INVALID_REQUEST', 'AppID非法')
  })

  test('a product coupon of another brand or partner is NOT_FOUND; an unauthorised brand 403', async () => {
    const pc = await createProductCoupon(s)
    const other = await s.admin('POST', '/sandbox/brands', {
      partner_mchids: [s.sandbox.partner.mchid],
    })
    const r = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}${q(other.json.brand_id)}`,
    )
    expectError(r, 404, 'NOT_FOUND', '未找到 product_coupon_id 对应的商品券')
    const foreign = await s.admin('POST', '/sandbox/brands', { partner_mchids: [] })
    expectError(
      await s.call(
        'GET',
        `${API}/product-coupons/${pc.product_coupon_id}${q(foreign.json.brand_id)}`,
      ),
      403,
      'NO_AUTH',
    )
    const st = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}/stocks/1${q(s.sandbox.brand_id)}`,
    )
    expectError(st, 404, 'NOT_FOUND', '未找到 stock_id 对应的商品券批次')
  })

  test('manual approval setting is honoured through /sandbox/', async () => {
    const { behaviour } = await import('../src/domain/settings.ts')
    const m = await startTestServer(behaviour({ ...TEST_SETTINGS, approval: 'manual' }))
    try {
      const r = await m.call('POST', `${API}/product-coupons`, productCouponBody(m))
      assert.equal(r.json.state, 'AUDITING')
      assert.equal(r.json.stock.state, 'AUDITING')
      const sendBody = {
        product_coupon_id: r.json.product_coupon_id,
        stock_id: r.json.stock.stock_id,
        appid: m.sandbox.appid,
        send_request_no: reqNo('SEND'),
        brand_id: m.sandbox.brand_id,
      }
      const send = await m.call('POST', `${API}/users/${m.sandbox.openid}/coupons`, sendBody)
      expectError(send, 400, 'INVALID_REQUEST', '商品券批次状态不是发放中')
      assert.equal(
        (await m.admin('POST', `/sandbox/product-coupons/${r.json.product_coupon_id}/approve`)).json
          .state,
        'EFFECTIVE',
      )
      assert.equal(
        (await m.admin('POST', `/sandbox/stocks/${r.json.stock.stock_id}/approve`)).json.state,
        'SENDING',
      )
      const sent = await m.call('POST', `${API}/users/${m.sandbox.openid}/coupons`, sendBody)
      assert.equal(sent.status, 200, sent.text)
    } finally {
      await m.close()
    }
  })
})

describe('E8 send', () => {
  test('issues a CONFIRMING coupon with the computed window and counts it', async () => {
    const pc = await createProductCoupon(s, { availableDays: 7 })
    const no = reqNo('SEND')
    const b = {
      ...pc,
      appid: s.sandbox.appid,
      send_request_no: no,
      attach: 'order-42',
      brand_id: s.sandbox.brand_id,
    }
    const r = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, b)
    assert.equal(r.status, 200, r.text)
    const e = r.json
    assert.match(e.coupon_code, /^\d{12}$/)
    assert.equal(e.coupon_state, 'CONFIRMING')
    assert.equal(e.send_channel, 'API')
    assert.equal(e.send_request_no, no)
    assert.equal(e.attach, 'order-42')
    assert.equal(e.valid_begin_time, e.receive_time)
    assert.match(e.valid_end_time, /T23:59:59\+08:00$/)
    assert.deepEqual(e.single_usage_detail, {})
    assert.deepEqual(e.stock.sent_count_info, { total_count: 1, today_count: 1 })
    assert.equal(e.confirm_time, undefined)
    const replay = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, b)
    assert.deepEqual(replay.json, e, 'replay answers the same coupon, not a second one')
    const conflict = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
      ...b,
      attach: 'x',
    })
    expectError(conflict, 400, 'INVALID_REQUEST', '使用了相同单号，但与上次请求的数据不一致')
  })

  test('API_ASSIGN takes the caller code; duplicates and misplaced codes are refused', async () => {
    const pc = await createProductCoupon(s, { codeMode: 'API_ASSIGN' })
    const base = { ...pc, appid: s.sandbox.appid, brand_id: s.sandbox.brand_id }
    const url = `${API}/users/${s.sandbox.openid}/coupons`
    const r = await s.call('POST', url, {
      ...base,
      send_request_no: reqNo('SEND'),
      coupon_code: 'MY-CODE_01',
    })
    assert.equal(r.json.coupon_code, 'MY-CODE_01')
    expectError(
      await s.call('POST', url, {
        ...base,
        send_request_no: reqNo('SEND'),
        coupon_code: 'MY-CODE_01',
      }),
      400,
      'INVALID_REQUEST',
      '券Code已存在',
    )
    expectError(
      await s.call('POST', url, { ...base, send_request_no: reqNo('SEND') }),
      400,
      'INVALID_REQUEST',
      '传入参数不符合业务规则',
    )
    const wx = await createProductCoupon(s)
    expectError(
      await s.call('POST', url, {
        ...wx,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
        coupon_code: 'X123456',
      }),
      400,
      'INVALID_REQUEST',
      '传入参数不符合业务规则',
    )
  })

  test('UPLOAD stocks without uploaded codes fail clearly', async () => {
    const pc = await createProductCoupon(s, { codeMode: 'UPLOAD' })
    const r = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
      ...pc,
      appid: s.sandbox.appid,
      brand_id: s.sandbox.brand_id,
      send_request_no: reqNo('SEND'),
    })
    expectError(r, 400, 'INVALID_REQUEST', '批次可用券Code不足')
  })

  test('max_count and max_count_per_user hold, also under concurrent sends', async () => {
    const pc = await createProductCoupon(s, { maxCount: 5, maxPerUser: 3 })
    const users = await Promise.all(
      [1, 2, 3].map(() => s.admin('POST', '/sandbox/openids', { appid: s.sandbox.appid })),
    )
    const sends = Array.from({ length: 12 }, (_, i) => {
      const openid = users[i % 3]?.json.openid as string
      return s.call('POST', `${API}/users/${openid}/coupons`, {
        ...pc,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
      })
    })
    const rs = await Promise.all(sends)
    assert.equal(rs.filter((r) => r.status === 200).length, 5)
    for (const r of rs.filter((x) => x.status !== 200)) {
      assert.ok(['批次已发放完', '用户领取券张数已达上限'].includes(r.json.message), r.text)
    }
    const st = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}/stocks/${pc.stock_id}${q(s.sandbox.brand_id)}`,
    )
    assert.equal(st.json.sent_count_info.total_count, 5)
    const one = await createProductCoupon(s, { maxPerUser: 1 })
    const send = () =>
      s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
        ...one,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
      })
    assert.equal((await send()).status, 200)
    expectError(await send(), 400, 'INVALID_REQUEST', '用户领取券张数已达上限')
  })
})

describe('E10 confirm, E11 use, E12 query', () => {
  test('confirm → EFFECTIVE; replay is idempotent; a second number is a state error', async () => {
    const c = await sentCoupon(s)
    const no = reqNo('CFM')
    const r = await s.call('POST', couponPath(c, 'confirm'), body(c, { out_request_no: no }))
    assert.equal(r.json.coupon_state, 'EFFECTIVE')
    assert.equal(r.json.confirm_request_no, no)
    assert.ok(r.json.confirm_time)
    const replay = await s.call('POST', couponPath(c, 'confirm'), body(c, { out_request_no: no }))
    assert.deepEqual(replay.json, r.json)
    expectError(
      await s.call('POST', couponPath(c, 'confirm'), body(c, { out_request_no: reqNo('CFM') })),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
  })

  test('use → USED with the order; use on CONFIRMING, and a second order, are refused', async () => {
    const sent = await sentCoupon(s)
    expectError(
      await s.call('POST', couponPath(sent, 'use'), await useBody(s, sent)),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
    const c = await confirmed(s)
    const b = await useBody(s, c, {
      associated_order_info: { out_trade_no: 'trade_001', mchid: '1230000109' },
    })
    const r = await s.call('POST', couponPath(c, 'use'), b)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'USED')
    assert.deepEqual(r.json.single_usage_detail.associated_order_info, {
      out_trade_no: 'trade_001',
      mchid: '1230000109',
    })
    assert.equal(r.json.single_usage_detail.use_time, b.use_time)
    expectError(
      await s.call('POST', couponPath(c, 'use'), await useBody(s, c)),
      400,
      'INVALID_REQUEST',
      '券已被其他订单核销',
    )
    assert.deepEqual(await getCoupon(s, c), r.json)
  })

  test('use needs an order reference and a use_time inside the window', async () => {
    const c = await confirmed(s)
    const useWith = async (extra: Record<string, unknown>) =>
      s.call('POST', couponPath(c, 'use'), await useBody(s, c, extra))
    expectError(await useWith({ associated_order_info: {} }), 400, 'PARAM_ERROR')
    expectError(
      await useWith({ associated_order_info: { out_trade_no: 'abc' } }),
      400,
      'PARAM_ERROR',
    )
    expectError(await useWith({ use_time: '2025-02-30T10:00:00+08:00' }), 400, 'PARAM_ERROR')
    expectError(await useWith({ use_time: '2001-01-01T10:00:00+08:00' }), 400, 'INVALID_REQUEST')
    assert.equal((await getCoupon(s, c)).coupon_state, 'EFFECTIVE')
  })

  test('SEQUENTIAL: rounds used in order, interval respected, query lists every round', async () => {
    const c = await confirmed(s, { mode: 'SEQUENTIAL', rounds: 3, intervalDays: 1 })
    const first = await s.call(
      'POST',
      couponPath(c, 'use'),
      await useBody(s, c, { sequential_coupon_index: 0 }),
    )
    assert.equal(first.status, 200, first.text)
    const d = first.json.sequential_usage_detail
    assert.equal(d.used_count, 1)
    assert.deepEqual(
      d.detail_item_list.map((i: { detail_state: string }) => i.detail_state),
      ['USED', 'PENDING', 'PENDING'],
    )
    assert.match(d.detail_item_list[1].valid_begin_time, /T00:00:00\+08:00$/)
    const useRound = async (extra: Record<string, unknown>) =>
      s.call('POST', couponPath(c, 'use'), await useBody(s, c, extra))
    expectError(
      await useRound({ sequential_coupon_index: 1 }),
      400,
      'INVALID_REQUEST',
      '未到下次可用时间',
    )
    expectError(
      await useRound({ sequential_coupon_index: 2 }),
      400,
      'INVALID_REQUEST',
      '多次优惠索引不合法',
    )
    expectError(await useRound({}), 400, 'INVALID_REQUEST', '传入参数不符合业务规则')
  })
})
