import type {
  ProductCouponEntity,
  StockEntity,
  UserCouponQuery,
  UserProductCouponEntity,
} from '@wxcoupon/sdk/schemas'
import { presentProductCoupon, presentStock, presentUserCoupon } from '../domain/present.ts'
import type { Caller, ServiceDeps } from './context.ts'
import {
  requireBrand,
  requireProductCoupon,
  requireStock,
  requireUserCoupon,
  requireUserScope,
} from './guards.ts'

/** Reads need no transaction: each shows one committed state, with the clock applied. */

/** E4. */
export async function getProductCoupon(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  brandId: string,
): Promise<ProductCouponEntity> {
  const db = deps.store.read
  await requireBrand(db, brandId, caller.mchid)
  return presentProductCoupon(
    await requireProductCoupon(db, productCouponId, brandId, caller.mchid),
  )
}

/** E6. */
export async function getStock(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  stockId: string,
  brandId: string,
): Promise<StockEntity> {
  const db = deps.store.read
  await requireBrand(db, brandId, caller.mchid)
  const pc = await requireProductCoupon(db, productCouponId, brandId, caller.mchid)
  return presentStock(await requireStock(db, stockId, pc), deps.clock.seconds())
}

/** E12. */
export async function getUserCoupon(
  deps: ServiceDeps,
  caller: Caller,
  path: { openid: string; couponCode: string },
  q: UserCouponQuery,
): Promise<UserProductCouponEntity> {
  const db = deps.store.read
  await requireUserScope(
    db,
    { brandId: q.brand_id, mchid: caller.mchid, appid: q.appid, openid: path.openid },
    'query',
  )
  const pc = await requireProductCoupon(db, q.product_coupon_id, q.brand_id, caller.mchid)
  const stock = await requireStock(db, q.stock_id, pc)
  const coupon = await requireUserCoupon(db, { stockId: stock.id, ...path, appid: q.appid })
  return presentUserCoupon(coupon, {
    productCoupon: pc,
    stock,
    now: deps.clock.seconds(),
    settings: deps.settings,
  })
}
