import { type Static, type TObject, Type } from 'typebox'
import {
  CouponDisplayInfo,
  DiscountCouponUsageRule,
  ExchangeCouponUsageRule,
  NormalCouponUsageRule,
  NotifyConfig,
  ProductCouponDisplayInfo,
  SingleCouponAvailablePeriod,
  SingleUsageInfo,
  SingleUsageRule,
  StockSendRule,
  UsageRuleDisplayInfo,
} from './coupon-config.ts'
import { AssociatedOrderInfo, ProductCouponEntity, StockEntity } from './entities.ts'
import {
  ProductCouponScope,
  ProductCouponType,
  StockState,
  StockStoreScope,
  UserProductCouponState,
} from './enums.ts'
import {
  AppId,
  BrandId,
  CouponCode,
  Id40,
  Int,
  OpenId,
  OutRequestNo,
  Rfc3339,
  SendRequestNo,
  Text,
} from './fields.ts'
import { PatchStockBody } from './requests.ts'

/**
 * The 2025-11 revision of the partner API (PROGRESSIVE_BUNDLE), as schemas beside the seed's:
 * SEQUENTIAL, its rules and its index are absent here, so a partner on this revision that sends
 * them gets exactly the PARAM_ERROR of an unknown enum value (and a 2025-08 partner likewise for
 * PROGRESSIVE_BUNDLE). Shapes follow the official samples (CreateStockBundle, GetStock,
 * GetUserProductCoupon, SendUserProductCouponBundle).
 */

export const REVISIONS = ['2025-08', '2025-11'] as const
export type Revision = (typeof REVISIONS)[number]
export const DEFAULT_REVISION: Revision = '2025-08'
export const RevisionSchema = Type.Enum(REVISIONS)

export const UsageMode2025_11 = Type.Enum(['SINGLE', 'PROGRESSIVE_BUNDLE'])
export type UsageMode2025_11 = Static<typeof UsageMode2025_11>

export const SendChannel2025_11 = Type.Enum([
  'API',
  'BRAND_MANAGE',
  'RECEIVE_COMPONENT',
  'MERCHANT_CARD',
  'MEMBER',
  'SMALL_ACTIVITY',
])
export type SendChannel2025_11 = Static<typeof SendChannel2025_11>

/** Bundle stocks draw codes from WeChat Pay or an uploaded pool; never API_ASSIGN. */
export const BundleCouponCodeMode = Type.Enum(['WECHATPAY', 'UPLOAD'])

export const ProgressiveBundleUsageInfo = Type.Object({
  count: Int(3, 15),
  interval_days: Type.Optional(Int(0, 7)),
})
export type ProgressiveBundleUsageInfo = Static<typeof ProgressiveBundleUsageInfo>

const tiers = <T extends TObject>(item: T) =>
  Type.Optional(Type.Array(item, { minItems: 1, maxItems: 15 }))

export const ProgressiveBundleUsageRuleForCreate = Type.Object({
  coupon_available_period: SingleCouponAvailablePeriod,
  normal_coupon_list: tiers(NormalCouponUsageRule),
  discount_coupon_list: tiers(DiscountCouponUsageRule),
  exchange_coupon_list: tiers(ExchangeCouponUsageRule),
})
export type ProgressiveBundleUsageRuleForCreate = Static<typeof ProgressiveBundleUsageRuleForCreate>

/** The body of add-stock-bundle and the `stock_bundle` of create. */
export const StockBundleForCreate = Type.Object({
  remark: Type.Optional(Text(20)),
  coupon_code_mode: BundleCouponCodeMode,
  stock_send_rule: StockSendRule,
  progressive_bundle_usage_rule: ProgressiveBundleUsageRuleForCreate,
  usage_rule_display_info: UsageRuleDisplayInfo,
  coupon_display_info: CouponDisplayInfo,
  notify_config: NotifyConfig,
  store_scope: StockStoreScope,
})
export type StockBundleForCreate = Static<typeof StockBundleForCreate>

