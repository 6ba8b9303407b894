import type { TSchema } from 'typebox'
import {
  AddStockBody,
  ConfirmCouponBody,
  CreateProductCouponBody,
  DeactivateBody,
  DeactivateCouponBody,
  NotifyConfigBody,
  PatchProductCouponBody,
  PatchStockBody,
  ReturnCouponBody,
  SendCouponBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
  UseCouponBody,
} from '../../../src/schemas/requests.ts'
import { API } from '../fixtures.ts'
import { accepted } from './oracles.ts'
import type { CouponIds, JsonObject, Targets } from './types.ts'

/**
 * The WeChat-compatible routes the fuzz aims at, each with a request that would succeed on
 * the live targets: the valid starting point that every generated case breaks.
 */

type Slot = 'pc' | 'stock' | 'openid' | 'code'

export interface BodyEndpoint {
  name: string
  method: 'POST' | 'PATCH'
  /** Under API, with `{pc}`, `{stock}`, `{openid}`, `{code}` slots. */
  route: string
  ids: Partial<Record<Slot, string>>
  schema: TSchema
  template: JsonObject
  /** Body members that name resources. */
  refs: string[]
}

export interface QueryEndpoint {
  name: string
  route: string
  ids: Partial<Record<Slot, string>>
  query: [string, string][]
}

export function fill(route: string, ids: Partial<Record<Slot, string>>): string {
  return `${API}${route.replace(/\{(\w+)\}/g, (_, k: string) => ids[k as Slot] ?? k)}`
}

const REQ = 'FUZZREQ0000001'

