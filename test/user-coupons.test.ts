import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { formatRfc3339, parseRfc3339 } from '../src/domain/time.ts'
import {
  API,
  body,
  type CouponRef,
  confirmed,
  couponPath,
  createProductCoupon,
  getCoupon,
  productCouponBody,
  reqNo,
  sandboxNow,
  sentCoupon,
  useBody,
  usedCoupon,
} from './helpers/fixtures.ts'
import { expectError, startTestServer, type TestServer } from './helpers/harness.ts'

/** E13 list, E14 deactivate and time through the sandbox clock (races: races.test.ts). */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

const deactivateBody = (c: CouponRef, extra = {}) =>
  body(c, { out_request_no: reqNo('DEA'), deactivate_reason: '用户投诉', ...extra })

describe('E14 deactivate', () => {
  test('EFFECTIVE → DEACTIVATED with its fields; then nothing else is allowed', async () => {
    const c = await confirmed(s)
    const b = deactivateBody(c)
    const r = await s.call('POST', couponPath(c, 'deactivate'), b)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.coupon_state, 'DEACTIVATED')
    assert.equal(r.json.deactivate_request_no, b.out_request_no)
    assert.equal(r.json.deactivate_reason, '用户投诉')
    assert.ok(r.json.deactivate_time)
    assert.deepEqual((await s.call('POST', couponPath(c, 'deactivate'), b)).json, r.json, 'replay')
    expectError(
      await s.call('POST', couponPath(c, 'use'), await useBody(s, c)),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
    expectError(
      await s.call('POST', couponPath(c, 'deactivate'), deactivateBody(c)),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
  })

  test('CONFIRMING can be deactivated; USED cannot; the reason is at most 150 characters', async () => {
    const sent = await sentCoupon(s)
    assert.equal(
      (await s.call('POST', couponPath(sent, 'deactivate'), deactivateBody(sent))).json
        .coupon_state,
      'DEACTIVATED',
    )
    const used = await usedCoupon(s)
    expectError(
      await s.call('POST', couponPath(used, 'deactivate'), deactivateBody(used)),
      400,
      'INVALID_REQUEST',
      '用户券状态非法',
    )
    const c = await confirmed(s)
    const long = await s.call(
      'POST',
      couponPath(c, 'deactivate'),
      deactivateBody(c, { deactivate_reason: '长'.repeat(151) }),
    )
    expectError(long, 400, 'PARAM_ERROR')
    assert.equal(long.json.detail.field, '/deactivate_reason')
  })

  test('SEQUENTIAL: used rounds stay USED, the rest become DEACTIVATED', async () => {
    const c = await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 3 }, 1)
    const r = await s.call('POST', couponPath(c, 'deactivate'), deactivateBody(c))
    const states = r.json.sequential_usage_detail.detail_item_list.map(
      (i: { detail_state: string }) => i.detail_state,
    )
    assert.deepEqual(states, ['USED', 'DEACTIVATED', 'DEACTIVATED'])
  })
})

