import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Compile } from 'typebox/compile'
import { clientFor } from '../packages/sdk/src/client/client.ts'
import { clientOptionsFromSandbox } from '../packages/sdk/src/client/sandbox-file.ts'
import {
  UserCouponBundleEntity,
  UserProductCouponEntity2025_11,
} from '../packages/sdk/src/schemas/revision-2025-11.ts'
import { behaviour } from '../src/domain/settings.ts'
import { formatRfc3339 } from '../src/domain/time.ts'
import { API, productCouponBody, reqNo } from './helpers/fixtures.ts'
import { expectError, startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * The 2025-11 revision end to end: a partner on it creates PROGRESSIVE_BUNDLE product coupons,
 * sends user coupon bundles, uses them in order under interval_days on the sandbox clock, may
 * return only the latest used one, names stores and pay-score orders, and pre-sends; the seed's
 * SEQUENTIAL is refused as an unknown enum value, and the reverse on a 2025-08 partner. Long
 * on purpose: every case shares the two servers and the bundle helpers above them.
 */

let s: TestServer
let old: TestServer
const DAY = 86_400

before(async () => {
  ;[s, old] = await Promise.all([
    startTestServer(behaviour({ ...TEST_SETTINGS, revision: '2025-11' })),
    startTestServer(),
  ])
})
after(async () => {
  await Promise.all([s.close(), old.close()])
})

function window() {
  const now = Math.floor(Date.now() / 1000)
  return {
    available_begin_time: formatRfc3339(now - DAY),
    available_end_time: formatRfc3339(now + 30 * DAY),
  }
}

function bundleBody(count = 3, intervalDays = 0, extra: Record<string, unknown> = {}) {
  const tiers = Array.from({ length: count }, (_, i) => ({
    threshold: 10000,
    discount_amount: 500 + i * 100,
  }))
  return {
    out_request_no: reqNo('CB'),
    brand_id: s.sandbox.brand_id,
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: 'PROGRESSIVE_BUNDLE',
    progressive_bundle_usage_info: { count, interval_days: intervalDays },
    display_info: {
      name: '多次优惠',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
    },
    stock_bundle: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 10, max_count_per_user: 5 },
      progressive_bundle_usage_rule: {
        coupon_available_period: window(),
        normal_coupon_list: tiers,
      },
      usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: '可用' },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: s.sandbox.appid },
      store_scope: 'SPECIFIC',
    },
    ...extra,
  }
}

async function createBundle(count = 3, intervalDays = 0) {
  const r = await s.call('POST', `${API}/product-coupons`, bundleBody(count, intervalDays))
  assert.equal(r.status, 200, r.text)
  return r.json
}

