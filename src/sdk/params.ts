import type {
  AddStockBody,
  DeactivateBody,
  DeactivateCouponBody,
  ListStocksQuery,
  ListUserCouponsQuery,
  PatchProductCouponBody,
  PatchStockBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
} from '../schemas/requests.ts'

/**
 * Parameters of the stock-management, listing and deactivation methods. Each is the endpoint's
 * request schema plus the ids that go into the path; the client takes those ids out again, so
 * they are never sent in a body or query.
 */

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

/**
 * The wire format carries page_size as query text; callers pass a number, and the client sends
 * its decimal form.
 */
type NumericPageSize<Q extends { page_size?: string }> = Omit<Q, 'page_size'> & {
  page_size?: number
}

export type AddStockParams = ProductCouponPath & AddStockBody
export type ListStocksParams = ProductCouponPath & NumericPageSize<ListStocksQuery>
/** The iterator owns page_token: it starts at the first page and follows next_page_token. */
export type IterateStocksParams = Omit<ListStocksParams, 'page_token'>
export type PatchProductCouponParams = ProductCouponPath & PatchProductCouponBody
export type DeactivateProductCouponParams = ProductCouponPath & DeactivateBody
export type PatchStockParams = StockPath & PatchStockBody
export type DeactivateStockParams = StockPath & DeactivateBody
export type UpdateStockBudgetParams = StockPath & UpdateBudgetBody
export type UploadCouponCodesParams = StockPath & UploadCouponCodesBody
export type ListUserCouponsParams = { openid: string } & NumericPageSize<ListUserCouponsQuery>
export type IterateUserCouponsParams = Omit<ListUserCouponsParams, 'page_token'>
export type DeactivateCouponParams = UserCouponPath & DeactivateCouponBody