/** A single stock of 2025-11: the seed's without sequential_usage_rule. */
export const StockForCreate2025_11 = Type.Object({
  remark: Type.Optional(Text(20)),
  coupon_code_mode: Type.Enum(['WECHATPAY', 'UPLOAD', 'API_ASSIGN']),
  stock_send_rule: StockSendRule,
  single_usage_rule: Type.Optional(SingleUsageRule),
  usage_rule_display_info: UsageRuleDisplayInfo,
  coupon_display_info: CouponDisplayInfo,
  notify_config: NotifyConfig,
  store_scope: StockStoreScope,
})
export type StockForCreate2025_11 = Static<typeof StockForCreate2025_11>

export const CreateProductCouponBody2025_11 = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  scope: ProductCouponScope,
  type: ProductCouponType,
  usage_mode: UsageMode2025_11,
  single_usage_info: Type.Optional(SingleUsageInfo),
  progressive_bundle_usage_info: Type.Optional(ProgressiveBundleUsageInfo),
  display_info: ProductCouponDisplayInfo,
  out_product_no: Type.Optional(Text(40, 1)),
  stock: Type.Optional(StockForCreate2025_11),
  stock_bundle: Type.Optional(StockBundleForCreate),
})
export type CreateProductCouponBody2025_11 = Static<typeof CreateProductCouponBody2025_11>

export const AddStockBody2025_11 = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  stock: StockForCreate2025_11,
})
export type AddStockBody2025_11 = Static<typeof AddStockBody2025_11>

export const ListStocksQuery2025_11 = Type.Object({
  brand_id: BrandId,
  state: Type.Optional(StockState),
  page_size: Type.Optional(Type.String({ minLength: 1, maxLength: 4, pattern: '^[0-9]+$' })),
  page_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  stock_bundle_id: Type.Optional(Id40),
})
export type ListStocksQuery2025_11 = Static<typeof ListStocksQuery2025_11>

export const CouponTagInfo = Type.Object({
  coupon_tag_list: Type.Optional(Type.Array(Type.Enum(['MEMBER']), { maxItems: 1 })),
  member_tag_info: Type.Optional(Type.Object({ member_card_id: Text(64, 1) })),
})
export type CouponTagInfo = Static<typeof CouponTagInfo>

export const SendCouponBody2025_11 = Type.Object({
  product_coupon_id: Id40,
  stock_id: Id40,
  coupon_code: Type.Optional(CouponCode),
  appid: AppId,
  send_request_no: SendRequestNo,
  attach: Type.Optional(Text(150)),
  brand_id: BrandId,
  coupon_tag_info: Type.Optional(CouponTagInfo),
})
export type SendCouponBody2025_11 = Static<typeof SendCouponBody2025_11>

const idOrNo = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_*|-]+$' })
const digits = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })

export const AssociatedPayScoreOrderInfo = Type.Object({
  order_id: Type.Optional(idOrNo),
  out_order_no: Type.Optional(idOrNo),
  mchid: Type.Optional(digits),
  sub_mchid: Type.Optional(digits),
})
export type AssociatedPayScoreOrderInfo = Static<typeof AssociatedPayScoreOrderInfo>

const couponRef = { product_coupon_id: Id40, stock_id: Id40, appid: AppId, brand_id: BrandId }

/** Use: no index; an order XOR a pay-score order (checked by the service: both are optional here). */
export const UseCouponBody2025_11 = Type.Object({
  ...couponRef,
  use_time: Rfc3339,
  out_request_no: OutRequestNo,
  store_id: Type.Optional(Id40),
  associated_order_info: Type.Optional(AssociatedOrderInfo),
  associated_pay_score_order_info: Type.Optional(AssociatedPayScoreOrderInfo),
})
export type UseCouponBody2025_11 = Static<typeof UseCouponBody2025_11>

export const ReturnCouponBody2025_11 = Type.Object({ ...couponRef, out_request_no: OutRequestNo })
export type ReturnCouponBody2025_11 = Static<typeof ReturnCouponBody2025_11>

