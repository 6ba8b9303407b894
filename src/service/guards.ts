import { wxError } from '../domain/errors.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'
import type { StoreReader, StoreTx } from '../store/store.ts'

/**
 * The authorisation and ownership checks every endpoint runs, in the order of E15 steps 4–6.
 * "Not yours" and "does not exist" answer the same 404, so ids of other tenants stay unseen.
 */

/** Step 4: the brand has authorised this partner for product coupons. */
export async function requireBrand(db: StoreReader, brandId: string, mchid: string): Promise<void> {
  if (!(await db.isBrandAuthorized(brandId, mchid))) throw wxError('NO_AUTH')
}

const appIdInvalid = (appid: string, location: 'body' | 'query') =>
  wxError('APPID_INVALID', {
    field: location === 'body' ? '/appid' : 'appid',
    value: appid,
    issue: 'AppID is not bound to the partner',
    location,
  })

const openIdInvalid = (openid: string) =>
  wxError('OPENID_INVALID', {
    field: 'openid',
    value: openid,
    issue: 'openid does not belong to appid',
    location: 'path',
  })

/**
 * Steps 4, 5a and 5b for a call on a user's coupons, read in one statement: the brand has
 * authorised this partner, the AppID is bound to the partner, the openid is a user under that
 * AppID — answered in that order.
 */
export async function requireUserScope(
  db: StoreReader,
  s: { brandId: string; mchid: string; appid: string; openid: string },
  location: 'body' | 'query' = 'body',
): Promise<void> {
  const scope = await db.getUserScope(s)
  if (!scope.brandAuthorized) throw wxError('NO_AUTH')
  if (scope.appidMchid !== s.mchid) throw appIdInvalid(s.appid, location)
  if (!scope.openidKnown) throw openIdInvalid(s.openid)
}

/** Step 6.1: the product coupon exists, belongs to the brand and was created by this partner. */
export async function requireProductCoupon(
  db: StoreReader,
  id: string,
  brandId: string,
  mchid: string,
): Promise<ProductCoupon> {
  const pc = await db.getProductCoupon(id)
  if (!pc || pc.brandId !== brandId || pc.mchid !== mchid) throw wxError('NOT_FOUND_PRODUCT_COUPON')
  return pc
}

/** Step 6.2: the stock exists and belongs to that product coupon. */
export async function requireStock(
  db: StoreReader,
  stockId: string,
  pc: ProductCoupon,
  lock?: StoreTx,
): Promise<Stock> {
  const stock = lock ? await lock.lockStock(stockId) : await db.getStock(stockId)
  if (!stock || stock.productCouponId !== pc.id) throw wxError('NOT_FOUND_STOCK')
  return stock
}

/** Step 6.3: the coupon exists in that stock and was issued to this user under this AppID. */
export async function requireUserCoupon(
  db: StoreReader,
  ref: { stockId: string; couponCode: string; openid: string; appid: string },
  lock?: StoreTx,
): Promise<UserCoupon> {
  const c = lock
    ? await lock.lockUserCoupon(ref.stockId, ref.couponCode)
    : await db.getUserCoupon(ref.stockId, ref.couponCode)
  if (!c || c.openid !== ref.openid || c.appid !== ref.appid) throw wxError('NOT_FOUND_USER_COUPON')
  return c
}