async function sendBundle(pc: {
  product_coupon_id: string
  stock_bundle: { stock_bundle_id: string }
}) {
  const r = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupon-bundles`, {
    product_coupon_id: pc.product_coupon_id,
    stock_bundle_id: pc.stock_bundle.stock_bundle_id,
    appid: s.sandbox.appid,
    send_request_no: reqNo('SB'),
    brand_id: s.sandbox.brand_id,
    attach: 'a1',
  })
  assert.equal(r.status, 200, r.text)
  return r.json
}

type Coupon = {
  coupon_code: string
  stock: { stock_id: string }
  product_coupon: { product_coupon_id: string }
}
const path = (c: Coupon, action = '') =>
  `${API}/users/${s.sandbox.openid}/coupons/${c.coupon_code}${action ? `/${action}` : ''}`
const ref = (c: Coupon) => ({
  product_coupon_id: c.product_coupon.product_coupon_id,
  stock_id: c.stock.stock_id,
  appid: s.sandbox.appid,
  brand_id: s.sandbox.brand_id,
})
async function now() {
  return (await s.admin('GET', '/sandbox/clock')).json.now as string
}
const confirm = (c: Coupon) =>
  s.call('POST', path(c, 'confirm'), { ...ref(c), out_request_no: reqNo('CF') })
const useIt = async (c: Coupon, extra: Record<string, unknown> = {}) =>
  s.call('POST', path(c, 'use'), {
    ...ref(c),
    use_time: await now(),
    out_request_no: reqNo('US'),
    associated_order_info: { transaction_id: '4200000000123456789' },
    ...extra,
  })
const returnIt = (c: Coupon) =>
  s.call('POST', path(c, 'return'), { ...ref(c), out_request_no: reqNo('RT') })
const get = async (c: Coupon) => {
  const q = new URLSearchParams(ref(c)).toString()
  const r = await s.call('GET', `${path(c)}?${q}`)
  assert.equal(r.status, 200, r.text)
  return r.json
}

interface TierStock {
  stock_bundle_info: unknown
  progressive_bundle_usage_rule: { normal_coupon: { discount_amount: number } }
  sequential_usage_rule?: unknown
}

const isCoupon = Compile(UserProductCouponEntity2025_11)
const isBundle = Compile(UserCouponBundleEntity)

test('the revision of each partner: POST /sandbox/partners {revision}, default the setting', async () => {
  const a = await old.admin('POST', '/sandbox/partners', { revision: '2025-11' })
  assert.equal(a.status, 200, a.text)
  assert.equal(a.json.revision, '2025-11')
  const b = await old.admin('POST', '/sandbox/partners', {})
  assert.equal(b.json.revision, '2025-08')
  const c = await s.admin('POST', '/sandbox/partners', {})
  assert.equal(c.json.revision, '2025-11')
  const bad = await old.admin('POST', '/sandbox/partners', { revision: '2024-01' })
  assert.equal(bad.status, 400)
})

test('a field of the other revision is the PARAM_ERROR of an unknown enum value, both ways', async () => {
  const seq = productCouponBody(s, { mode: 'SEQUENTIAL' })
  expectError(await s.call('POST', `${API}/product-coupons`, seq), 400, 'PARAM_ERROR')
  const body = bundleBody()
  body.brand_id = old.sandbox.brand_id
  const r = await old.call('POST', `${API}/product-coupons`, body)
  expectError(r, 400, 'PARAM_ERROR')
  // What an unknown usage_mode gets today, field for field.
  const unknown = await old.call('POST', `${API}/product-coupons`, { ...body, usage_mode: 'NOPE' })
  assert.deepEqual(r.json, unknown.json)
  // Operations of 2025-11 do not exist for a 2025-08 partner.
  const send = await old.call('POST', `${API}/users/${old.sandbox.openid}/coupon-bundles`, {})
  expectError(send, 404, 'NOT_FOUND')
})

test('create with stock_bundle: one tier stock each, entities of 2025-11, list by stock_bundle_id', async () => {
  const pc = await createBundle(3)
  assert.equal(pc.usage_mode, 'PROGRESSIVE_BUNDLE')
  assert.deepEqual(pc.progressive_bundle_usage_info, { count: 3, interval_days: 0 })
  assert.equal(pc.sequential_usage_info, undefined)
  const list = pc.stock_bundle.stock_list
  assert.equal(list.length, 3)
  list.forEach((st: TierStock, i: number) => {
    assert.deepEqual(st.stock_bundle_info, {
      stock_bundle_id: pc.stock_bundle.stock_bundle_id,
      stock_bundle_index: i,
    })
    assert.equal(st.progressive_bundle_usage_rule.normal_coupon.discount_amount, 500 + i * 100)
    assert.equal(st.sequential_usage_rule, undefined)
  })
  const q = `brand_id=${s.sandbox.brand_id}&stock_bundle_id=${pc.stock_bundle.stock_bundle_id}`
  const r = await s.call('GET', `${API}/product-coupons/${pc.product_coupon_id}/stocks?${q}`)
  assert.equal(r.status, 200, r.text)
  assert.equal(r.json.total_count, 3)
  // Bad input: tiers not count, not progressive, both stock and stock_bundle.
  const short = bundleBody(4)
  short.stock_bundle.progressive_bundle_usage_rule.normal_coupon_list.pop()
  expectError(await s.call('POST', `${API}/product-coupons`, short), 400, 'INVALID_REQUEST')
  const worse = bundleBody(3)
  worse.stock_bundle.progressive_bundle_usage_rule.normal_coupon_list.reverse()
  const w = await s.call('POST', `${API}/product-coupons`, worse)
  expectError(w, 400, 'INVALID_REQUEST')
  assert.match(w.headers.get('request-id') ?? '', /-268586067$/)
  const both = { ...bundleBody(3), stock: productCouponBody(s).stock }
  expectError(await s.call('POST', `${API}/product-coupons`, both), 400, 'INVALID_REQUEST')
  const count = bundleBody(3, 0, { progressive_bundle_usage_info: { count: 2 } })
  expectError(await s.call('POST', `${API}/product-coupons`, count), 400, 'PARAM_ERROR')
})

test('a bundle: sent whole, used in order, interval days on the sandbox clock, latest-only return', async () => {
  const pc = await createBundle(3, 1)
  const sent = await sendBundle(pc)
  assert.ok(isBundle.Check(sent), JSON.stringify([...isBundle.Errors(sent)][0]))
  const [c0, c1, c2] = sent.user_product_coupon_list as Coupon[]
  assert.ok(c0 && c1 && c2)
  for (const c of [c0, c1, c2]) assert.equal((await confirm(c)).status, 200)
  const e1 = await get(c1)
  assert.equal(e1.coupon_state, 'PENDING')
  assert.ok(isCoupon.Check(e1))
  assert.equal(e1.user_product_coupon_bundle_info?.user_coupon_bundle_index, 1)
  // Out of order: the locked coupon is not usable.
  expectError(await useIt(c1), 400, 'INVALID_REQUEST')
  const u0 = await useIt(c0)
  assert.equal(u0.status, 200, u0.text)
  assert.equal(u0.json.progressive_bundle_usage_detail.use_request_no !== undefined, true)
  assert.equal(u0.json.user_product_coupon_bundle_info.used_count, 1)
  assert.equal(u0.json.single_usage_detail, undefined)
  // interval_days 1: c1 opens at 00:00 of the next day (Beijing), on the sandbox clock.
  assert.equal((await get(c1)).coupon_state, 'PENDING')
  const adv = await s.admin('POST', '/sandbox/clock', { advance_seconds: DAY })
  assert.equal(adv.status, 200, adv.text)
  assert.equal((await get(c1)).coupon_state, 'EFFECTIVE')
  assert.equal((await useIt(c1)).status, 200)
  // Only the latest used coupon of the bundle can be returned; nothing changes otherwise.
  const before0 = await get(c0)
  const refused = await returnIt(c0)
  expectError(refused, 400, 'INVALID_REQUEST')
  assert.match(refused.headers.get('request-id') ?? '', /-268578367$/)
  assert.deepEqual(await get(c0), before0)
  const back = await returnIt(c1)
  assert.equal(back.status, 200, back.text)
  assert.equal(back.json.coupon_state, 'EFFECTIVE')
  assert.equal(back.json.user_product_coupon_bundle_info.used_count, 1)
  assert.equal((await get(c2)).coupon_state, 'PENDING')
  assert.equal((await returnIt(c0)).status, 200)
  // The list filter by user_coupon_bundle_id, in bundle order.
  const q = new URLSearchParams({
    appid: s.sandbox.appid,
    brand_id: s.sandbox.brand_id,
    user_coupon_bundle_id: sent.user_coupon_bundle_id,
  })
  const l = await s.call('GET', `${API}/users/${s.sandbox.openid}/coupons?${q}`)
  assert.equal(l.status, 200, l.text)
  assert.deepEqual(
    l.json.user_coupon_list.map((c: Coupon) => c.coupon_code),
    [c0.coupon_code, c1.coupon_code, c2.coupon_code],
  )
  // A bundle coupon is deactivated with its bundle only.
  const one = await s.call('POST', path(c2, 'deactivate'), {
    ...ref(c2),
    out_request_no: reqNo('DA'),
    deactivate_reason: 'x',
  })
  expectError(one, 400, 'INVALID_REQUEST')
  const d = await s.call(
    'POST',
    `${API}/users/${s.sandbox.openid}/coupon-bundles/${sent.user_coupon_bundle_id}/deactivate`,
    {
      product_coupon_id: pc.product_coupon_id,
      stock_bundle_id: pc.stock_bundle.stock_bundle_id,
      appid: s.sandbox.appid,
      out_request_no: reqNo('DB'),
      deactivate_reason: '活动结束',
      brand_id: s.sandbox.brand_id,
    },
  )
  assert.equal(d.status, 200, d.text)
  assert.deepEqual(
    d.json.user_product_coupon_list.map((c: { coupon_state: string }) => c.coupon_state),
    ['DEACTIVATED', 'DEACTIVATED', 'DEACTIVATED'],
  )
})

test('use: an order XOR a pay-score order; a store of the brand, open and associated', async () => {
  const pc = await createBundle(3)
  const sent = await sendBundle(pc)
  const c0 = sent.user_product_coupon_list[0] as Coupon
  await confirm(c0)
  const both = await useIt(c0, { associated_pay_score_order_info: { order_id: 'PS1' } })
  expectError(both, 400, 'PARAM_ERROR')
  const neither = await useIt(c0, { associated_order_info: undefined })
  expectError(neither, 400, 'PARAM_ERROR')
  const open = await s.admin('POST', '/sandbox/stores', { brand_id: s.sandbox.brand_id })
  const closed = await s.admin('POST', '/sandbox/stores', {
    brand_id: s.sandbox.brand_id,
    open: false,
  })
  assert.equal(open.status, 200, open.text)
  const stores = `${API}/product-coupons/${pc.product_coupon_id}/stock-bundles/${pc.stock_bundle.stock_bundle_id}`
  const brand = await s.admin('POST', '/sandbox/brands', {
    partner_mchids: [s.sandbox.partner.mchid],
  })
  const foreign = await s.admin('POST', '/sandbox/stores', { brand_id: brand.json.brand_id })
  assert.equal(foreign.status, 200, foreign.text)
  // Not yet associated (store_scope SPECIFIC), closed, unknown, another brand's: 268584404.
  for (const id of [open.json.store_id, closed.json.store_id, '999', foreign.json.store_id]) {
    const r = await useIt(c0, { store_id: id })
    expectError(r, 400, 'INVALID_REQUEST')
    assert.match(r.headers.get('request-id') ?? '', /-268584404$/)
  }
  // store_scope NONE: any open store of the stock's brand, none of another brand's.
  const single = await s.call('POST', `${API}/product-coupons`, productCouponBody(s))
  assert.equal(single.status, 200, single.text)
  const one = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
    product_coupon_id: single.json.product_coupon_id,
    stock_id: single.json.stock.stock_id,
    appid: s.sandbox.appid,
    send_request_no: reqNo('SS'),
    brand_id: s.sandbox.brand_id,
  })
  assert.equal(one.status, 200, one.text)
  await confirm(one.json)
  expectError(await useIt(one.json, { store_id: foreign.json.store_id }), 400, 'INVALID_REQUEST')
  const plain = await useIt(one.json, { store_id: open.json.store_id })
  assert.equal(plain.status, 200, plain.text)
  assert.ok(plain.json.single_usage_detail, 'a SINGLE coupon keeps single_usage_detail')
  const assoc = await s.call('POST', `${stores}/associate-stores`, {
    brand_id: s.sandbox.brand_id,
    store_list: [{ store_id: open.json.store_id }, { store_id: closed.json.store_id }],
  })
  assert.equal(assoc.status, 200, assoc.text)
  assert.equal(assoc.json.total_count, 2)
  assert.deepEqual(assoc.json.success_store_list, [{ store_id: open.json.store_id }])
  const ok = await useIt(c0, {
    store_id: open.json.store_id,
    associated_order_info: undefined,
    associated_pay_score_order_info: { out_order_no: 'SCORE-1', mchid: '1900000001' },
  })
  assert.equal(ok.status, 200, ok.text)
  assert.deepEqual(ok.json.progressive_bundle_usage_detail.associated_pay_score_order_info, {
    out_order_no: 'SCORE-1',
    mchid: '1900000001',
  })
})

test('stock bundle management: add, patch, update-budget on every tier; per-stock writes refused', async () => {
  const pc = await createBundle(3)
  const base = `${API}/product-coupons/${pc.product_coupon_id}`
  const added = await s.call('POST', `${base}/stock-bundles`, {
    out_request_no: reqNo('AB'),
    brand_id: s.sandbox.brand_id,
    stock_bundle: bundleBody(3).stock_bundle,
  })
  assert.equal(added.status, 200, added.text)
  assert.equal(added.json.stock_list.length, 3)
  const bundle = `${base}/stock-bundles/${added.json.stock_bundle_id}`
  const patched = await s.call('PATCH', bundle, {
    out_request_no: reqNo('PB'),
    brand_id: s.sandbox.brand_id,
    remark: '新备注',
  })
  assert.equal(patched.status, 200, patched.text)
  assert.ok(patched.json.stock_list.every((x: { remark: string }) => x.remark === '新备注'))
  const budget = await s.call('POST', `${bundle}/update-budget`, {
    out_request_no: reqNo('UB'),
    brand_id: s.sandbox.brand_id,
    update_mode: 'MAX_COUNT',
    current_max_count: 10,
    target_max_count: 20,
  })
  assert.equal(budget.status, 200, budget.text)
  assert.ok(
    budget.json.stock_list.every(
      (x: { stock_send_rule: { max_count: number } }) => x.stock_send_rule.max_count === 20,
    ),
  )
  const tier = added.json.stock_list[0].stock_id
  const single = await s.call('POST', `${base}/stocks/${tier}/update-budget`, {
    out_request_no: reqNo('US'),
    brand_id: s.sandbox.brand_id,
    update_mode: 'MAX_COUNT',
    current_max_count: 20,
    target_max_count: 30,
  })
  expectError(single, 400, 'INVALID_REQUEST')
  const send = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupons`, {
    product_coupon_id: pc.product_coupon_id,
    stock_id: tier,
    appid: s.sandbox.appid,
    send_request_no: reqNo('SD'),
    brand_id: s.sandbox.brand_id,
  })
  expectError(send, 400, 'INVALID_REQUEST')
})

