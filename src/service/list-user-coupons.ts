import type { ListUserCouponsQuery, ListUserCouponsResponse } from '@wxcoupon/sdk/schemas'
import { presentUserCoupon } from '../domain/present.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import { atTime, type UserCoupon } from '../domain/user-coupon.ts'
import type { StoreReader, UserCouponFilter } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireProductCoupon, requireStock, requireUserScope } from './guards.ts'
import { paging } from './page-token.ts'

/**
 * The coupons of one user coupon bundle matching the other filters, in tier order (the order
 * the bundle is used in, which is also their issue order); a page continues after the last.
 */
async function bundleList(
  db: StoreReader,
  bundleId: string,
  f: UserCouponFilter,
  after: number | undefined,
): Promise<{ total: number; items: UserCoupon[] }> {
  const rec = await db.getUserCouponBundle(bundleId)
  if (
    !rec ||
    rec.mchid !== f.mchid ||
    rec.brandId !== f.brandId ||
    rec.openid !== f.openid ||
    rec.appid !== f.appid
  ) {
    return { total: 0, items: [] }
  }
  const all: UserCoupon[] = []
  for (const r of rec.coupons) {
    const c = await db.getUserCoupon(r.stockId, r.couponCode)
    if (!c) continue
    if (f.productCouponId !== undefined && c.productCouponId !== f.productCouponId) continue
    if (f.stockId !== undefined && c.stockId !== f.stockId) continue
    if (f.state !== undefined && atTime(c, f.now).state !== f.state) continue
    all.push(c)
  }
  return { total: all.length, items: all.filter((c) => after === undefined || c.issueSeq > after) }
}

/**
 * E13: a user's coupons of this partner and brand, newest first (issue order), filtered by the
 * state the clock implies. Pages continue after the last coupon shown (keyset), so coupons sent
 * meanwhile neither shift nor repeat entries; the token is bound to the query.
 */
export async function listUserCoupons(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  q: ListUserCouponsQuery,
): Promise<ListUserCouponsResponse> {
  const db = deps.store.read
  const now = deps.clock.seconds()
  await requireUserScope(
    db,
    { brandId: q.brand_id, mchid: caller.mchid, appid: q.appid, openid },
    'query',
  )
  if (q.product_coupon_id !== undefined) {
    const pc = await requireProductCoupon(db, q.product_coupon_id, q.brand_id, caller.mchid)
    if (q.stock_id !== undefined) await requireStock(db, q.stock_id, pc)
  }
  // 2025-11: only the coupons of one user coupon bundle, in bundle order.
  const bundleId = (q as { user_coupon_bundle_id?: string }).user_coupon_bundle_id
  const page = paging<number>(deps.pages, q, {
    list: 'user_coupons',
    mchid: caller.mchid,
    brand: q.brand_id,
    openid,
    appid: q.appid,
    pc: q.product_coupon_id ?? null,
    stock: q.stock_id ?? null,
    state: q.coupon_state ?? null,
    ...(bundleId === undefined ? {} : { bundle: bundleId }),
  })
  const filter = {
    mchid: caller.mchid,
    brandId: q.brand_id,
    openid,
    appid: q.appid,
    ...(q.product_coupon_id === undefined ? {} : { productCouponId: q.product_coupon_id }),
    ...(q.stock_id === undefined ? {} : { stockId: q.stock_id }),
    ...(q.coupon_state === undefined ? {} : { state: q.coupon_state }),
    now,
  }
  const { total, items } =
    bundleId !== undefined
      ? await bundleList(db, bundleId, filter, page.after)
      : await db.listUserCoupons(filter, {
          ...(page.after ? { after: page.after } : {}),
          limit: page.size + 1,
        })
  const shown = items.slice(0, page.size)
  // Each coupon is shown with its own product coupon and stock; load each once.
  const pcs = new Map<string, ProductCoupon | undefined>()
  const stocks = new Map<string, Stock | undefined>()
  const list = []
  for (const c of shown) {
    if (!pcs.has(c.productCouponId))
      pcs.set(c.productCouponId, await db.getProductCoupon(c.productCouponId))
    if (!stocks.has(c.stockId)) stocks.set(c.stockId, await db.getStock(c.stockId))
    const pc = pcs.get(c.productCouponId)
    const stock = stocks.get(c.stockId)
    if (!pc || !stock) throw new Error(`coupon ${c.couponCode} without its product coupon or stock`)
    list.push(presentUserCoupon(c, { productCoupon: pc, stock, now, settings: deps.settings }))
  }
  return {
    total_count: total,
    user_coupon_list: list,
    ...page.next(items.length > page.size, shown.at(-1)?.issueSeq),
  }
}
