import type { ProductCouponEntity } from '@wxcoupon/sdk/schemas'
import { DeactivateBody, PatchProductCouponBody } from '@wxcoupon/sdk/schemas'
import { presentProductCoupon } from '../domain/present.ts'
import type { ProductCoupon } from '../domain/product-coupon.ts'
import {
  deactivateProductCoupon,
  patchProductCoupon as patchProductCouponRule,
  stocksDeactivatedWith,
} from '../domain/stock.ts'
import type { StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireBrand, requireProductCoupon } from './guards.ts'
import {
  type IdempotentOp,
  type IdempotentWrite,
  idempotentWrite,
  type WriteRequest,
} from './idempotency.ts'

/** Product-coupon management: deactivate (with all its stocks) and PATCH display info. */

interface ProductCouponRequest<B extends { brand_id: string; out_request_no: string }>
  extends WriteRequest<'out_request_no'> {
  readonly productCouponId: string
  readonly body: B
}

function productCouponWrite<B extends { brand_id: string; out_request_no: string }>(
  op: IdempotentOp<'out_request_no'>,
  change: (
    pc: ProductCoupon,
    now: number,
    q: ProductCouponRequest<B>,
    tx: StoreTx,
  ) => ProductCoupon | Promise<ProductCoupon>,
): IdempotentWrite<'out_request_no', ProductCouponRequest<B>, ProductCoupon, ProductCouponEntity> {
  return {
    op,
    scope: (q) => ({ mchid: q.caller.mchid, product_coupon_id: q.productCouponId }),
    async load(tx, _now, { caller, productCouponId, body }) {
      await requireBrand(tx, body.brand_id, caller.mchid)
      return requireProductCoupon(tx, productCouponId, body.brand_id, caller.mchid)
    },
    replay: (_tx, _now, _q, pc) => presentProductCoupon(pc),
    async apply(tx, now, q, pc) {
      const changed = await change(pc, now, q, tx)
      await tx.updateProductCoupon(changed)
      return { result: presentProductCoupon(changed), resourceId: pc.id }
    },
  }
}

const DEACTIVATE_PRODUCT_COUPON = productCouponWrite<DeactivateBody>(
  {
    operation: 'deactivate_product_coupon',
    schema: DeactivateBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  async (pc, now, { body }, tx) => {
    const d = { requestNo: body.out_request_no, time: now, reason: body.deactivate_reason }
    const changed = deactivateProductCoupon(pc, d)
    for (const stock of stocksDeactivatedWith(await tx.listStocks(pc.id), d, now)) {
      await tx.updateStock(stock)
    }
    return changed
  },
)

/** Deactivating a product coupon deactivates every stock of it (domain/stock.ts). */
export function deactivateProductCouponOp(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: DeactivateBody,
): Promise<ProductCouponEntity> {
  return idempotentWrite(DEACTIVATE_PRODUCT_COUPON, { deps, caller, productCouponId, body })
}

const PATCH_PRODUCT_COUPON = productCouponWrite<PatchProductCouponBody>(
  {
    operation: 'patch_product_coupon',
    schema: PatchProductCouponBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  (pc, _now, { deps, body }) => patchProductCouponRule(pc, body.display_info, deps.settings),
)

/** PATCH: new display_info for coupons sent from now on. */
export function patchProductCoupon(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: PatchProductCouponBody,
): Promise<ProductCouponEntity> {
  return idempotentWrite(PATCH_PRODUCT_COUPON, { deps, caller, productCouponId, body })
}