describe('E13 list user coupons', () => {
  test('newest first in keyset pages; filters; tokens bound to the query', async () => {
    const user = (await s.admin('POST', '/sandbox/openids', { appid: s.sandbox.appid })).json
      .openid as string
    const pcs = [await createProductCoupon(s), await createProductCoupon(s)]
    const codes: string[] = []
    for (let i = 0; i < 5; i++) {
      const pc = pcs[i % 2] ?? pcs[0]
      const r = await s.call('POST', `${API}/users/${user}/coupons`, {
        ...pc,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
      })
      codes.push(r.json.coupon_code)
    }
    const list = (extra = '') =>
      s.call(
        'GET',
        `${API}/users/${user}/coupons?appid=${s.sandbox.appid}&brand_id=${s.sandbox.brand_id}${extra}`,
      )
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const r = await list(`&page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`)
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.total_count, pages === 0 ? 5 : 6, 'total counts what matches now')
      seen.push(...r.json.user_coupon_list.map((c: { coupon_code: string }) => c.coupon_code))
      token = r.json.next_page_token
      pages++
      // A coupon sent between pages must not shift or repeat entries (keyset pages).
      if (pages === 1) {
        await s.call('POST', `${API}/users/${user}/coupons`, {
          ...pcs[0],
          appid: s.sandbox.appid,
          brand_id: s.sandbox.brand_id,
          send_request_no: reqNo('SEND'),
        })
      }
    } while (token)
    assert.equal(pages, 3)
    assert.deepEqual([...seen].sort(), [...codes].sort(), 'each of the first five exactly once')
    const byStock = await list(
      `&stock_id=${pcs[1]?.stock_id}&product_coupon_id=${pcs[1]?.product_coupon_id}`,
    )
    assert.equal(byStock.json.total_count, 2)
    const confirming = await list('&coupon_state=CONFIRMING')
    assert.equal(confirming.json.total_count, 6)
    assert.equal((await list('&coupon_state=USED')).json.total_count, 0)
    const first = await list('&page_size=1')
    expectError(
      await list(
        `&page_size=1&coupon_state=USED&page_token=${encodeURIComponent(first.json.next_page_token)}`,
      ),
      400,
      'PARAM_ERROR',
    )
    expectError(await list('&page_size=0'), 400, 'PARAM_ERROR')
    expectError(await list('&page_size=51'), 400, 'PARAM_ERROR')
    expectError(await list('&coupon_state=GONE'), 400, 'PARAM_ERROR')
    const foreignApp = (
      await s.admin('POST', '/sandbox/appids', { mchid: s.sandbox.partner.mchid })
    ).json.appid
    expectError(
      await s.call(
        'GET',
        `${API}/users/${user}/coupons?appid=${foreignApp}&brand_id=${s.sandbox.brand_id}`,
      ),
      400,
      'INVALID_REQUEST',
      '解析OpenID错误',
    )
  })
})