export const ListUserCouponsQuery2025_11 = Type.Object({
  product_coupon_id: Type.Optional(Id40),
  stock_id: Type.Optional(Id40),
  appid: AppId,
  coupon_state: Type.Optional(UserProductCouponState),
  user_coupon_bundle_id: Type.Optional(Id40),
  page_size: Type.Optional(Type.String({ minLength: 1, maxLength: 4, pattern: '^[0-9]+$' })),
  page_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  brand_id: BrandId,
})
export type ListUserCouponsQuery2025_11 = Static<typeof ListUserCouponsQuery2025_11>

/** Paths of the bundle operations. */
export const StockBundleParams = Type.Object({ product_coupon_id: Id40, stock_bundle_id: Id40 })
export const UserCouponBundleParams = Type.Object({ openid: OpenId, user_coupon_bundle_id: Id40 })

export const AddStockBundleBody = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  stock_bundle: StockBundleForCreate,
})
export type AddStockBundleBody = Static<typeof AddStockBundleBody>

/** A bundle is patched as a stock is: the same fields, applied to every tier. */
export const PatchStockBundleBody = Type.Object({ ...PatchStockBody.properties })
export type PatchStockBundleBody = Static<typeof PatchStockBundleBody>

const Budget = Type.Integer({ minimum: 1, maximum: 100_000_000 })

export const UpdateBundleBudgetBody = Type.Object({
  out_request_no: OutRequestNo,
  brand_id: BrandId,
  update_mode: Type.Enum(['MAX_COUNT', 'MAX_COUNT_PER_DAY']),
  current_max_count: Type.Optional(Budget),
  target_max_count: Type.Optional(Budget),
  current_max_count_per_day: Type.Optional(Budget),
  target_max_count_per_day: Type.Optional(Budget),
})
export type UpdateBundleBudgetBody = Static<typeof UpdateBundleBudgetBody>

export const BundleStoresBody = Type.Object({
  brand_id: BrandId,
  store_list: Type.Array(Type.Object({ store_id: Id40 }), { minItems: 1, maxItems: 200 }),
})
export type BundleStoresBody = Static<typeof BundleStoresBody>

export const SendCouponBundleBody = Type.Object({
  product_coupon_id: Id40,
  stock_bundle_id: Id40,
  appid: AppId,
  send_request_no: SendRequestNo,
  attach: Type.Optional(Text(150)),
  brand_id: BrandId,
  coupon_tag_info: Type.Optional(CouponTagInfo),
})
export type SendCouponBundleBody = Static<typeof SendCouponBundleBody>

export const DeactivateCouponBundleBody = Type.Object({
  product_coupon_id: Id40,
  stock_bundle_id: Id40,
  appid: AppId,
  out_request_no: OutRequestNo,
  deactivate_reason: Text(150, 1),
  brand_id: BrandId,
})
export type DeactivateCouponBundleBody = Static<typeof DeactivateCouponBundleBody>

/** Pre-send numbers are 6–40 long (the page's string(40)), not send's 128. */
export const PreSendCouponBody = Type.Object({
  product_coupon_id: Id40,
  stock_id: Id40,
  coupon_code: Type.Optional(CouponCode),
  appid: AppId,
  send_request_no: OutRequestNo,
  attach: Type.Optional(Text(150)),
  brand_id: BrandId,
})
export type PreSendCouponBody = Static<typeof PreSendCouponBody>

export const PreSendCouponBundleBody = Type.Object({
  product_coupon_id: Id40,
  stock_bundle_id: Id40,
  appid: AppId,
  send_request_no: OutRequestNo,
  attach: Type.Optional(Text(150)),
  brand_id: BrandId,
})
export type PreSendCouponBundleBody = Static<typeof PreSendCouponBundleBody>

// ---- entities --------------------------------------------------------------------------

const S = Type.String()
const N = Type.Integer()
const opt = Type.Optional

const { sequential_usage_info: _si, usage_mode: _um, ...pcFields } = ProductCouponEntity.properties
export const ProductCouponEntity2025_11 = Type.Object({
  ...pcFields,
  usage_mode: UsageMode2025_11,
  progressive_bundle_usage_info: opt(ProgressiveBundleUsageInfo),
})
export type ProductCouponEntity2025_11 = Static<typeof ProductCouponEntity2025_11>

