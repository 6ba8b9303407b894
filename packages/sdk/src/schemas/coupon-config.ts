import { type Static, Type } from 'typebox'
import {
  CouponCodeDisplayMode,
  CouponCodeMode,
  CouponUsageMethod,
  SequentialUsageType,
  StockStoreScope,
  WeekDay,
} from './enums.ts'
import { AppId, Fen, Int, Rfc3339, Text, Url } from './fields.ts'

/**
 * Configuration objects a partner sends when creating product coupons and stocks, and that
 * come back verbatim inside ProductCouponEntity / StockEntity (seed Java/Go models).
 * Limits are those of endpoints.md E3/E5; where the docs are silent they are generous.
 */

export const NormalCouponUsageRule = Type.Object({
  threshold: Fen,
  discount_amount: Int(1, 100_000_000_00),
})
export type NormalCouponUsageRule = Static<typeof NormalCouponUsageRule>

export const DiscountCouponUsageRule = Type.Object({
  threshold: Fen,
  percent_off: Int(1, 99),
})
export type DiscountCouponUsageRule = Static<typeof DiscountCouponUsageRule>

export const ExchangeCouponUsageRule = Type.Object({
  threshold: Fen,
  exchange_price: Fen,
})
export type ExchangeCouponUsageRule = Static<typeof ExchangeCouponUsageRule>

export const SingleUsageInfo = Type.Object({
  normal_coupon: Type.Optional(NormalCouponUsageRule),
  discount_coupon: Type.Optional(DiscountCouponUsageRule),
})
export type SingleUsageInfo = Static<typeof SingleUsageInfo>

export const SequentialUsageInfo = Type.Object({
  type: SequentialUsageType,
  count: Int(1, 15),
  available_days: Int(3, 365),
  interval_days: Type.Optional(Int(0, 7)),
})
export type SequentialUsageInfo = Static<typeof SequentialUsageInfo>

export const ComboPackageChoice = Type.Object({
  name: Text(15, 1),
  price: Fen,
  count: Int(1, 99),
  image_url: Type.Optional(Url),
  mini_program_appid: Type.Optional(AppId),
  mini_program_path: Type.Optional(Text(256, 1)),
})

export const ComboPackage = Type.Object({
  name: Text(15, 1),
  pick_count: Int(1, 99),
  choice_list: Type.Array(ComboPackageChoice, { minItems: 1, maxItems: 99 }),
})

export const ProductCouponDisplayInfo = Type.Object({
  name: Text(20, 1),
  image_url: Url,
  background_url: Url,
  detail_image_url_list: Type.Optional(Type.Array(Url, { maxItems: 8 })),
  original_price: Type.Optional(Fen),
  combo_package_list: Type.Optional(Type.Array(ComboPackage, { maxItems: 50 })),
})
export type ProductCouponDisplayInfo = Static<typeof ProductCouponDisplayInfo>

export const PeriodOfTheDay = Type.Object({
  begin_time: Int(0, 86399),
  end_time: Int(0, 86399),
})

export const FixedWeekPeriod = Type.Object({
  day_list: Type.Optional(Type.Array(WeekDay, { minItems: 1, maxItems: 7, uniqueItems: true })),
  day_period_list: Type.Optional(Type.Array(PeriodOfTheDay, { minItems: 1, maxItems: 10 })),
})

export const TimePeriod = Type.Object({
  begin_time: Rfc3339,
  end_time: Rfc3339,
})

const periodFields = {
  available_begin_time: Rfc3339,
  available_end_time: Rfc3339,
  wait_days_after_receive: Type.Optional(Int(0, 30)),
  weekly_available_period: Type.Optional(FixedWeekPeriod),
  irregular_available_period_list: Type.Optional(
    Type.Array(TimePeriod, { minItems: 1, maxItems: 2 }),
  ),
}

export const SingleCouponAvailablePeriod = Type.Object({
  ...periodFields,
  available_days: Type.Optional(Int(1, 365)),
})
export type SingleCouponAvailablePeriod = Static<typeof SingleCouponAvailablePeriod>

