import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import {
  ListStocksResponse,
  StockEntity,
  UploadCouponCodesResponse,
} from '../../schemas/entities.ts'
import {
  AddStockBody,
  BrandQuery,
  DeactivateBody,
  ListStocksQuery,
  PatchStockBody,
  ProductCouponParams,
  StockParams,
  UpdateBudgetBody,
  UploadCouponCodesBody,
} from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { getStock } from '../../service/queries.ts'
import {
  addStock,
  deactivateStockOp,
  listStocks,
  patchStock,
  updateStockBudget,
  uploadCouponCodes,
} from '../../service/stocks.ts'
import { callerOf } from '../wechat-api.ts'
import { errors } from './product-coupons.ts'

const entity = { 200: StockEntity, ...errors }
const BASE = '/product-coupons/:product_coupon_id/stocks'
const ids = (p: { product_coupon_id: string; stock_id: string }) => ({
  productCouponId: p.product_coupon_id,
  stockId: p.stock_id,
})

/** E5 add, E6 query, E7 list, PATCH, deactivate, update budget, upload codes. */
export const stockRoutes: FastifyPluginAsync<{ deps: ServiceDeps }> = async (fastify, { deps }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    BASE,
    {
      config: { operation: 'add_stock' },
      schema: { params: ProductCouponParams, body: AddStockBody, response: entity },
    },
    (request) => addStock(deps, callerOf(request), request.params.product_coupon_id, request.body),
  )

  app.get(
    BASE,
    {
      config: { operation: 'list_stocks' },
      schema: {
        params: ProductCouponParams,
        querystring: ListStocksQuery,
        response: { 200: ListStocksResponse, ...errors },
      },
    },
    (request) =>
      listStocks(deps, callerOf(request), request.params.product_coupon_id, request.query),
  )

  app.get(
    `${BASE}/:stock_id`,
    {
      config: { operation: 'get_stock' },
      schema: { params: StockParams, querystring: BrandQuery, response: entity },
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

  app.patch(
    `${BASE}/:stock_id`,
    {
      config: { operation: 'patch_stock' },
      schema: { params: StockParams, body: PatchStockBody, response: entity },
    },
    (request) => patchStock(deps, callerOf(request), ids(request.params), request.body),
  )

  app.post(
    `${BASE}/:stock_id/deactivate`,
    {
      config: { operation: 'deactivate_stock' },
      schema: { params: StockParams, body: DeactivateBody, response: entity },
    },
    (request) => deactivateStockOp(deps, callerOf(request), ids(request.params), request.body),
  )

  app.post(
    `${BASE}/:stock_id/update-budget`,
    {
      config: { operation: 'update_budget' },
      schema: { params: StockParams, body: UpdateBudgetBody, response: entity },
    },
    (request) => updateStockBudget(deps, callerOf(request), ids(request.params), request.body),
  )

  app.post(
    `${BASE}/:stock_id/upload-coupon-codes`,
    {
      config: { operation: 'upload_codes' },
      schema: {
        params: StockParams,
        body: UploadCouponCodesBody,
        response: { 200: UploadCouponCodesResponse, ...errors },
      },
    },
    (request) => uploadCouponCodes(deps, callerOf(request), ids(request.params), request.body),
  )
}
