import assert from 'node:assert/strict'
import type { OperationName } from '../../../packages/sdk/src/schemas/operations.ts'
import { behaviour } from '../../../src/domain/settings.ts'
import { formatRfc3339 } from '../../../src/domain/time.ts'
import { API, reqNo } from '../fixtures.ts'
import {
  type PartnerCreds,
  partnerFrom,
  type Reply,
  startTestServer,
  TEST_SETTINGS,
  type TestServer,
} from '../harness.ts'

/**
 * The tenant matrix for the 2025-11 revision's operations: partner C (2025-11, its own brand,
 * AppID and user) aims every bundle operation at A's product coupon, stock bundle and user
 * coupon bundle. Each call must fail (or, for a list, find nothing) exactly as the same call on
 * ids that do not exist does, and A's bundle reads the same afterwards.
 */

export const BUNDLE_OPS: readonly OperationName[] = [
  'add_stock_bundle',
  'patch_stock_bundle',
  'update_bundle_budget',
  'associate_bundle_stores',
  'disassociate_bundle_stores',
  'send_coupon_bundle',
  'deactivate_coupon_bundle',
  'pre_send_coupon',
  'pre_send_coupon_bundle',
]

export interface BundleWorld {
  s: TestServer
  c: { partner: PartnerCreds; brand: string; appid: string; openid: string }
  a: {
    pc: string
    bundle: string
    stock: string
    ucb: string
    code: string
    single: string
    singleStock: string
  }
  close(): Promise<void>
}

const DAY = 86_400

function bundleBody(appid: string) {
  const now = Math.floor(Date.now() / 1000)
  return {
    coupon_code_mode: 'WECHATPAY',
    stock_send_rule: { max_count: 10, max_count_per_user: 5 },
    progressive_bundle_usage_rule: {
      coupon_available_period: {
        available_begin_time: formatRfc3339(now - DAY),
        available_end_time: formatRfc3339(now + 30 * DAY),
      },
      normal_coupon_list: [
        { threshold: 100, discount_amount: 10 },
        { threshold: 100, discount_amount: 20 },
        { threshold: 100, discount_amount: 30 },
      ],
    },
    usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: 'x' },
    coupon_display_info: { code_display_mode: 'QRCODE' },
    notify_config: { notify_appid: appid },
    store_scope: 'SPECIFIC',
  }
}

async function ok(r: Promise<Reply>): Promise<Reply> {
  const reply = await r
  assert.equal(reply.status, 200, reply.text)
  return reply
}

export async function setupBundleWorld(): Promise<BundleWorld> {
  const s = await startTestServer(behaviour({ ...TEST_SETTINGS, revision: '2025-11' }))
  const sb = s.sandbox
  const display = {
    name: '多次优惠',
    image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
    background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
  }
  const pc = await ok(
    s.call('POST', `${API}/product-coupons`, {
      out_request_no: reqNo('TB'),
      brand_id: sb.brand_id,
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'PROGRESSIVE_BUNDLE',
      progressive_bundle_usage_info: { count: 3 },
      display_info: display,
      stock_bundle: bundleBody(sb.appid),
    }),
  )
  const bundle = pc.json.stock_bundle.stock_bundle_id as string
  const sent = await ok(
    s.call('POST', `${API}/users/${sb.openid}/coupon-bundles`, {
      product_coupon_id: pc.json.product_coupon_id,
      stock_bundle_id: bundle,
      appid: sb.appid,
      send_request_no: reqNo('TS'),
      brand_id: sb.brand_id,
    }),
  )
  const { progressive_bundle_usage_rule: rule, ...shared } = bundleBody(sb.appid)
  const single = await ok(
    s.call('POST', `${API}/product-coupons`, {
      out_request_no: reqNo('TP'),
      brand_id: sb.brand_id,
      scope: 'SINGLE',
      type: 'NORMAL',
      usage_mode: 'SINGLE',
      display_info: { ...display, original_price: 100 },
      stock: {
        ...shared,
        single_usage_rule: {
          coupon_available_period: rule.coupon_available_period,
          normal_coupon: { threshold: 100, discount_amount: 10 },
        },
        store_scope: 'NONE',
      },
    }),
  )
  const p = (await ok(s.admin('POST', '/sandbox/partners', {}))).json
  const brand = (await ok(s.admin('POST', '/sandbox/brands', { partner_mchids: [p.mchid] }))).json
    .brand_id as string
  const appid = (await ok(s.admin('POST', '/sandbox/appids', { mchid: p.mchid }))).json.appid
  const openid = (await ok(s.admin('POST', '/sandbox/openids', { appid }))).json.openid
  const first = sent.json.user_product_coupon_list[0]
  return {
    s,
    c: { partner: partnerFrom(p), brand, appid, openid },
    a: {
      pc: pc.json.product_coupon_id,
      bundle,
      stock: first.stock.stock_id,
      ucb: sent.json.user_coupon_bundle_id,
      code: first.coupon_code,
      single: single.json.product_coupon_id,
      singleStock: single.json.stock.stock_id,
    },
    close: () => s.close(),
  }
}

export interface BundleCell {
  op: OperationName
  name: string
  /** The call with A's ids (`ids`) or ghosts; brand and appid are C's unless `asA`. */
  req: (ids: BundleWorld['a'], w: BundleWorld) => { method: string; path: string; body?: unknown }
}

