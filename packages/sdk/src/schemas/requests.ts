import { type Static, Type } from 'typebox'
import {
  CouponDisplayInfo,
  NotifyConfig,
  ProductCouponDisplayInfo,
  SequentialUsageInfo,
  SingleUsageInfo,
  StockForCreate,
  UsageRuleDisplayInfo,
} from './coupon-config.ts'
import { AssociatedOrderInfo } from './entities.ts'
import {
  ProductCouponScope,
  ProductCouponType,
  StockState,
  StockStoreScope,
  UsageMode,
  UserProductCouponState,
} from './enums.ts'
import {
  AppId,
  BrandId,
  CouponCode,
  Id40,
  OpenId,
  OutRequestNo,
  Rfc3339,
  SendRequestNo,
  Text,
} from './fields.ts'

/**
 * Request schemas, one per endpoint (endpoints.md). Unknown members are neither rejected nor
 * stripped: APIv3 clients may send newer fields, and they are ignored (protocol §1).
 */

/** sequential_coupon_index is an int64 in the official clients; anything past 2^53 is refused. */
const SequentialCouponIndex = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const CreateProductCouponBody = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  scope: ProductCouponScope,
  type: ProductCouponType,
  usage_mode: UsageMode,
  single_usage_info: Type.Optional(SingleUsageInfo),
  sequential_usage_info: Type.Optional(SequentialUsageInfo),
  display_info: ProductCouponDisplayInfo,
  out_product_no: Type.Optional(Text(40, 1)),
  stock: StockForCreate,
})
export type CreateProductCouponBody = Static<typeof CreateProductCouponBody>

export const ProductCouponParams = Type.Object({ product_coupon_id: Id40 })
export const StockParams = Type.Object({ product_coupon_id: Id40, stock_id: Id40 })
export const BrandQuery = Type.Object({ brand_id: BrandId })

export const UserParams = Type.Object({ openid: OpenId })
export const UserCouponParams = Type.Object({ openid: OpenId, coupon_code: CouponCode })

export const SendCouponBody = Type.Object({
  product_coupon_id: Id40,
  stock_id: Id40,
  coupon_code: Type.Optional(CouponCode),
  appid: AppId,
  send_request_no: SendRequestNo,
  attach: Type.Optional(Text(150)),
  brand_id: BrandId,
})
export type SendCouponBody = Static<typeof SendCouponBody>

const couponRef = {
  product_coupon_id: Id40,
  stock_id: Id40,
  appid: AppId,
  brand_id: BrandId,
}

export const ConfirmCouponBody = Type.Object({
  ...couponRef,
  out_request_no: OutRequestNo,
})
export type ConfirmCouponBody = Static<typeof ConfirmCouponBody>

export const UseCouponBody = Type.Object({
  ...couponRef,
  use_time: Rfc3339,
  associated_order_info: AssociatedOrderInfo,
  out_request_no: OutRequestNo,
  sequential_coupon_index: Type.Optional(SequentialCouponIndex),
})
export type UseCouponBody = Static<typeof UseCouponBody>

export const ReturnCouponBody = Type.Object({
  ...couponRef,
  out_request_no: OutRequestNo,
  sequential_coupon_index: Type.Optional(SequentialCouponIndex),
})
export type ReturnCouponBody = Static<typeof ReturnCouponBody>

export const UserCouponQuery = Type.Object(couponRef)
export type UserCouponQuery = Static<typeof UserCouponQuery>

/** Query strings carry text: page_size is checked as digits here and as 1–50 by the service. */
const PageSize = Type.String({ minLength: 1, maxLength: 4, pattern: '^[0-9]+$' })
const PageToken = Type.String({ minLength: 1, maxLength: 512 })

/** E5. */
export const AddStockBody = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  stock: StockForCreate,
})
export type AddStockBody = Static<typeof AddStockBody>

/** E7. */
export const ListStocksQuery = Type.Object({
  brand_id: BrandId,
  state: Type.Optional(StockState),
  page_size: Type.Optional(PageSize),
  page_token: Type.Optional(PageToken),
})
export type ListStocksQuery = Static<typeof ListStocksQuery>

/** E13. */
export const ListUserCouponsQuery = Type.Object({
  product_coupon_id: Type.Optional(Id40),
  stock_id: Type.Optional(Id40),
  appid: AppId,
  coupon_state: Type.Optional(UserProductCouponState),
  page_size: Type.Optional(PageSize),
  page_token: Type.Optional(PageToken),
  brand_id: BrandId,
})
export type ListUserCouponsQuery = Static<typeof ListUserCouponsQuery>

/** E14. */
export const DeactivateCouponBody = Type.Object({
  ...couponRef,
  out_request_no: OutRequestNo,
  deactivate_reason: Text(150, 1),
})
export type DeactivateCouponBody = Static<typeof DeactivateCouponBody>

/** Deactivate a product coupon or a stock. */
export const DeactivateBody = Type.Object({
  brand_id: BrandId,
  out_request_no: OutRequestNo,
  deactivate_reason: Text(150, 1),
})
export type DeactivateBody = Static<typeof DeactivateBody>

const Budget = Type.Integer({ minimum: 1, maximum: 100_000_000 })

/** Update a stock's budget, one dimension per call. */
export const UpdateBudgetBody = Type.Object({
  brand_id: BrandId,
  out_request_no: OutRequestNo,
  update_mode: Type.Enum(['MAX_COUNT', 'MAX_COUNT_PER_DAY']),
  current_max_count: Type.Optional(Budget),
  target_max_count: Type.Optional(Budget),
  current_max_count_per_day: Type.Optional(Budget),
  target_max_count_per_day: Type.Optional(Budget),
})
export type UpdateBudgetBody = Static<typeof UpdateBudgetBody>

/** Upload codes to an UPLOAD stock; each code is checked one by one (failed_code_list). */
export const UploadCouponCodesBody = Type.Object({
  brand_id: BrandId,
  out_request_no: OutRequestNo,
  code_list: Type.Array(Type.String({ maxLength: 128 }), { minItems: 1, maxItems: 1000 }),
})
export type UploadCouponCodesBody = Static<typeof UploadCouponCodesBody>

/** PATCH product coupon: display information only ([3p]); affects coupons sent later. */
export const PatchProductCouponBody = Type.Object({
  brand_id: BrandId,
  out_request_no: OutRequestNo,
  display_info: ProductCouponDisplayInfo,
})
export type PatchProductCouponBody = Static<typeof PatchProductCouponBody>

/** PATCH stock: display and notification settings ([3p]). */
export const PatchStockBody = Type.Object({
  brand_id: BrandId,
  out_request_no: OutRequestNo,
  remark: Type.Optional(Text(20)),
  usage_rule_display_info: Type.Optional(UsageRuleDisplayInfo),
  coupon_display_info: Type.Optional(CouponDisplayInfo),
  notify_config: Type.Optional(NotifyConfig),
  store_scope: Type.Optional(StockStoreScope),
})
export type PatchStockBody = Static<typeof PatchStockBody>

/** E1: one notify URL per partner (no brand_id). */
export const NotifyConfigBody = Type.Object({
  notify_url: Type.String({ minLength: 1, maxLength: 256 }),
})
export type NotifyConfigBody = Static<typeof NotifyConfigBody>
