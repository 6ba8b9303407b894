import type {
  BodyIn,
  OperationIn,
  PathIn,
  QueryIn,
  ResponseIn,
} from '../schemas/operation-types.ts'
import type { OperationName, Operations } from '../schemas/operations.ts'
import type { Revision } from '../schemas/revision-2025-11.ts'

/**
 * What each SDK method takes and answers, derived from the operation table: the path ids,
 * the query members and the body members in one object. The client takes the path ids (and,
 * for reads, the query members) out again, so they are never sent in a body.
 */

/** The wire format carries page_size as query text; callers pass a number. */
type NumericPageSize<Q> = Q extends { page_size?: string }
  ? Omit<Q, 'page_size'> & { page_size?: number }
  : Q

/** A method's argument under revision `R` (default: the seed's 2025-08). */
export type ParamsOf<K extends OperationName, R extends Revision = '2025-08'> = PathIn<K, R> &
  NumericPageSize<QueryIn<K, R>> &
  BodyIn<K, R>

/** The operations that list pages, and what one page holds. */
type Paged = {
  [K in OperationName]: Operations[K] extends { readonly page: object } ? K : never
}[OperationName]
type ItemsMember<K extends Paged> = Operations[K]['page']['items']
export type ItemOf<K extends Paged, R extends Revision = '2025-08'> = ResponseIn<
  K,
  R
>[ItemsMember<K> & keyof ResponseIn<K, R>] extends readonly (infer T)[]
  ? T
  : never

/** Nothing to pass (GET /notify-configs): the argument may be left out. */
type Args<P> = Record<never, never> extends P ? [params?: P] : [params: P]

/**
 * One async method per operation of revision `R`, named by the table's `sdk` member, typed by
 * that revision's schemas (a 2025-11 client sees no SEQUENTIAL field, a 2025-08 one no bundle).
 */
export type OperationMethods<R extends Revision = '2025-08'> = {
  [K in OperationIn<R> as Operations[K]['sdk']]: (
    ...args: Args<ParamsOf<K, R>>
  ) => Promise<ResponseIn<K, R>>
} & {
  [K in Paged & OperationIn<R> as Operations[K]['page']['iterator']]: (
    params: Omit<ParamsOf<K, R>, 'page_token'>,
  ) => AsyncIterableIterator<ItemOf<K, R>>
}

export interface ProductCouponPath {
  product_coupon_id: string
}
export interface StockPath {
  product_coupon_id: string
  stock_id: string
}
export interface UserCouponPath {
  openid: string
  coupon_code: string
}

// The names the SDK has always exported, each now one entry of the table.
export type GetProductCouponParams = ParamsOf<'get_product_coupon'>
export type GetStockParams = ParamsOf<'get_stock'>
export type SendCouponParams = ParamsOf<'send'>
export type ConfirmCouponParams = ParamsOf<'confirm'>
export type UseCouponParams = ParamsOf<'use'>
export type GetUserCouponParams = ParamsOf<'get_user_coupon'>
export type ReturnCouponParams = ParamsOf<'return'>
export type AddStockParams = ParamsOf<'add_stock'>
export type ListStocksParams = ParamsOf<'list_stocks'>
/** The iterator owns page_token: it starts at the first page and follows next_page_token. */
export type IterateStocksParams = Omit<ListStocksParams, 'page_token'>
export type PatchProductCouponParams = ParamsOf<'patch_product_coupon'>
export type DeactivateProductCouponParams = ParamsOf<'deactivate_product_coupon'>
export type PatchStockParams = ParamsOf<'patch_stock'>
export type DeactivateStockParams = ParamsOf<'deactivate_stock'>
export type UpdateStockBudgetParams = ParamsOf<'update_budget'>
export type UploadCouponCodesParams = ParamsOf<'upload_codes'>
export type ListUserCouponsParams = ParamsOf<'list_user_coupons'>
export type IterateUserCouponsParams = Omit<ListUserCouponsParams, 'page_token'>
export type DeactivateCouponParams = ParamsOf<'deactivate'>