test('a bundle send against a budget is all or nothing', async () => {
  const body = bundleBody(3)
  body.stock_bundle.stock_send_rule = { max_count: 1, max_count_per_user: 5 }
  const r = await s.call('POST', `${API}/product-coupons`, body)
  assert.equal(r.status, 200, r.text)
  await sendBundle(r.json)
  const again = await s.call('POST', `${API}/users/${s.sandbox.openid}/coupon-bundles`, {
    product_coupon_id: r.json.product_coupon_id,
    stock_bundle_id: r.json.stock_bundle.stock_bundle_id,
    appid: s.sandbox.appid,
    send_request_no: reqNo('SB'),
    brand_id: s.sandbox.brand_id,
  })
  expectError(again, 400, 'INVALID_REQUEST')
  const q = `brand_id=${s.sandbox.brand_id}`
  const stocks = await s.call(
    'GET',
    `${API}/product-coupons/${r.json.product_coupon_id}/stocks?${q}`,
  )
  assert.deepEqual(
    stocks.json.stock_list.map(
      (x: { sent_count_info: { total_count: number } }) => x.sent_count_info.total_count,
    ),
    [1, 1, 1],
  )
})

test('pre-send: a token for 5 minutes of the sandbox clock, claimed once as the user would', async () => {
  const single = await s.call('POST', `${API}/product-coupons`, productCouponBody(s))
  assert.equal(single.status, 200, single.text)
  const pre = {
    product_coupon_id: single.json.product_coupon_id,
    stock_id: single.json.stock.stock_id,
    appid: s.sandbox.appid,
    send_request_no: reqNo('PS'),
    attach: 'from-mp',
    brand_id: s.sandbox.brand_id,
  }
  const t = await s.call('POST', `${API}/users/${s.sandbox.openid}/pre-send-coupon`, pre)
  assert.equal(t.status, 200, t.text)
  const again = await s.call('POST', `${API}/users/${s.sandbox.openid}/pre-send-coupon`, pre)
  assert.equal(again.json.token, t.json.token)
  const claim = await s.admin('POST', `/sandbox/pre-send-tokens/${t.json.token}/claim`, {})
  assert.equal(claim.status, 200, claim.text)
  assert.equal(claim.json.send_channel, 'RECEIVE_COMPONENT')
  assert.equal(claim.json.attach, 'from-mp')
  assert.equal(claim.json.coupon_state, 'CONFIRMING')
  const twice = await s.admin('POST', `/sandbox/pre-send-tokens/${t.json.token}/claim`, {})
  assert.equal(twice.status, 400)
  const late = await s.call('POST', `${API}/users/${s.sandbox.openid}/pre-send-coupon`, {
    ...pre,
    send_request_no: reqNo('PS'),
  })
  await s.admin('POST', '/sandbox/clock', { advance_seconds: 301 })
  const expired = await s.admin('POST', `/sandbox/pre-send-tokens/${late.json.token}/claim`, {})
  assert.equal(expired.status, 400)
  const unknown = await s.admin('POST', '/sandbox/pre-send-tokens/nope/claim', {})
  assert.equal(unknown.status, 404)
})

