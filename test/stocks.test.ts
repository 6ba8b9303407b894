import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  API,
  confirmed,
  couponPath,
  createProductCoupon,
  getCoupon,
  productCouponBody,
  reqNo,
  useBody,
} from './helpers/fixtures.ts'
import { expectError, startTestServer, type TestServer } from './helpers/harness.ts'

/** Stock and product-coupon management: E5, E7, PATCH, deactivate, budgets, UPLOAD codes. */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

const brand = () => s.sandbox.brand_id
const stocksUrl = (pc: string) => `${API}/product-coupons/${pc}/stocks`
const stockUrl = (pc: string, stock: string) => `${stocksUrl(pc)}/${stock}`
const sendTo = (pc: { product_coupon_id: string; stock_id: string }, extra = {}) =>
  s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
    ...pc,
    appid: s.sandbox.appid,
    brand_id: brand(),
    send_request_no: reqNo('SEND'),
    ...extra,
  })
const newStockBody = (kind = {}) => ({
  out_request_no: reqNo('ADD'),
  brand_id: brand(),
  stock: productCouponBody(s, kind).stock,
})

describe('E5 add stock, E7 list stocks', () => {
  test('adds SENDING stocks numbered after the first; replay and conflict', async () => {
    const pc = await createProductCoupon(s)
    const b = newStockBody()
    const r = await s.call('POST', stocksUrl(pc.product_coupon_id), b)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.stock_id, `${pc.product_coupon_id}002`)
    assert.equal(r.json.state, 'SENDING')
    assert.equal(r.json.product_coupon_id, pc.product_coupon_id)
    assert.deepEqual((await s.call('POST', stocksUrl(pc.product_coupon_id), b)).json, r.json)
    const other = await s.call('POST', stocksUrl(pc.product_coupon_id), {
      ...b,
      stock: { ...b.stock, remark: 'x' },
    })
    expectError(other, 400, 'INVALID_REQUEST', '使用了相同单号，但与上次请求的数据不一致')
    const sent = await sendTo({
      product_coupon_id: pc.product_coupon_id,
      stock_id: r.json.stock_id,
    })
    assert.equal(sent.status, 200, sent.text)
  })

  test('a stock must fit its product coupon and name an allowed AppID', async () => {
    const pc = await createProductCoupon(s)
    const seq = newStockBody({ mode: 'SEQUENTIAL' })
    expectError(
      await s.call('POST', stocksUrl(pc.product_coupon_id), seq),
      400,
      'INVALID_REQUEST',
      '传入参数不符合业务规则',
    )
    const b = newStockBody()
    b.stock.notify_config = { notify_appid: 'wx0000000000000000' }
    expectError(
      await s.call('POST', stocksUrl(pc.product_coupon_id), b),
      400,
      'INVALID_REQUEST',
      'AppID非法',
    )
    expectError(await s.call('POST', stocksUrl('9999999999'), newStockBody()), 404, 'NOT_FOUND')
  })

  test('lists in pages with opaque tokens; filters by the state the clock implies', async () => {
    const pc = await createProductCoupon(s)
    for (let i = 0; i < 2; i++)
      await s.call('POST', stocksUrl(pc.product_coupon_id), newStockBody())
    const q = (extra: string) => `${stocksUrl(pc.product_coupon_id)}?brand_id=${brand()}${extra}`
    const p1 = await s.call('GET', q('&page_size=2'))
    assert.equal(p1.status, 200, p1.text)
    assert.equal(p1.json.total_count, 3)
    assert.deepEqual(
      p1.json.stock_list.map((x: { stock_id: string }) => x.stock_id),
      [`${pc.product_coupon_id}001`, `${pc.product_coupon_id}002`],
    )
    assert.ok(p1.json.next_page_token)
    const p2 = await s.call(
      'GET',
      q(`&page_size=2&page_token=${encodeURIComponent(p1.json.next_page_token)}`),
    )
    assert.deepEqual(
      p2.json.stock_list.map((x: { stock_id: string }) => x.stock_id),
      [`${pc.product_coupon_id}003`],
    )
    assert.equal(p2.json.next_page_token, undefined)
    const all = await s.call('GET', q(''))
    assert.equal(all.json.stock_list.length, 3)
    await s.call(
      'POST',
      `${stockUrl(pc.product_coupon_id, `${pc.product_coupon_id}002`)}/deactivate`,
      {
        brand_id: brand(),
        out_request_no: reqNo('DEA'),
        deactivate_reason: '批次信息有误',
      },
    )
    const dead = await s.call('GET', q('&state=DEACTIVATED'))
    assert.equal(dead.json.total_count, 1)
    assert.equal((await s.call('GET', q('&state=SENDING'))).json.total_count, 2)
  })

  test('page_size 0 and 51, forged and foreign page tokens → PARAM_ERROR', async () => {
    const pc = await createProductCoupon(s)
    const other = await createProductCoupon(s)
    await s.call('POST', stocksUrl(pc.product_coupon_id), newStockBody())
    await s.call('POST', stocksUrl(other.product_coupon_id), newStockBody())
    const q = (id: string, extra: string) => `${stocksUrl(id)}?brand_id=${brand()}${extra}`
    expectError(
      await s.call('GET', q(pc.product_coupon_id, '&page_size=0')),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_size' },
    )
    expectError(
      await s.call('GET', q(pc.product_coupon_id, '&page_size=51')),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_size' },
    )
    expectError(
      await s.call('GET', q(pc.product_coupon_id, '&page_size=abc')),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_size' },
    )
    const token = (await s.call('GET', q(other.product_coupon_id, '&page_size=1'))).json
      .next_page_token as string
    expectError(
      await s.call(
        'GET',
        q(pc.product_coupon_id, `&page_size=1&page_token=${encodeURIComponent(token)}`),
      ),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_token' },
    )
    const forged = `${Buffer.from('"0"').toString('base64url')}.${token.split('.')[1]}`
    expectError(
      await s.call('GET', q(other.product_coupon_id, `&page_size=1&page_token=${forged}`)),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_token' },
    )
    expectError(
      await s.call('GET', q(other.product_coupon_id, '&page_token=garbage')),
      400,
      'PARAM_ERROR',
      undefined,
      { field: 'page_token' },
    )
  })
})