const GHOST = {
  pc: '1999999999',
  bundle: '999999999999999999',
  stock: '1999999999001',
  ucb: '9999999999999999',
  code: '999999999999',
  single: '1999999998',
  singleStock: '1999999998001',
}

const body = (w: BundleWorld, extra: Record<string, unknown>) => ({
  brand_id: w.c.brand,
  ...extra,
})

export const bundleCells: readonly BundleCell[] = [
  {
    op: 'add_stock_bundle',
    name: "C adds a stock bundle to A's product coupon",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/product-coupons/${a.pc}/stock-bundles`,
      body: body(w, {
        out_request_no: reqNo('X'),
        stock_bundle: bundleBody(w.c.appid),
      }),
    }),
  },
  {
    op: 'patch_stock_bundle',
    name: "C patches A's stock bundle",
    req: (a, w) => ({
      method: 'PATCH',
      path: `${API}/product-coupons/${a.pc}/stock-bundles/${a.bundle}`,
      body: body(w, { out_request_no: reqNo('X'), remark: 'C' }),
    }),
  },
  {
    op: 'update_bundle_budget',
    name: "C changes the budget of A's stock bundle",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/product-coupons/${a.pc}/stock-bundles/${a.bundle}/update-budget`,
      body: body(w, {
        out_request_no: reqNo('X'),
        update_mode: 'MAX_COUNT',
        current_max_count: 10,
        target_max_count: 1,
      }),
    }),
  },
  ...(['associate', 'disassociate'] as const).map(
    (verb): BundleCell => ({
      op: `${verb}_bundle_stores`,
      name: `C ${verb}s stores on A's stock bundle`,
      req: (a, w) => ({
        method: 'POST',
        path: `${API}/product-coupons/${a.pc}/stock-bundles/${a.bundle}/${verb}-stores`,
        body: body(w, { store_list: [{ store_id: '100000001' }] }),
      }),
    }),
  ),
  {
    op: 'send_coupon_bundle',
    name: "C sends A's stock bundle to its own user",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/users/${w.c.openid}/coupon-bundles`,
      body: body(w, {
        product_coupon_id: a.pc,
        stock_bundle_id: a.bundle,
        appid: w.c.appid,
        send_request_no: reqNo('X'),
      }),
    }),
  },
  {
    op: 'deactivate_coupon_bundle',
    name: "C deactivates A's user coupon bundle",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/users/${w.c.openid}/coupon-bundles/${a.ucb}/deactivate`,
      body: body(w, {
        product_coupon_id: a.pc,
        stock_bundle_id: a.bundle,
        appid: w.c.appid,
        out_request_no: reqNo('X'),
        deactivate_reason: 'C',
      }),
    }),
  },
  {
    op: 'pre_send_coupon',
    name: "C pre-sends A's stock",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/users/${w.c.openid}/pre-send-coupon`,
      body: body(w, {
        product_coupon_id: a.single,
        stock_id: a.singleStock,
        appid: w.c.appid,
        send_request_no: reqNo('X'),
      }),
    }),
  },
  {
    op: 'pre_send_coupon_bundle',
    name: "C pre-sends A's stock bundle",
    req: (a, w) => ({
      method: 'POST',
      path: `${API}/users/${w.c.openid}/pre-send-coupon-bundle`,
      body: body(w, {
        product_coupon_id: a.pc,
        stock_bundle_id: a.bundle,
        appid: w.c.appid,
        send_request_no: reqNo('X'),
      }),
    }),
  },
  {
    op: 'list_user_coupons',
    name: "C lists its user's coupons by A's user coupon bundle",
    req: (a, w) => ({
      method: 'GET',
      path: `${API}/users/${w.c.openid}/coupons?${new URLSearchParams({
        appid: w.c.appid,
        brand_id: w.c.brand,
        user_coupon_bundle_id: a.ucb,
      })}`,
    }),
  },
]

/** Status, code and message: what a caller could tell apart. */
export function shapeOf(r: Reply): string {
  if (r.status === 200) return `200 ${JSON.stringify(r.json)}`
  return `${r.status} ${r.json?.code} ${r.json?.message}`
}

export async function runBundleCell(w: BundleWorld, cell: BundleCell): Promise<void> {
  const call = (ids: BundleWorld['a']) => {
    const q = cell.req(ids, w)
    return w.s.call(q.method, q.path, q.body, { partner: w.c.partner })
  }
  const [real, ghost] = [await call(w.a), await call(GHOST)]
  if (real.status === 200) {
    assert.equal(cell.op, 'list_user_coupons', `${cell.name}: ${real.text}`)
    assert.equal(real.json.total_count, 0, `${cell.name} shows A's coupons`)
  }
  assert.equal(
    shapeOf(real),
    shapeOf(ghost),
    `${cell.name}: A's ids answer unlike ids that do not exist`,
  )
}

/** What A sees of its bundle: its stocks and its user's coupons, as A reads them. */
export async function bundleSnapshot(w: BundleWorld): Promise<unknown> {
  const sb = w.s.sandbox
  const stocks = await w.s.call(
    'GET',
    `${API}/product-coupons/${w.a.pc}/stocks?brand_id=${sb.brand_id}`,
  )
  const coupons = await w.s.call(
    'GET',
    `${API}/users/${sb.openid}/coupons?${new URLSearchParams({ appid: sb.appid, brand_id: sb.brand_id })}`,
  )
  return { stocks: stocks.json, coupons: coupons.json }
}
