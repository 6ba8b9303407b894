import type { CreateProductCouponResponse } from '@wxcoupon/sdk/schemas'
import { CreateProductCouponBody } from '@wxcoupon/sdk/schemas'
import { Value } from 'typebox/value'
import { wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock } from '../domain/present.ts'
import {
  checkCreateProductCoupon,
  initialStates,
  newProductCoupon,
} from '../domain/product-coupon.ts'
import { newStock } from '../domain/stock.ts'
import type { StoreReader } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireBrand } from './guards.ts'
import { type IdempotentWrite, idempotentWrite, type WriteRequest } from './idempotency.ts'
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

interface CreateRequest extends WriteRequest<'out_request_no'> {
  readonly body: CreateProductCouponBody
}

const CREATE: IdempotentWrite<'out_request_no', CreateRequest, void, CreateProductCouponResponse> =
  {
    op: {
      operation: 'create_product_coupon',
      schema: CreateProductCouponBody,
      requestNo: 'out_request_no',
      // Q9: the setting chooses between the two errors the sources show.
      conflict: (settings) =>
        settings.createConflictError === 'ALREADY_EXISTS'
          ? 'ALREADY_EXISTS'
          : 'REQUEST_NO_CONFLICT',
      replay: 'rebuild',
    },
    scope: (q) => ({ mchid: q.caller.mchid }),
    load: (tx, _now, { caller, body }) => requireBrand(tx, body.brand_id, caller.mchid),
    async replay(tx, now, _q, _c, record) {
      const [pcId = '', stockId = ''] = record.resourceId.split('/')
      const [pc, stock] = await Promise.all([tx.getProductCoupon(pcId), tx.getStock(stockId)])
      if (!pc || !stock) throw new Error(`request number points at missing ${record.resourceId}`)
      return { ...presentProductCoupon(pc), stock: presentStock(stock, now) }
    },
    async apply(tx, now, { deps, caller, body }) {
      const { settings } = deps
      checkCreateProductCoupon(body, settings)
      await requireNotifyAppId(
        tx,
        body.stock.notify_config.notify_appid,
        body.brand_id,
        caller.mchid,
      )
      const states = initialStates(settings)
      const id = await newProductCouponId(tx)
      const pc = newProductCoupon(id, caller.mchid, body, states.productCoupon, now)
      const stock = newStock(pc, await newStockId(tx, pc.id), body.stock, states.stock, now)
      await tx.insertProductCoupon(pc)
      await tx.insertStock(stock)
      return {
        result: { ...presentProductCoupon(pc), stock: presentStock(stock, now) },
        resourceId: `${pc.id}/${stock.id}`,
      }
    },
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
  return idempotentWrite(CREATE, { deps, caller, body })
}