describe('deactivate, budgets, PATCH', () => {
  test('a deactivated stock sends nothing; a second deactivation is a state error', async () => {
    const pc = await createProductCoupon(s)
    const url = `${stockUrl(pc.product_coupon_id, pc.stock_id)}/deactivate`
    const b = { brand_id: brand(), out_request_no: reqNo('DEA'), deactivate_reason: '活动取消' }
    const r = await s.call('POST', url, b)
    assert.equal(r.json.state, 'DEACTIVATED')
    assert.equal(r.json.deactivate_request_no, b.out_request_no)
    assert.equal(r.json.deactivate_reason, '活动取消')
    assert.ok(r.json.deactivate_time)
    assert.deepEqual((await s.call('POST', url, b)).json, r.json, 'replay')
    expectError(
      await s.call('POST', url, { ...b, out_request_no: reqNo('DEA') }),
      400,
      'INVALID_REQUEST',
      '批次状态非法',
    )
    expectError(await sendTo(pc), 400, 'INVALID_REQUEST', '商品券批次状态不是发放中')
    expectError(
      await s.call('POST', url, {
        ...b,
        out_request_no: reqNo('DEA'),
        deactivate_reason: '长'.repeat(151),
      }),
      400,
      'PARAM_ERROR',
      undefined,
      { field: '/deactivate_reason' },
    )
  })

  test('update budget: one dimension, current must match, never below what was sent', async () => {
    const pc = await createProductCoupon(s, { maxCount: 3 })
    for (let i = 0; i < 2; i++) assert.equal((await sendTo(pc)).status, 200)
    const url = `${stockUrl(pc.product_coupon_id, pc.stock_id)}/update-budget`
    const base = { brand_id: brand(), update_mode: 'MAX_COUNT' }
    expectError(
      await s.call('POST', url, { ...base, out_request_no: reqNo('BUD'), target_max_count: 1 }),
      400,
      'INVALID_REQUEST',
      '目标预算不能小于已发放数量',
    )
    expectError(
      await s.call('POST', url, {
        ...base,
        out_request_no: reqNo('BUD'),
        current_max_count: 9,
        target_max_count: 5,
      }),
      400,
      'INVALID_REQUEST',
      '当前预算与批次实际预算不一致',
    )
    for (const bad of [0, 100_000_001]) {
      expectError(
        await s.call('POST', url, { ...base, out_request_no: reqNo('BUD'), target_max_count: bad }),
        400,
        'PARAM_ERROR',
        undefined,
        { field: '/target_max_count' },
      )
    }
    const r = await s.call('POST', url, {
      ...base,
      out_request_no: reqNo('BUD'),
      current_max_count: 3,
      target_max_count: 5,
    })
    assert.equal(r.json.stock_send_rule.max_count, 5)
    const d = await s.call('POST', url, {
      brand_id: brand(),
      update_mode: 'MAX_COUNT_PER_DAY',
      out_request_no: reqNo('BUD'),
      target_max_count_per_day: 4,
    })
    assert.equal(d.json.stock_send_rule.max_count_per_day, 4)
    for (let i = 0; i < 2; i++) assert.equal((await sendTo(pc)).status, 200)
    expectError(await sendTo(pc), 400, 'INVALID_REQUEST', '批次今日已发放完')
  })

  test('deactivating a product coupon deactivates its stocks; coupons held stay usable', async () => {
    const c = await confirmed(s)
    const pcUrl = `${API}/product-coupons/${c.product_coupon_id}`
    const r = await s.call('POST', `${pcUrl}/deactivate`, {
      brand_id: brand(),
      out_request_no: reqNo('DEA'),
      deactivate_reason: '商品下架',
    })
    assert.equal(r.json.state, 'DEACTIVATED')
    assert.equal(r.json.deactivate_reason, '商品下架')
    const st = await s.call(
      'GET',
      `${stockUrl(c.product_coupon_id, c.stock_id)}?brand_id=${brand()}`,
    )
    assert.equal(st.json.state, 'DEACTIVATED')
    expectError(await sendTo(c), 400, 'INVALID_REQUEST', '商品券批次状态不是发放中')
    assert.equal((await s.call('POST', couponPath(c, 'use'), await useBody(s, c))).status, 200)
    expectError(
      await s.call('POST', stocksUrl(c.product_coupon_id), newStockBody()),
      400,
      'INVALID_REQUEST',
      '商品券状态非法',
    )
  })

  test('PATCH changes display info and stock settings', async () => {
    const pc = await createProductCoupon(s)
    const display = { ...productCouponBody(s).display_info, name: '新名字' }
    const r = await s.call('PATCH', `${API}/product-coupons/${pc.product_coupon_id}`, {
      brand_id: brand(),
      out_request_no: reqNo('PAT'),
      display_info: display,
    })
    assert.equal(r.status, 200, r.text)
    const got = await s.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}?brand_id=${brand()}`,
    )
    assert.equal(got.json.display_info.name, '新名字')
    const p = await s.call('PATCH', stockUrl(pc.product_coupon_id, pc.stock_id), {
      brand_id: brand(),
      out_request_no: reqNo('PAT'),
      remark: '新备注',
      store_scope: 'ALL',
    })
    assert.equal(p.json.remark, '新备注')
    assert.equal(p.json.store_scope, 'ALL')
    expectError(
      await s.call('PATCH', stockUrl(pc.product_coupon_id, pc.stock_id), {
        brand_id: brand(),
        out_request_no: reqNo('PAT'),
        notify_config: { notify_appid: 'wx0000000000000000' },
      }),
      400,
      'INVALID_REQUEST',
      'AppID非法',
    )
  })
})

describe('UPLOAD codes', () => {
  test('each code judged alone; sends draw distinct pooled codes until none is left', async () => {
    const pc = await createProductCoupon(s, { codeMode: 'UPLOAD' })
    const url = `${stockUrl(pc.product_coupon_id, pc.stock_id)}/upload-coupon-codes`
    const first = {
      brand_id: brand(),
      out_request_no: reqNo('UPL'),
      code_list: ['CODE-A1', 'CODE-A1', 'bad code!', 'x'.repeat(41), 'CODE_B2'],
    }
    const r = await s.call('POST', url, first)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.total_count, 4)
    assert.deepEqual(r.json.success_code_list, ['CODE-A1', 'CODE_B2'])
    assert.deepEqual(r.json.duplicate_code_list, ['CODE-A1'])
    assert.deepEqual(
      r.json.failed_code_list.map((f: { coupon_code: string }) => f.coupon_code),
      ['bad code!', 'x'.repeat(41)],
    )
    assert.deepEqual(r.json.already_exist_code_list, [])
    assert.deepEqual(
      (await s.call('POST', url, first)).json,
      r.json,
      'replay answers the first result',
    )
    const second = await s.call('POST', url, {
      brand_id: brand(),
      out_request_no: reqNo('UPL'),
      code_list: ['CODE_B2', 'CODE_C3'],
    })
    assert.deepEqual(second.json.already_exist_code_list, ['CODE_B2'])
    assert.deepEqual(second.json.success_code_list, ['CODE_C3'])
    const st = await s.call(
      'GET',
      `${stockUrl(pc.product_coupon_id, pc.stock_id)}?brand_id=${brand()}`,
    )
    assert.deepEqual(st.json.coupon_code_count_info, { total_count: 3, available_count: 3 })
    const codes = []
    for (let i = 0; i < 3; i++) {
      const sent = await sendTo(pc)
      assert.equal(sent.status, 200, sent.text)
      codes.push(sent.json.coupon_code)
      assert.equal(sent.json.stock.coupon_code_count_info.available_count, 2 - i)
    }
    assert.deepEqual([...codes].sort(), ['CODE-A1', 'CODE_B2', 'CODE_C3'])
    expectError(await sendTo(pc), 400, 'INVALID_REQUEST', '批次可用券Code不足')
    expectError(
      await s.call('POST', url, { brand_id: brand(), out_request_no: reqNo('UPL'), code_list: [] }),
      400,
      'PARAM_ERROR',
      undefined,
      { field: '/code_list' },
    )
    const wx = await createProductCoupon(s)
    const notUpload = await s.call(
      'POST',
      `${stockUrl(wx.product_coupon_id, wx.stock_id)}/upload-coupon-codes`,
      { brand_id: brand(), out_request_no: reqNo('UPL'), code_list: ['A123456'] },
    )
    expectError(notUpload, 400, 'INVALID_REQUEST', '传入参数不符合业务规则')
    const held = await getCoupon(s, {
      ...pc,
      coupon_code: codes[0],
      openid: s.sandbox.openid,
      appid: s.sandbox.appid,
      brand_id: brand(),
    })
    assert.equal(held.stock.coupon_code_mode, 'UPLOAD')
  })
})