test('the SDK typed by revision: clientFor 2025-11 has the bundle methods and its list filters', async () => {
  const client = clientFor({ ...clientOptionsFromSandbox(s.sandbox), revision: '2025-11' })
  const pc = await createBundle(3)
  const sent = await client.sendCouponBundle({
    openid: s.sandbox.openid,
    product_coupon_id: pc.product_coupon_id,
    stock_bundle_id: pc.stock_bundle.stock_bundle_id,
    appid: s.sandbox.appid,
    send_request_no: reqNo('SDK'),
    brand_id: s.sandbox.brand_id,
  })
  const page = await client.listUserCoupons({
    openid: s.sandbox.openid,
    appid: s.sandbox.appid,
    brand_id: s.sandbox.brand_id,
    user_coupon_bundle_id: sent.user_coupon_bundle_id,
  })
  assert.equal(page.total_count, 3)
  assert.equal(
    page.user_coupon_list[0]?.user_product_coupon_bundle_info?.user_coupon_bundle_index,
    0,
  )
  const stocks = await client.listStocks({
    product_coupon_id: pc.product_coupon_id,
    brand_id: s.sandbox.brand_id,
    stock_bundle_id: pc.stock_bundle.stock_bundle_id,
  })
  assert.equal(stocks.total_count, 3)
  const first = sent.user_product_coupon_list[0]
  assert.ok(first)
  const use = {
    openid: s.sandbox.openid,
    coupon_code: first.coupon_code,
    product_coupon_id: pc.product_coupon_id,
    stock_id: first.stock.stock_id,
    appid: s.sandbox.appid,
    brand_id: s.sandbox.brand_id,
    use_time: await now(),
    out_request_no: reqNo('SDU'),
    associated_pay_score_order_info: { order_id: 'PS-1' },
  }
  await client.confirmCoupon({ ...use, out_request_no: reqNo('SDC') })
  // @ts-expect-error a 2025-11 client has no SEQUENTIAL index (the server ignores it as unknown)
  const used = await client.useCoupon({ ...use, sequential_coupon_index: 0 })
  assert.equal(used.coupon_state, 'USED')
  assert.deepEqual(used.progressive_bundle_usage_detail?.associated_pay_score_order_info, {
    order_id: 'PS-1',
  })
  const seed = clientFor({ ...clientOptionsFromSandbox(s.sandbox), revision: '2025-08' })
  // @ts-expect-error a 2025-08 client has no bundle methods
  assert.equal(typeof seed.sendCouponBundle, 'function')
  // The SEND callback of each bundle coupon names its stock bundle and user coupon bundle.
  const n = await s.admin('GET', '/sandbox/notifications?limit=200')
  const mine = n.json.notifications.filter(
    (x: { plaintext: { user_coupon_bundle_id?: string } }) =>
      x.plaintext.user_coupon_bundle_id === sent.user_coupon_bundle_id,
  )
  assert.equal(mine.length, 3)
  for (const x of mine) {
    assert.equal(x.event_type, 'PRODUCT_COUPON_SP.SEND')
    assert.equal(x.plaintext.stock_bundle_id, pc.stock_bundle.stock_bundle_id)
  }
})

