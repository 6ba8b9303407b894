import { type Static, Type } from 'typebox'
import {
  CouponDisplayInfo,
  NotifyConfig,
  ProductCouponDisplayInfo,
  SequentialUsageInfo,
  SequentialUsageRule,
  SingleUsageInfo,
  SingleUsageRule,
  StockSendRule,
  UsageRuleDisplayInfo,
} from './coupon-config.ts'
import {
  CouponCodeMode,
  ProductCouponScope,
  ProductCouponState,
  ProductCouponType,
  SendChannel,
  StockState,
  StockStoreScope,
  UsageDetailItemState,
  UsageMode,
  UserProductCouponState,
} from './enums.ts'

/** Response entities exactly as the seed's Java/Go models name them (entities-and-states.md §2–3). */

const S = Type.String()
const N = Type.Integer()
const opt = Type.Optional

export const ProductCouponEntity = Type.Object({
  product_coupon_id: S,
  scope: ProductCouponScope,
  type: ProductCouponType,
  usage_mode: UsageMode,
  single_usage_info: opt(SingleUsageInfo),
  sequential_usage_info: opt(SequentialUsageInfo),
  display_info: ProductCouponDisplayInfo,
  out_product_no: opt(S),
  state: ProductCouponState,
  deactivate_request_no: opt(S),
  deactivate_time: opt(S),
  deactivate_reason: opt(S),
  brand_id: S,
})
export type ProductCouponEntity = Static<typeof ProductCouponEntity>

export const StockEntity = Type.Object({
  product_coupon_id: S,
  stock_id: S,
  remark: opt(S),
  coupon_code_mode: CouponCodeMode,
  coupon_code_count_info: opt(Type.Object({ total_count: N, available_count: N })),
  stock_send_rule: StockSendRule,
  single_usage_rule: opt(SingleUsageRule),
  sequential_usage_rule: opt(SequentialUsageRule),
  usage_rule_display_info: UsageRuleDisplayInfo,
  coupon_display_info: CouponDisplayInfo,
  notify_config: NotifyConfig,
  store_scope: StockStoreScope,
  sent_count_info: Type.Object({ total_count: N, today_count: N }),
  state: StockState,
  deactivate_request_no: opt(S),
  deactivate_time: opt(S),
  deactivate_reason: opt(S),
  brand_id: S,
})
export type StockEntity = Static<typeof StockEntity>

export const AssociatedOrderInfo = Type.Object({
  transaction_id: opt(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_-]+$' })),
  out_trade_no: opt(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_*|-]+$' })),
  mchid: opt(Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })),
  sub_mchid: opt(Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })),
})
export type AssociatedOrderInfo = Static<typeof AssociatedOrderInfo>

/** What a use and a return leave on a coupon (SINGLE) or on one round (SEQUENTIAL). */
const usageRecord = {
  use_request_no: opt(S),
  use_time: opt(S),
  associated_order_info: opt(AssociatedOrderInfo),
  return_request_no: opt(S),
  return_time: opt(S),
}

export const SingleUsageDetail = Type.Object(usageRecord)
export type SingleUsageDetail = Static<typeof SingleUsageDetail>

export const SequentialUsageDetailItem = Type.Object({
  detail_state: UsageDetailItemState,
  valid_begin_time: S,
  valid_end_time: S,
  ...usageRecord,
  delete_time: opt(S),
})
export type SequentialUsageDetailItem = Static<typeof SequentialUsageDetailItem>

export const SequentialUsageDetail = Type.Object({
  total_count: N,
  used_count: N,
  detail_item_list: opt(Type.Array(SequentialUsageDetailItem)),
})
export type SequentialUsageDetail = Static<typeof SequentialUsageDetail>

export const UserProductCouponEntity = Type.Object({
  coupon_code: S,
  coupon_state: UserProductCouponState,
  valid_begin_time: S,
  valid_end_time: S,
  receive_time: S,
  send_request_no: S,
  send_channel: SendChannel,
  confirm_request_no: opt(S),
  confirm_time: opt(S),
  deactivate_request_no: opt(S),
  deactivate_time: opt(S),
  deactivate_reason: opt(S),
  single_usage_detail: opt(SingleUsageDetail),
  sequential_usage_detail: opt(SequentialUsageDetail),
  product_coupon: ProductCouponEntity,
  stock: StockEntity,
  attach: opt(S),
  channel_custom_info: opt(S),
  brand_id: S,
})
export type UserProductCouponEntity = Static<typeof UserProductCouponEntity>

/** Create answers the product coupon with its first stock [newer CreateProductCouponResponse]. */
export const CreateProductCouponResponse = Type.Object({
  ...ProductCouponEntity.properties,
  stock: StockEntity,
})
export type CreateProductCouponResponse = Static<typeof CreateProductCouponResponse>

export const ErrorBody = Type.Object({
  code: S,
  message: S,
  detail: opt(Type.Record(Type.String(), Type.Unknown())),
})
export type ErrorBody = Static<typeof ErrorBody>

export const ListStocksResponse = Type.Object({
  total_count: N,
  stock_list: Type.Array(StockEntity),
  next_page_token: opt(S),
})
export type ListStocksResponse = Static<typeof ListStocksResponse>

export const ListUserCouponsResponse = Type.Object({
  total_count: N,
  user_coupon_list: Type.Array(UserProductCouponEntity),
  next_page_token: opt(S),
})
export type ListUserCouponsResponse = Static<typeof ListUserCouponsResponse>

export const UploadCouponCodesResponse = Type.Object({
  total_count: N,
  success_code_list: opt(Type.Array(S)),
  failed_code_list: opt(Type.Array(Type.Object({ coupon_code: S, code: S, message: S }))),
  already_exist_code_list: opt(Type.Array(S)),
  duplicate_code_list: opt(Type.Array(S)),
})
export type UploadCouponCodesResponse = Static<typeof UploadCouponCodesResponse>

/** E1/E2. */
export const NotifyConfigEntity = Type.Object({ notify_url: S, update_time: S })
export type NotifyConfigEntity = Static<typeof NotifyConfigEntity>
