import { Value } from 'typebox/value'
import { wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock } from '../domain/present.ts'
import {
  checkCreateProductCoupon,
  initialStates,
  normaliseStockTimes,
  type ProductCoupon,
  type ProductCouponConfig,
  type Stock,
} from '../domain/product-coupon.ts'
import type { StockForCreate } from '../schemas/coupon-config.ts'
import type { CreateProductCouponResponse } from '../schemas/entities.ts'
import { CreateProductCouponBody } from '../schemas/requests.ts'
import type { StoreReader } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'
import { requireBrand } from './guards.ts'
import { once } from './idempotency.ts'
import { newProductCouponId, newStockId } from './ids.ts'

/** notify_appid: an AppID of this partner, or one associated with the brand (E3, E5). */
export async function requireNotifyAppId(
  db: StoreReader,
  appid: string,
  brandId: string,
  mchid: string,
) {
  const b = await db.getAppId(appid)
  if (b?.mchid !== mchid && b?.brandId !== brandId) {
    throw wxError('APPID_INVALID', {
      field: '/stock/notify_config/notify_appid',
      value: appid,
      issue: 'AppID is neither bound to the partner nor associated with the brand',
      location: 'body',
    })
  }
}

/** E3: create a product coupon with its first stock. */
export function createProductCoupon(
  deps: ServiceDeps,
  caller: Caller,
  rawBody: CreateProductCouponBody,
): Promise<CreateProductCouponResponse> {
  // Unknown members are ignored, so they are neither stored nor part of the fingerprint.
  const body = Value.Clean(
    CreateProductCouponBody,
    structuredClone(rawBody),
  ) as CreateProductCouponBody
  const { settings } = deps
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, body.brand_id, caller.mchid)
    const key = {
      brandId: body.brand_id,
      operation: 'create_product_coupon',
      requestNo: body.out_request_no,
      fingerprint: fingerprint(CreateProductCouponBody, body, { mchid: caller.mchid }),
    }
    return once(tx, key, {
      conflict:
        settings.createConflictError === 'ALREADY_EXISTS'
          ? 'ALREADY_EXISTS'
          : 'REQUEST_NO_CONFLICT',
      snapshot: settings.replayResponse === 'snapshot',
      replay: async (record) => {
        const [pcId = '', stockId = ''] = record.resourceId.split('/')
        const [pc, stock] = await Promise.all([tx.getProductCoupon(pcId), tx.getStock(stockId)])
        if (!pc || !stock) throw new Error(`request number points at missing ${record.resourceId}`)
        return { ...presentProductCoupon(pc), stock: presentStock(stock, now) }
      },
      apply: async () => {
        checkCreateProductCoupon(body, settings)
        await requireNotifyAppId(
          tx,
          body.stock.notify_config.notify_appid,
          body.brand_id,
          caller.mchid,
        )
        const { out_request_no: _n, brand_id: _b, stock: stockInput, ...configFields } = body
        const states = initialStates(settings)
        const pc: ProductCoupon = {
          id: await newProductCouponId(tx),
          brandId: body.brand_id,
          mchid: caller.mchid,
          state: states.productCoupon,
          config: configFields satisfies ProductCouponConfig,
          createdAt: now,
        }
        const stock = newStock(pc, await newStockId(tx, pc.id), stockInput, states.stock, now)
        await tx.insertProductCoupon(pc)
        await tx.insertStock(stock)
        return {
          result: { ...presentProductCoupon(pc), stock: presentStock(stock, now) },
          resourceId: `${pc.id}/${stock.id}`,
        }
      },
    })
  })
}

/** A fresh stock of `pc` (E3's first stock, E5's added ones). */
export function newStock(
  pc: ProductCoupon,
  id: string,
  input: StockForCreate,
  state: Stock['state'],
  now: number,
): Stock {
  const stock: Stock = {
    id,
    productCouponId: pc.id,
    brandId: pc.brandId,
    mchid: pc.mchid,
    state,
    config: normaliseStockTimes(input),
    sentTotal: 0,
    sentToday: 0,
    sentDay: 0,
    createdAt: now,
  }
  if (input.coupon_code_mode === 'UPLOAD') stock.codeCount = { total: 0, available: 0 }
  return stock
}
