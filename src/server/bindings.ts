import type { OperationName, RequestOf, ResponseOf } from '@wxcoupon/sdk/schemas'
import type { Caller, ServiceDeps } from '../service/context.ts'
import { createProductCoupon } from '../service/create-product-coupon.ts'
import { listUserCoupons } from '../service/list-user-coupons.ts'
import { getNotifyConfig, setNotifyConfig } from '../service/notify-config.ts'
import { listCertificates } from '../service/platform-certificates.ts'
import { deactivateProductCouponOp, patchProductCoupon } from '../service/product-coupons.ts'
import { getProductCoupon, getStock, getUserCoupon } from '../service/queries.ts'
import { sendCoupon } from '../service/send-coupon.ts'
import {
  addStock,
  deactivateStockOp,
  listStocks,
  patchStock,
  updateStockBudget,
  uploadCouponCodes,
} from '../service/stocks.ts'
import { confirm, deactivate, returnUserCoupon, use } from '../service/user-coupon-ops.ts'

export type Binding<K extends OperationName> = (
  deps: ServiceDeps,
  caller: Caller,
  request: RequestOf<K>,
) => Promise<ResponseOf<K>>

/**
 * The service each operation of the table runs. A mapped type over every operation name, so an
 * entry added to the table without its service does not compile.
 */
export const BINDINGS: { readonly [K in OperationName]: Binding<K> } = {
  set_notify_config: (d, c, r) => setNotifyConfig(d, c, r.body),
  get_notify_config: (d, c) => getNotifyConfig(d, c),
  create_product_coupon: (d, c, r) => createProductCoupon(d, c, r.body),
  get_product_coupon: (d, c, r) =>
    getProductCoupon(d, c, r.params.product_coupon_id, r.query.brand_id),
  patch_product_coupon: (d, c, r) => patchProductCoupon(d, c, r.params.product_coupon_id, r.body),
  deactivate_product_coupon: (d, c, r) =>
    deactivateProductCouponOp(d, c, r.params.product_coupon_id, r.body),
  add_stock: (d, c, r) => addStock(d, c, r.params.product_coupon_id, r.body),
  list_stocks: (d, c, r) => listStocks(d, c, r.params.product_coupon_id, r.query),
  get_stock: (d, c, r) =>
    getStock(d, c, r.params.product_coupon_id, r.params.stock_id, r.query.brand_id),
  patch_stock: (d, c, r) => patchStock(d, c, stockIds(r.params), r.body),
  deactivate_stock: (d, c, r) => deactivateStockOp(d, c, stockIds(r.params), r.body),
  update_budget: (d, c, r) => updateStockBudget(d, c, stockIds(r.params), r.body),
  upload_codes: (d, c, r) => uploadCouponCodes(d, c, stockIds(r.params), r.body),
  send: (d, c, r) => sendCoupon(d, c, r.params.openid, r.body),
  list_user_coupons: (d, c, r) => listUserCoupons(d, c, r.params.openid, r.query),
  confirm: (d, c, r) => confirm(d, c, couponIds(r.params), r.body),
  use: (d, c, r) => use(d, c, couponIds(r.params), r.body),
  get_user_coupon: (d, c, r) => getUserCoupon(d, c, couponIds(r.params), r.query),
  deactivate: (d, c, r) => deactivate(d, c, couponIds(r.params), r.body),
  return: (d, c, r) => returnUserCoupon(d, c, couponIds(r.params), r.body),
  get_certificates: (d, c, r) => listCertificates(d, c, r.query),
}

function stockIds(p: { product_coupon_id: string; stock_id: string }) {
  return { productCouponId: p.product_coupon_id, stockId: p.stock_id }
}

function couponIds(p: { openid: string; coupon_code: string }) {
  return { openid: p.openid, couponCode: p.coupon_code }
}
