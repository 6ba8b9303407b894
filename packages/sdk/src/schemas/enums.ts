import { type Static, Type } from 'typebox'

/** Enums of the seed era (entities-and-states.md §1), each one schema and one TS union. */
export const COUPON_STATES = [
  'CONFIRMING',
  'PENDING',
  'EFFECTIVE',
  'USED',
  'EXPIRED',
  'DELETED',
  'DEACTIVATED',
] as const
export const UserProductCouponState = Type.Enum(COUPON_STATES)
export type UserProductCouponState = Static<typeof UserProductCouponState>

/** A round exists once its coupon is confirmed: every coupon state but CONFIRMING. */
export const ROUND_STATES = COUPON_STATES.filter(
  (s): s is Exclude<(typeof COUPON_STATES)[number], 'CONFIRMING'> => s !== 'CONFIRMING',
)
export const UsageDetailItemState = Type.Enum(ROUND_STATES)
export type UsageDetailItemState = Static<typeof UsageDetailItemState>

export const SendChannel = Type.Enum(['API', 'BRAND_MANAGE', 'MERCHANT_CARD', 'MEMBER'])
export type SendChannel = Static<typeof SendChannel>

export const ProductCouponScope = Type.Enum(['ALL', 'SINGLE'])
export type ProductCouponScope = Static<typeof ProductCouponScope>

export const ProductCouponType = Type.Enum(['NORMAL', 'DISCOUNT', 'EXCHANGE'])
export type ProductCouponType = Static<typeof ProductCouponType>

export const UsageMode = Type.Enum(['SINGLE', 'SEQUENTIAL'])
export type UsageMode = Static<typeof UsageMode>

export const SequentialUsageType = Type.Enum(['INCREMENTAL', 'EQUAL'])
export type SequentialUsageType = Static<typeof SequentialUsageType>

export const ProductCouponState = Type.Enum(['AUDITING', 'EFFECTIVE', 'DEACTIVATED'])
export type ProductCouponState = Static<typeof ProductCouponState>

export const StockState = Type.Enum(['AUDITING', 'SENDING', 'PAUSED', 'STOPPED', 'DEACTIVATED'])
export type StockState = Static<typeof StockState>

export const CouponCodeMode = Type.Enum(['WECHATPAY', 'UPLOAD', 'API_ASSIGN'])
export type CouponCodeMode = Static<typeof CouponCodeMode>

export const StockStoreScope = Type.Enum(['NONE', 'ALL', 'SPECIFIC'])
export type StockStoreScope = Static<typeof StockStoreScope>

export const CouponUsageMethod = Type.Enum(['OFFLINE', 'MINI_PROGRAM', 'APP', 'PAYMENT_CODE'])
export type CouponUsageMethod = Static<typeof CouponUsageMethod>

export const CouponCodeDisplayMode = Type.Enum(['INVISIBLE', 'BARCODE', 'QRCODE'])
export type CouponCodeDisplayMode = Static<typeof CouponCodeDisplayMode>

export const WeekDay = Type.Enum([
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
])
export type WeekDay = Static<typeof WeekDay>