describe('time (sandbox clock)', () => {
  let t: TestServer
  before(async () => {
    t = await startTestServer()
  })
  after(() => t.close())
  const advance = (seconds: number) =>
    t.admin('POST', '/sandbox/clock', { advance_seconds: seconds })

  test('PENDING → EFFECTIVE → use, return → EXPIRED as the clock moves', async () => {
    const c = await confirmed(t, { availableDays: 2, waitDays: 1 })
    const first = await getCoupon(t, c)
    assert.equal(first.coupon_state, 'PENDING')
    const begin = parseRfc3339(first.valid_begin_time) ?? 0
    const now = parseRfc3339(await sandboxNow(t)) ?? 0
    await advance(begin - now)
    assert.equal((await getCoupon(t, c)).coupon_state, 'EFFECTIVE')
    assert.equal(
      (await t.call('POST', couponPath(c, 'use'), await useBody(t, c))).json.coupon_state,
      'USED',
    )
    assert.equal(
      (await t.call('POST', couponPath(c, 'return'), body(c, { out_request_no: reqNo('RET') })))
        .json.coupon_state,
      'EFFECTIVE',
    )
    await advance(2 * 86_400)
    assert.equal((await getCoupon(t, c)).coupon_state, 'EXPIRED')
    const listed = await t.call(
      'GET',
      `${API}/users/${c.openid}/coupons?appid=${c.appid}&brand_id=${c.brand_id}&coupon_state=EXPIRED&stock_id=${c.stock_id}&product_coupon_id=${c.product_coupon_id}`,
    )
    assert.equal(listed.json.total_count, 1, 'list filters see expiry without any write')
    expectError(
      await t.call('POST', couponPath(c, 'use'), await useBody(t, c)),
      400,
      'INVALID_REQUEST',
      '用户券已过期',
    )
  })

  test('SEQUENTIAL with interval_days 1: one round per day', async () => {
    const c = await confirmed(t, {
      mode: 'SEQUENTIAL',
      rounds: 3,
      intervalDays: 1,
      availableDays: 10,
    })
    for (let k = 0; k < 3; k++) {
      const r = await t.call(
        'POST',
        couponPath(c, 'use'),
        await useBody(t, c, { sequential_coupon_index: k }),
      )
      assert.equal(r.status, 200, `round ${k}: ${r.text}`)
      if (k < 2) {
        expectError(
          await t.call(
            'POST',
            couponPath(c, 'use'),
            await useBody(t, c, { sequential_coupon_index: k + 1 }),
          ),
          400,
          'INVALID_REQUEST',
          '未到下次可用时间',
        )
        const nextBegin =
          parseRfc3339(r.json.sequential_usage_detail.detail_item_list[k + 1].valid_begin_time) ?? 0
        const now = parseRfc3339(await sandboxNow(t)) ?? 0
        assert.ok(
          nextBegin > now && nextBegin - now <= 86_400,
          'next round opens at the next 00:00',
        )
        await advance(nextBegin - now)
      }
    }
    assert.equal((await getCoupon(t, c)).coupon_state, 'USED')
  })

  test('daily budget follows the Beijing day of the sandbox clock; a stock past its end is STOPPED', async () => {
    const pc = await createProductCoupon(t, { maxPerDay: 2 })
    const send = () =>
      t.call('POST', `${API}/users/${t.sandbox.openid}/coupons`, {
        ...pc,
        appid: t.sandbox.appid,
        brand_id: t.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
      })
    assert.equal((await send()).status, 200)
    assert.equal((await send()).status, 200)
    expectError(await send(), 400, 'INVALID_REQUEST', '批次今日已发放完')
    await advance(86_400)
    const next = await send()
    assert.equal(next.status, 200, next.text)
    assert.deepEqual(next.json.stock.sent_count_info, { total_count: 3, today_count: 1 })
    await advance(60 * 86_400)
    const st = await t.call(
      'GET',
      `${API}/product-coupons/${pc.product_coupon_id}/stocks/${pc.stock_id}?brand_id=${t.sandbox.brand_id}`,
    )
    assert.equal(st.json.state, 'STOPPED')
    expectError(await send(), 400, 'INVALID_REQUEST', '商品券批次状态不是发放中')
  })

  test('weekly and irregular usage periods gate use (272755717)', async () => {
    const now = parseRfc3339(await sandboxNow(t)) ?? 0
    const b = productCouponBody(t)
    const period = b.stock.single_usage_rule?.coupon_available_period
    assert.ok(period)
    period.available_begin_time = formatRfc3339(now - 86_400)
    period.available_end_time = formatRfc3339(now + 30 * 86_400)
    period.irregular_available_period_list = [
      { begin_time: formatRfc3339(now + 5 * 86_400), end_time: formatRfc3339(now + 6 * 86_400) },
    ]
    const created = await t.call('POST', `${API}/product-coupons`, b)
    assert.equal(created.status, 200, created.text)
    const sent = await t.call('POST', `${API}/users/${t.sandbox.openid}/coupons`, {
      product_coupon_id: created.json.product_coupon_id,
      stock_id: created.json.stock.stock_id,
      appid: t.sandbox.appid,
      brand_id: t.sandbox.brand_id,
      send_request_no: reqNo('SEND'),
    })
    const c = {
      product_coupon_id: created.json.product_coupon_id,
      stock_id: created.json.stock.stock_id,
      coupon_code: sent.json.coupon_code,
      openid: t.sandbox.openid,
      appid: t.sandbox.appid,
      brand_id: t.sandbox.brand_id,
    }
    await t.call('POST', couponPath(c, 'confirm'), body(c, { out_request_no: reqNo('CFM') }))
    const r = await t.call('POST', couponPath(c, 'use'), await useBody(t, c))
    expectError(r, 400, 'INVALID_REQUEST', '券不在使用有效期（规则周期）')
    assert.match(r.headers.get('request-id') ?? '', /-272755717$/)
    await advance(5 * 86_400 + 60)
    assert.equal((await t.call('POST', couponPath(c, 'use'), await useBody(t, c))).status, 200)
  })
})
