import { type Static, Type } from 'typebox'
import {
  ProductCouponDisplayInfo,
  SequentialUsageInfo,
  SingleUsageInfo,
  StockForCreate,
} from './coupon-config.ts'
import { AssociatedOrderInfo } from './entities.ts'
import { ProductCouponScope, ProductCouponType, UsageMode } from './enums.ts'
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