export function bodyEndpoints(t: Targets): BodyEndpoint[] {
  const brand = { brand_id: t.brandId }
  const pc = { pc: t.pc.product_coupon_id, stock: t.pc.stock_id }
  const ref = (c: CouponIds) => ({
    product_coupon_id: c.product_coupon_id,
    stock_id: c.stock_id,
    appid: t.appid,
    brand_id: t.brandId,
  })
  const coupon = (c: CouponIds) => ({ openid: t.openid, code: c.coupon_code })
  const refs = ['product_coupon_id', 'stock_id']
  const display = t.createBody.display_info ?? null
  const stock = t.createBody.stock ?? null
  return [
    {
      name: 'create_product_coupon',
      method: 'POST',
      route: '/product-coupons',
      ids: {},
      schema: CreateProductCouponBody,
      template: t.createBody,
      refs: [],
    },
    {
      name: 'patch_product_coupon',
      method: 'PATCH',
      route: '/product-coupons/{pc}',
      ids: pc,
      schema: PatchProductCouponBody,
      template: { ...brand, out_request_no: REQ, display_info: display },
      refs: [],
    },
    {
      name: 'deactivate_product_coupon',
      method: 'POST',
      route: '/product-coupons/{pc}/deactivate',
      ids: pc,
      schema: DeactivateBody,
      template: { ...brand, out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs: [],
    },
    {
      name: 'add_stock',
      method: 'POST',
      route: '/product-coupons/{pc}/stocks',
      ids: pc,
      schema: AddStockBody,
      template: { ...brand, out_request_no: REQ, stock },
      refs: [],
    },
    {
      name: 'patch_stock',
      method: 'PATCH',
      route: '/product-coupons/{pc}/stocks/{stock}',
      ids: pc,
      schema: PatchStockBody,
      template: { ...brand, out_request_no: REQ, remark: 'fuzz' },
      refs: [],
    },
    {
      name: 'deactivate_stock',
      method: 'POST',
      route: '/product-coupons/{pc}/stocks/{stock}/deactivate',
      ids: pc,
      schema: DeactivateBody,
      template: { ...brand, out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs: [],
    },
    {
      name: 'update_budget',
      method: 'POST',
      route: '/product-coupons/{pc}/stocks/{stock}/update-budget',
      ids: pc,
      schema: UpdateBudgetBody,
      template: {
        ...brand,
        out_request_no: REQ,
        update_mode: 'MAX_COUNT',
        current_max_count: 1000,
        target_max_count: 2000,
      },
      refs: [],
    },
    {
      name: 'upload_codes',
      method: 'POST',
      route: '/product-coupons/{pc}/stocks/{stock}/upload-coupon-codes',
      ids: { pc: t.upload.product_coupon_id, stock: t.upload.stock_id },
      schema: UploadCouponCodesBody,
      template: { ...brand, out_request_no: REQ, code_list: ['FUZZCODE0001', 'FUZZCODE0002'] },
      refs: [],
    },
    {
      name: 'send',
      method: 'POST',
      route: '/users/{openid}/coupons',
      ids: { openid: t.openid },
      schema: SendCouponBody,
      template: { ...t.pc, appid: t.appid, send_request_no: REQ, ...brand },
      refs,
    },
    {
      name: 'confirm',
      method: 'POST',
      route: '/users/{openid}/coupons/{code}/confirm',
      ids: coupon(t.sent),
      schema: ConfirmCouponBody,
      template: { ...ref(t.sent), out_request_no: REQ },
      refs,
    },
    {
      name: 'use',
      method: 'POST',
      route: '/users/{openid}/coupons/{code}/use',
      ids: coupon(t.effective),
      schema: UseCouponBody,
      template: {
        ...ref(t.effective),
        use_time: t.useTime,
        associated_order_info: { transaction_id: '4200000000123456789123456789' },
        out_request_no: REQ,
      },
      refs,
    },
    {
      name: 'deactivate_coupon',
      method: 'POST',
      route: '/users/{openid}/coupons/{code}/deactivate',
      ids: coupon(t.effective),
      schema: DeactivateCouponBody,
      template: { ...ref(t.effective), out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs,
    },
    {
      name: 'return',
      method: 'POST',
      route: '/users/{openid}/coupons/{code}/return',
      ids: coupon(t.used),
      schema: ReturnCouponBody,
      template: { ...ref(t.used), out_request_no: REQ },
      refs,
    },
    {
      name: 'set_notify_config',
      method: 'POST',
      route: '/notify-configs',
      ids: {},
      schema: NotifyConfigBody,
      template: { notify_url: 'https://example.com/wxcoupon/notify' },
      refs: [],
    },
  ]
}

export function queryEndpoints(t: Targets): QueryEndpoint[] {
  const pc = { pc: t.pc.product_coupon_id, stock: t.pc.stock_id }
  const brand: [string, string] = ['brand_id', t.brandId]
  return [
    { name: 'get_product_coupon', route: '/product-coupons/{pc}', ids: pc, query: [brand] },
    {
      name: 'list_stocks',
      route: '/product-coupons/{pc}/stocks',
      ids: pc,
      query: [brand, ['page_size', '10']],
    },
    { name: 'get_stock', route: '/product-coupons/{pc}/stocks/{stock}', ids: pc, query: [brand] },
    {
      name: 'list_user_coupons',
      route: '/users/{openid}/coupons',
      ids: { openid: t.openid },
      query: [['appid', t.appid], brand, ['page_size', '5']],
    },
    {
      name: 'get_user_coupon',
      route: '/users/{openid}/coupons/{code}',
      ids: { openid: t.openid, code: t.effective.coupon_code },
      query: [
        ['product_coupon_id', t.effective.product_coupon_id],
        ['stock_id', t.effective.stock_id],
        ['appid', t.appid],
        brand,
      ],
    },
    { name: 'get_notify_config', route: '/notify-configs', ids: {}, query: [] },
  ]
}

const BODY_SCHEMAS = [
  CreateProductCouponBody,
  PatchProductCouponBody,
  DeactivateBody,
  AddStockBody,
  PatchStockBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
  SendCouponBody,
  ConfirmCouponBody,
  UseCouponBody,
  DeactivateCouponBody,
  ReturnCouponBody,
  NotifyConfigBody,
]

/** For requests whose route is itself fuzzed: a body no mutating route would accept. */
export function acceptedByAnyRoute(bytes: Buffer, contentType: string | null): boolean {
  return BODY_SCHEMAS.some((schema) => accepted(bytes, schema, contentType))
}