export const SequentialCouponAvailablePeriod = Type.Object(periodFields)
export type SequentialCouponAvailablePeriod = Static<typeof SequentialCouponAvailablePeriod>

export const StockSendRule = Type.Object({
  max_count: Int(1, 100_000_000),
  max_count_per_day: Type.Optional(Int(1, 100_000_000)),
  max_count_per_user: Type.Optional(Int(1, 100)),
})
export type StockSendRule = Static<typeof StockSendRule>

export const SingleUsageRule = Type.Object({
  coupon_available_period: SingleCouponAvailablePeriod,
  normal_coupon: Type.Optional(NormalCouponUsageRule),
  discount_coupon: Type.Optional(DiscountCouponUsageRule),
  exchange_coupon: Type.Optional(ExchangeCouponUsageRule),
})
export type SingleUsageRule = Static<typeof SingleUsageRule>

export const SequentialUsageRule = Type.Object({
  coupon_available_period: SequentialCouponAvailablePeriod,
  normal_coupon_list: Type.Optional(
    Type.Array(NormalCouponUsageRule, { minItems: 1, maxItems: 15 }),
  ),
  discount_coupon_list: Type.Optional(
    Type.Array(DiscountCouponUsageRule, { minItems: 1, maxItems: 15 }),
  ),
  exchange_coupon_list: Type.Optional(
    Type.Array(ExchangeCouponUsageRule, { minItems: 1, maxItems: 15 }),
  ),
  special_first: Type.Optional(Type.Boolean()),
})
export type SequentialUsageRule = Static<typeof SequentialUsageRule>

export const CouponAvailableStoreInfo = Type.Object({
  description: Text(1000, 1),
  mini_program_appid: Type.Optional(AppId),
  mini_program_path: Type.Optional(Text(256, 1)),
})

export const UsageRuleDisplayInfo = Type.Object({
  coupon_usage_method_list: Type.Array(CouponUsageMethod, {
    minItems: 1,
    maxItems: 4,
    uniqueItems: true,
  }),
  mini_program_appid: Type.Optional(AppId),
  mini_program_path: Type.Optional(Text(256, 1)),
  app_path: Type.Optional(Text(256, 1)),
  usage_description: Text(1000, 1),
  coupon_available_store_info: Type.Optional(CouponAvailableStoreInfo),
})
export type UsageRuleDisplayInfo = Static<typeof UsageRuleDisplayInfo>

export const CouponDisplayInfo = Type.Object({
  code_display_mode: CouponCodeDisplayMode,
  background_color: Type.Optional(Type.String({ pattern: '^Color\\d{3}$' })),
  entrance_mini_program: Type.Optional(
    Type.Object({
      appid: AppId,
      path: Text(256, 1),
      entrance_wording: Type.Optional(Text(5, 1)),
      guidance_wording: Type.Optional(Text(6, 1)),
    }),
  ),
  entrance_official_account: Type.Optional(Type.Object({ appid: AppId })),
  entrance_finder: Type.Optional(
    Type.Object({
      finder_id: Text(64, 1),
      finder_video_id: Type.Optional(Text(128, 1)),
      finder_video_cover_image_url: Type.Optional(Url),
    }),
  ),
})
export type CouponDisplayInfo = Static<typeof CouponDisplayInfo>

export const NotifyConfig = Type.Object({ notify_appid: AppId })

/** The stock part of create-product-coupon and add-stock requests. */
export const StockForCreate = Type.Object({
  remark: Type.Optional(Text(20)),
  coupon_code_mode: CouponCodeMode,
  stock_send_rule: StockSendRule,
  single_usage_rule: Type.Optional(SingleUsageRule),
  sequential_usage_rule: Type.Optional(SequentialUsageRule),
  usage_rule_display_info: UsageRuleDisplayInfo,
  coupon_display_info: CouponDisplayInfo,
  notify_config: NotifyConfig,
  store_scope: StockStoreScope,
})
export type StockForCreate = Static<typeof StockForCreate>
