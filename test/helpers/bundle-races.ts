import { formatRfc3339 } from '../../src/domain/time.ts'
import type { Cluster } from './cluster.ts'
import { API, reqNo } from './fixtures.ts'
import { type PartnerCreds, partnerFrom, type Reply } from './harness.ts'
import type { Violations } from './race-scenarios.ts'

/**
 * Races within one user coupon bundle (2025-11), for the race tests on every deployment: a
 * 2025-11 partner made on the cluster, identical and competing returns of the latest used
 * coupon, concurrent uses of two coupons of one bundle, and bundle sends against a budget.
 */

export interface BundleTenant {
  partner: PartnerCreds
  brand: string
  appid: string
  openid: string
}

async function ok(r: Promise<Reply>): Promise<Reply> {
  const reply = await r
  if (reply.status !== 200) throw new Error(`setup failed: ${reply.status} ${reply.text}`)
  return reply
}

export async function bundleTenant(c: Cluster): Promise<BundleTenant> {
  const s = c.at(0)
  const p = (await ok(s.admin('POST', '/sandbox/partners', { revision: '2025-11' }))).json
  const brand = (await ok(s.admin('POST', '/sandbox/brands', { partner_mchids: [p.mchid] }))).json
    .brand_id as string
  const appid = (await ok(s.admin('POST', '/sandbox/appids', { mchid: p.mchid }))).json.appid
  const openid = (await ok(s.admin('POST', '/sandbox/openids', { appid }))).json.openid
  return { partner: partnerFrom(p), brand, appid, openid }
}

const call = (
  c: Cluster,
  t: BundleTenant,
  i: number,
  method: string,
  path: string,
  body?: unknown,
) => c.at(i).call(method, path, body, { partner: t.partner })

async function bundleCoupon(c: Cluster, t: BundleTenant, maxCount = 100) {
  const now = Math.floor(Date.now() / 1000)
  const r = await ok(
    call(c, t, 0, 'POST', `${API}/product-coupons`, {
      out_request_no: reqNo('RB'),
      brand_id: t.brand,
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'PROGRESSIVE_BUNDLE',
      progressive_bundle_usage_info: { count: 3 },
      display_info: {
        name: '多次优惠',
        image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
        background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
      },
      stock_bundle: {
        coupon_code_mode: 'WECHATPAY',
        stock_send_rule: { max_count: maxCount, max_count_per_user: 100 },
        progressive_bundle_usage_rule: {
          coupon_available_period: {
            available_begin_time: formatRfc3339(now - 86_400),
            available_end_time: formatRfc3339(now + 30 * 86_400),
          },
          normal_coupon_list: [
            { threshold: 100, discount_amount: 10 },
            { threshold: 100, discount_amount: 20 },
            { threshold: 100, discount_amount: 30 },
          ],
        },
        usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: 'x' },
        coupon_display_info: { code_display_mode: 'QRCODE' },
        notify_config: { notify_appid: t.appid },
        store_scope: 'NONE',
      },
    }),
  )
  return {
    pc: r.json.product_coupon_id as string,
    bundle: r.json.stock_bundle.stock_bundle_id as string,
  }
}

type Coupon = { coupon_code: string; stock: { stock_id: string } }

function sendBody(t: BundleTenant, b: { pc: string; bundle: string }) {
  return {
    product_coupon_id: b.pc,
    stock_bundle_id: b.bundle,
    appid: t.appid,
    send_request_no: reqNo('RS'),
    brand_id: t.brand,
  }
}

/** A sent bundle, every coupon confirmed, the first `used` of them used. */
async function usedBundle(c: Cluster, t: BundleTenant, used: number) {
  const b = await bundleCoupon(c, t)
  const sent = await ok(
    call(c, t, 0, 'POST', `${API}/users/${t.openid}/coupon-bundles`, sendBody(t, b)),
  )
  const coupons = sent.json.user_product_coupon_list as Coupon[]
  const ref = (x: Coupon) => ({
    product_coupon_id: b.pc,
    stock_id: x.stock.stock_id,
    appid: t.appid,
    brand_id: t.brand,
  })
  const path = (x: Coupon, action: string) =>
    `${API}/users/${t.openid}/coupons/${x.coupon_code}/${action}`
  for (const x of coupons) {
    await ok(call(c, t, 0, 'POST', path(x, 'confirm'), { ...ref(x), out_request_no: reqNo('RC') }))
  }
  const useBody = async (x: Coupon) => ({
    ...ref(x),
    use_time: (await c.at(0).admin('GET', '/sandbox/clock')).json.now,
    out_request_no: reqNo('RU'),
    associated_order_info: { transaction_id: '4200000000000001' },
  })
  for (const x of coupons.slice(0, used))
    await ok(call(c, t, 0, 'POST', path(x, 'use'), await useBody(x)))
  return { b, coupons, ref, path, useBody, id: sent.json.user_coupon_bundle_id as string }
}

