import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import {
  CreateProductCouponResponse,
  ErrorBody,
  ProductCouponEntity,
} from '../../schemas/entities.ts'
import {
  BrandQuery,
  CreateProductCouponBody,
  DeactivateBody,
  PatchProductCouponBody,
  ProductCouponParams,
} from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { createProductCoupon } from '../../service/create-product-coupon.ts'
import { deactivateProductCouponOp, patchProductCoupon } from '../../service/product-coupons.ts'
import { getProductCoupon } from '../../service/queries.ts'
import { callerOf } from '../wechat-api.ts'

export const errors = { '4xx': ErrorBody, '5xx': ErrorBody }
const entity = { 200: ProductCouponEntity, ...errors }

/** E3 create, E4 query, PATCH and deactivate a product coupon. */
export const productCouponRoutes: FastifyPluginAsync<{ deps: ServiceDeps }> = async (
  fastify,
  { deps },
) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/product-coupons',
    {
      config: { operation: 'create_product_coupon' },
      schema: {
        body: CreateProductCouponBody,
        response: { 200: CreateProductCouponResponse, ...errors },
      },
    },
    (request) => createProductCoupon(deps, callerOf(request), request.body),
  )

  app.get(
    '/product-coupons/:product_coupon_id',
    {
      config: { operation: 'get_product_coupon' },
      schema: { params: ProductCouponParams, querystring: BrandQuery, response: entity },
    },
    (request) =>
      getProductCoupon(
        deps,
        callerOf(request),
        request.params.product_coupon_id,
        request.query.brand_id,
      ),
  )

  app.patch(
    '/product-coupons/:product_coupon_id',
    {
      config: { operation: 'patch_product_coupon' },
      schema: { params: ProductCouponParams, body: PatchProductCouponBody, response: entity },
    },
    (request) =>
      patchProductCoupon(deps, callerOf(request), request.params.product_coupon_id, request.body),
  )

  app.post(
    '/product-coupons/:product_coupon_id/deactivate',
    {
      config: { operation: 'deactivate_product_coupon' },
      schema: { params: ProductCouponParams, body: DeactivateBody, response: entity },
    },
    (request) =>
      deactivateProductCouponOp(
        deps,
        callerOf(request),
        request.params.product_coupon_id,
        request.body,
      ),
  )
}
