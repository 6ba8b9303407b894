import type {
  AddStockBody,
  CreateProductCouponBody,
  CreateProductCouponBody2025_11,
  OperationName,
  RequestOf,
  ResponseOf,
} from '@wxcoupon/sdk/schemas'
import {
  addStockBundle,
  bundleStores,
  createProductCoupon2025_11,
  patchStockBundle,
  updateStockBundleBudget,
} from '../service/bundles.ts'
import { type Caller, revisionOf, type ServiceDeps } from '../service/context.ts'
import { createProductCoupon } from '../service/create-product-coupon.ts'
import { listUserCoupons } from '../service/list-user-coupons.ts'
import { getNotifyConfig, setNotifyConfig } from '../service/notify-config.ts'
import { listCertificates } from '../service/platform-certificates.ts'
import { preSendCoupon, preSendCouponBundle } from '../service/pre-send.ts'
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
import { deactivateCouponBundle, sendCouponBundle } from '../service/user-coupon-bundles.ts'
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
  create_product_coupon: (d, c, r) =>
    revisionOf(c) === '2025-11'
      ? createProductCoupon2025_11(d, c, r.body as CreateProductCouponBody2025_11)
      : createProductCoupon(d, c, r.body as CreateProductCouponBody),
  get_product_coupon: (d, c, r) =>
    getProductCoupon(d, c, r.params.product_coupon_id, r.query.brand_id),
  patch_product_coupon: (d, c, r) => patchProductCoupon(d, c, r.params.product_coupon_id, r.body),
  deactivate_product_coupon: (d, c, r) =>
    deactivateProductCouponOp(d, c, r.params.product_coupon_id, r.body),
  add_stock: (d, c, r) => addStock(d, c, r.params.product_coupon_id, r.body as AddStockBody),
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
  add_stock_bundle: (d, c, r) => addStockBundle(d, c, r.params.product_coupon_id, r.body),
  patch_stock_bundle: (d, c, r) => patchStockBundle(d, c, bundleIds(r.params), r.body),
  update_bundle_budget: (d, c, r) => updateStockBundleBudget(d, c, bundleIds(r.params), r.body),
  associate_bundle_stores: (d, c, r) => bundleStores(d, c, bundleIds(r.params), r.body, true),
  disassociate_bundle_stores: (d, c, r) => bundleStores(d, c, bundleIds(r.params), r.body, false),
  send_coupon_bundle: (d, c, r) => sendCouponBundle(d, c, r.params.openid, r.body),
  deactivate_coupon_bundle: (d, c, r) =>
    deactivateCouponBundle(
      d,
      c,
      { openid: r.params.openid, bundleId: r.params.user_coupon_bundle_id },
      r.body,
    ),
  pre_send_coupon: (d, c, r) => preSendCoupon(d, c, r.params.openid, r.body),
  pre_send_coupon_bundle: (d, c, r) => preSendCouponBundle(d, c, r.params.openid, r.body),
}

function bundleIds(p: { product_coupon_id: string; stock_bundle_id: string }) {
  return { productCouponId: p.product_coupon_id, bundleId: p.stock_bundle_id }
}

function stockIds(p: { product_coupon_id: string; stock_id: string }) {
  return { productCouponId: p.product_coupon_id, stockId: p.stock_id }
}

function couponIds(p: { openid: string; coupon_code: string }) {
  return { openid: p.openid, couponCode: p.coupon_code }
}