async function states(c: Cluster, coupons: readonly Coupon[]) {
  const out: string[] = []
  for (const x of coupons) {
    out.push((await c.store.read.getUserCoupon(x.stock.stock_id, x.coupon_code))?.state ?? '?')
  }
  return out
}

async function usedCounts(c: Cluster, coupons: readonly Coupon[]) {
  const out: number[] = []
  for (const x of coupons) {
    out.push(
      (await c.store.read.getUserCoupon(x.stock.stock_id, x.coupon_code))?.bundle?.usedCount ?? -1,
    )
  }
  return out
}

/** N returns of the latest used coupon of a bundle, one number or N → one change. */
export async function bundleReturns(c: Cluster, t: BundleTenant, n: number, identical: boolean) {
  const u = await usedBundle(c, t, 2)
  const latest = u.coupons[1] as Coupon
  const no = reqNo('RR')
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      call(c, t, i, 'POST', u.path(latest, 'return'), {
        ...u.ref(latest),
        out_request_no: identical ? no : reqNo('RR'),
      }),
    ),
  )
  const v: Violations = []
  const good = rs.filter((r) => r.status === 200).length
  if (identical && good !== n) v.push(`identical returns: ${n - good} not 200`)
  if (!identical && good !== 1) v.push(`competing returns: ${good} successes (expected 1)`)
  const odd = rs.filter((r) => r.status !== 200 && r.status !== 400)
  if (odd.length) v.push(`unexpected answers: ${odd.map((r) => r.status)}`)
  const st = await states(c, u.coupons)
  if (st.join() !== 'USED,EFFECTIVE,PENDING') v.push(`states after the returns: ${st}`)
  const counts = await usedCounts(c, u.coupons)
  if (counts.some((k) => k !== 1)) v.push(`used_count after one return: ${counts}`)
  return v
}

/**
 * The first two coupons of a bundle used at once, many times each: only the first can be used
 * (the second is locked until then), so the bundle ends with one or two uses, in order, and a
 * used_count that says so on every coupon.
 */
export async function concurrentBundleUses(c: Cluster, t: BundleTenant, n: number) {
  const u = await usedBundle(c, t, 0)
  const [c0, c1] = u.coupons as [Coupon, Coupon]
  const bodies = await Promise.all(
    Array.from({ length: n }, (_, i) => u.useBody(i % 2 === 0 ? c0 : c1)),
  )
  const rs = await Promise.all(
    bodies.map((body, i) => call(c, t, i, 'POST', u.path(i % 2 === 0 ? c0 : c1, 'use'), body)),
  )
  const v: Violations = []
  const ok0 = rs.filter((r, i) => i % 2 === 0 && r.status === 200).length
  const ok1 = rs.filter((r, i) => i % 2 === 1 && r.status === 200).length
  if (ok0 !== 1) v.push(`uses of the first coupon: ${ok0} successes (expected 1)`)
  if (ok1 > 1) v.push(`uses of the second coupon: ${ok1} successes (at most 1)`)
  const odd = rs.filter((r) => r.status !== 200 && r.status !== 400)
  if (odd.length) v.push(`unexpected answers: ${odd.map((r) => `${r.status} ${r.text}`)}`)
  const counts = await usedCounts(c, u.coupons)
  const used = (await states(c, u.coupons)).filter((s) => s === 'USED').length
  if (used !== ok0 + ok1) v.push(`${used} coupons USED for ${ok0 + ok1} successful uses`)
  if (counts.some((k) => k !== used)) v.push(`used_count ${counts} for ${used} uses`)
  return v
}

/** 2 × max bundle sends at once against tier budgets of `max` → exactly `max` bundles, whole. */
export async function bundleBudgetSends(c: Cluster, t: BundleTenant, max: number) {
  const b = await bundleCoupon(c, t, max)
  const rs = await Promise.all(
    Array.from({ length: 2 * max }, (_, i) =>
      call(c, t, i, 'POST', `${API}/users/${t.openid}/coupon-bundles`, sendBody(t, b)),
    ),
  )
  const v: Violations = []
  const good = rs.filter((r) => r.status === 200).length
  if (good !== max) v.push(`bundle sends: ${good} successes for a budget of ${max}`)
  const odd = rs.filter((r) => r.status !== 200 && r.json?.message !== '批次已发放完')
  if (odd.length) v.push(`unexpected answers: ${odd.map((r) => `${r.status} ${r.text}`)}`)
  const stocks = (await c.store.read.listStocks(b.pc)).map((s) => s.sentTotal)
  if (stocks.some((n) => n !== good)) v.push(`tier counters ${stocks} for ${good} bundles`)
  for (const s of await c.store.read.listStocks(b.pc)) {
    const held = await c.store.read.countUserCoupons(s.id, t.openid)
    if (held !== good) v.push(`stock ${s.id}: ${held} coupons for ${good} bundles`)
  }
  return v
}