/** One tier's rule on a bundle stock. */
export const ProgressiveBundleStockRule = SingleUsageRule
export const StockBundleInfo = Type.Object({ stock_bundle_id: S, stock_bundle_index: N })

const { sequential_usage_rule: _sr, ...stockFields } = StockEntity.properties
export const StockEntity2025_11 = Type.Object({
  ...stockFields,
  progressive_bundle_usage_rule: opt(ProgressiveBundleStockRule),
  stock_bundle_info: opt(StockBundleInfo),
})
export type StockEntity2025_11 = Static<typeof StockEntity2025_11>

export const StockBundleEntity = Type.Object({
  stock_bundle_id: S,
  stock_list: Type.Array(StockEntity2025_11),
})
export type StockBundleEntity = Static<typeof StockBundleEntity>

export const CreateProductCouponResponse2025_11 = Type.Object({
  ...ProductCouponEntity2025_11.properties,
  stock: opt(StockEntity2025_11),
  stock_bundle: opt(StockBundleEntity),
})
export type CreateProductCouponResponse2025_11 = Static<typeof CreateProductCouponResponse2025_11>

export const CouponUsageDetail = Type.Object({
  use_request_no: opt(S),
  use_time: opt(S),
  associated_order_info: opt(AssociatedOrderInfo),
  associated_pay_score_order_info: opt(AssociatedPayScoreOrderInfo),
  return_request_no: opt(S),
  return_time: opt(S),
})
export type CouponUsageDetail = Static<typeof CouponUsageDetail>

export const UserProductCouponBundleInfo = Type.Object({
  user_coupon_bundle_id: S,
  user_coupon_bundle_index: N,
  total_count: N,
  used_count: N,
})

export const UserProductCouponEntity2025_11 = Type.Object({
  coupon_code: S,
  coupon_state: UserProductCouponState,
  valid_begin_time: S,
  valid_end_time: S,
  receive_time: S,
  send_request_no: S,
  send_channel: SendChannel2025_11,
  confirm_request_no: opt(S),
  confirm_time: opt(S),
  deactivate_request_no: opt(S),
  deactivate_time: opt(S),
  deactivate_reason: opt(S),
  single_usage_detail: opt(CouponUsageDetail),
  progressive_bundle_usage_detail: opt(CouponUsageDetail),
  user_product_coupon_bundle_info: opt(UserProductCouponBundleInfo),
  coupon_tag_info: opt(CouponTagInfo),
  product_coupon: ProductCouponEntity2025_11,
  stock: StockEntity2025_11,
  attach: opt(S),
  channel_custom_info: opt(S),
  brand_id: S,
})
export type UserProductCouponEntity2025_11 = Static<typeof UserProductCouponEntity2025_11>

export const ListStocksResponse2025_11 = Type.Object({
  total_count: N,
  stock_list: Type.Array(StockEntity2025_11),
  next_page_token: opt(S),
})
export type ListStocksResponse2025_11 = Static<typeof ListStocksResponse2025_11>

export const ListUserCouponsResponse2025_11 = Type.Object({
  total_count: N,
  user_coupon_list: Type.Array(UserProductCouponEntity2025_11),
  next_page_token: opt(S),
})
export type ListUserCouponsResponse2025_11 = Static<typeof ListUserCouponsResponse2025_11>

export const UserCouponBundleEntity = Type.Object({
  user_coupon_bundle_id: S,
  user_product_coupon_list: Type.Array(UserProductCouponEntity2025_11),
})
export type UserCouponBundleEntity = Static<typeof UserCouponBundleEntity>

export const BundleStoresResponse = Type.Object({
  total_count: N,
  success_store_list: opt(Type.Array(Type.Object({ store_id: S }))),
  failed_store_list: opt(Type.Array(Type.Object({ store_id: S, code: S, message: S }))),
})
export type BundleStoresResponse = Static<typeof BundleStoresResponse>

export const PreSendTokenResponse = Type.Object({ token: S })
export type PreSendTokenResponse = Static<typeof PreSendTokenResponse>
