import { wxError } from '../domain/errors.ts'
import { presentProductCoupon } from '../domain/present.ts'
import { checkDisplayInfo, type ProductCoupon } from '../domain/product-coupon.ts'
import { deactivateProductCoupon, stockStateAt } from '../domain/stock.ts'
import type { ProductCouponEntity } from '../schemas/entities.ts'
import { DeactivateBody, PatchProductCouponBody } from '../schemas/requests.ts'
import type { StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'
import { requireBrand, requireProductCoupon } from './guards.ts'
import { once } from './idempotency.ts'

/** Product-coupon management: deactivate (with all its stocks) and PATCH display info. */

function writeProductCoupon<B extends { brand_id: string; out_request_no: string }>(
  deps: ServiceDeps,
  caller: Caller,
  w: {
    operation: string
    schema: Parameters<typeof fingerprint>[0]
    productCouponId: string
    body: B
    apply(pc: ProductCoupon, now: number, tx: StoreTx): Promise<ProductCoupon>
  },
): Promise<ProductCouponEntity> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, w.body.brand_id, caller.mchid)
    const pc = await requireProductCoupon(tx, w.productCouponId, w.body.brand_id, caller.mchid)
    const key = {
      brandId: w.body.brand_id,
      operation: w.operation,
      requestNo: w.body.out_request_no,
      fingerprint: fingerprint(w.schema, w.body, { mchid: caller.mchid, product_coupon_id: pc.id }),
    }
    return once(tx, key, {
      conflict: 'REQUEST_NO_CONFLICT',
      snapshot: deps.settings.replayResponse === 'snapshot',
      replay: async () => presentProductCoupon(pc),
      apply: async () => {
        const changed = await w.apply(pc, now, tx)
        await tx.updateProductCoupon(changed)
        return { result: presentProductCoupon(changed), resourceId: pc.id }
      },
    })
  })
}

/**
 * Deactivating a product coupon deactivates every stock of it: nothing more is sent, while
 * coupons users already hold stay valid ([3p] deactivate page).
 */
export function deactivateProductCouponOp(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: DeactivateBody,
): Promise<ProductCouponEntity> {
  return writeProductCoupon(deps, caller, {
    operation: 'deactivate_product_coupon',
    schema: DeactivateBody,
    productCouponId,
    body,
    apply: async (pc, now, tx) => {
      const d = { requestNo: body.out_request_no, time: now, reason: body.deactivate_reason }
      const changed = deactivateProductCoupon(pc, d)
      for (const stock of await tx.listStocks(pc.id)) {
        if (stockStateAt(stock, now) !== 'DEACTIVATED') {
          await tx.updateStock({ ...stock, state: 'DEACTIVATED', deactivation: d })
        }
      }
      return changed
    },
  })
}

/** PATCH: new display_info for coupons sent from now on. */
export function patchProductCoupon(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: PatchProductCouponBody,
): Promise<ProductCouponEntity> {
  return writeProductCoupon(deps, caller, {
    operation: 'patch_product_coupon',
    schema: PatchProductCouponBody,
    productCouponId,
    body,
    apply: async (pc) => {
      if (pc.state === 'DEACTIVATED') throw wxError('PRODUCT_COUPON_STATE_INVALID')
      checkDisplayInfo(body.display_info, pc.config.scope, deps.settings)
      return { ...pc, config: { ...pc.config, display_info: body.display_info } }
    },
  })
}