test("rate limits follow the partner's revision: create is 20/s on 2025-11, 1,000/min on 2025-08", async () => {
  const limited = behaviour({
    ...TEST_SETTINGS,
    rateLimits: { enabled: true, per: 'partner', overrides: {} },
  })
  const [a, b] = await Promise.all([
    startTestServer(behaviour({ ...limited, revision: '2025-11' })),
    startTestServer(limited),
  ])
  try {
    // Limits are counted before validation: an empty body is enough to be counted.
    const burst = (x: TestServer) =>
      Promise.all(Array.from({ length: 40 }, () => x.call('POST', `${API}/product-coupons`, {})))
    const [on11, on08] = await Promise.all([burst(a), burst(b)])
    assert.ok(on11.filter((r) => r.status === 429).length >= 10, 'a 2025-11 partner is limited')
    assert.ok(
      on08.every((r) => r.status === 400),
      'a 2025-08 partner is not',
    )
  } finally {
    await Promise.all([a.close(), b.close()])
  }
})

// Last: it moves the sandbox clock past every window of this file.
test('bundle coupons expire with their window on the sandbox clock, locked ones included', async () => {
  const pc = await createBundle(3)
  const sent = await sendBundle(pc)
  const [c0, c1] = sent.user_product_coupon_list as Coupon[]
  assert.ok(c0 && c1)
  await confirm(c0)
  assert.equal((await get(c1)).coupon_state, 'CONFIRMING')
  const end = Date.parse((await get(c0)).valid_end_time) / 1000
  const nowS = Date.parse(await now()) / 1000
  const moved = await s.admin('POST', '/sandbox/clock', {
    advance_seconds: Math.ceil(end - nowS) + 1,
  })
  assert.equal(moved.status, 200, moved.text)
  assert.equal((await get(c0)).coupon_state, 'EXPIRED')
  assert.equal((await get(c1)).coupon_state, 'EXPIRED')
  const r = await useIt(c0)
  expectError(r, 400, 'INVALID_REQUEST')
})
