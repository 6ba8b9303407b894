import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import {
  CreateProductCouponResponse,
  ErrorBody,
  ProductCouponEntity,
  StockEntity,
} from '../../schemas/entities.ts'
import {
  BrandQuery,
  CreateProductCouponBody,
  ProductCouponParams,
  StockParams,
} from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { createProductCoupon } from '../../service/create-product-coupon.ts'
import { getProductCoupon, getStock } from '../../service/queries.ts'
import { callerOf } from '../wechat-api.ts'

const errors = { '4xx': ErrorBody, '5xx': ErrorBody }

/** E3 create, E4 query product coupon, E6 query stock. */
export const productCouponRoutes: FastifyPluginAsync<{ deps: ServiceDeps }> = async (
  fastify,
  { deps },
) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/product-coupons',
    {
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
      schema: {
        params: ProductCouponParams,
        querystring: BrandQuery,
        response: { 200: ProductCouponEntity, ...errors },
      },
    },
    (request) =>
      getProductCoupon(
        deps,
        callerOf(request),
        request.params.product_coupon_id,
        request.query.brand_id,
      ),
  )

  app.get(
    '/product-coupons/:product_coupon_id/stocks/:stock_id',
    {
      schema: {
        params: StockParams,
        querystring: BrandQuery,
        response: { 200: StockEntity, ...errors },
      },
    },
    (request) =>
      getStock(
        deps,
        callerOf(request),
        request.params.product_coupon_id,
        request.params.stock_id,
        request.query.brand_id,
      ),
  )
}
