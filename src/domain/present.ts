import type {
  CouponUsageDetail,
  ProductCouponEntity,
  SequentialUsageDetailItem,
  StockEntity,
  StockEntity2025_11,
  UserProductCouponEntity,
  UserProductCouponEntity2025_11,
} from '@wxcoupon/sdk/schemas'
import type { ProductCoupon, Stock } from './product-coupon.ts'
import { sentTodayAt } from './product-coupon.ts'
import type { BehaviourSettings } from './settings.ts'
import { stockStateAt } from './stock.ts'
import { formatRfc3339 } from './time.ts'
import { atTime, roundState, type UsageSlot, type UserCoupon, usedCount } from './user-coupon.ts'

/**
 * Domain records → the entities of the seed. Optional fields are omitted, never null, and
 * every time is rendered as `yyyy-MM-ddTHH:mm:ss+08:00`.
 */

export function presentProductCoupon(pc: ProductCoupon): ProductCouponEntity {
  // The config holds what the partner's revision sent, so the entity has that revision's fields.
  const e = {
    product_coupon_id: pc.id,
    ...pc.config,
    state: pc.state,
    brand_id: pc.brandId,
  } as ProductCouponEntity
  if (pc.deactivation) {
    e.deactivate_request_no = pc.deactivation.requestNo
    e.deactivate_time = formatRfc3339(pc.deactivation.time)
    e.deactivate_reason = pc.deactivation.reason
  }
  return e
}

export function presentStock(s: Stock, now: number): StockEntity {
  const { remark, ...config } = s.config
  const e: StockEntity = {
    product_coupon_id: s.productCouponId,
    stock_id: s.id,
    ...(remark === undefined ? {} : { remark }),
    ...config,
    sent_count_info: { total_count: s.sentTotal, today_count: sentTodayAt(s, now) },
    state: stockStateAt(s, now),
    brand_id: s.brandId,
  }
  if (s.bundle) {
    ;(e as StockEntity2025_11).stock_bundle_info = {
      stock_bundle_id: s.bundle.id,
      stock_bundle_index: s.bundle.index,
    }
  }
  if (s.codeCount) {
    e.coupon_code_count_info = {
      total_count: s.codeCount.total,
      available_count: s.codeCount.available,
    }
  }
  if (s.deactivation) {
    e.deactivate_request_no = s.deactivation.requestNo
    e.deactivate_time = formatRfc3339(s.deactivation.time)
    e.deactivate_reason = s.deactivation.reason
  }
  return e
}

/** Q1: use_* only while the slot is USED (or kept by setting); return_* once returned. */
function slotFields(slot: UsageSlot, settings: BehaviourSettings): CouponUsageDetail {
  const d: CouponUsageDetail = {}
  if (slot.use && (slot.used || settings.keepUseInfoAfterReturn)) {
    d.use_request_no = slot.use.requestNo
    d.use_time = formatRfc3339(slot.use.time)
    if (slot.use.order) d.associated_order_info = slot.use.order
    if (slot.use.payScoreOrder) d.associated_pay_score_order_info = slot.use.payScoreOrder
  }
  if (slot.ret) {
    d.return_request_no = slot.ret.requestNo
    d.return_time = formatRfc3339(slot.ret.time)
  }
  return d
}

export interface PresentContext {
  productCoupon: ProductCoupon
  stock: Stock
  now: number
  settings: BehaviourSettings
}

export function presentUserCoupon(
  coupon: UserCoupon,
  ctx: PresentContext,
): UserProductCouponEntity {
  const { now, settings } = ctx
  const c = atTime(coupon, now)
  const e: UserProductCouponEntity = {
    coupon_code: c.couponCode,
    coupon_state: c.state,
    // A locked bundle coupon shows the placeholder, not the sentinel it is stored with.
    valid_begin_time: formatRfc3339(
      c.bundle && c.validBegin > c.validEnd ? c.bundle.placeholderBegin : c.validBegin,
    ),
    valid_end_time: formatRfc3339(c.validEnd),
    receive_time: formatRfc3339(c.receiveTime),
    send_request_no: c.sendRequestNo,
    send_channel: c.sendChannel as UserProductCouponEntity['send_channel'],
    product_coupon: presentProductCoupon(ctx.productCoupon),
    stock: presentStock(ctx.stock, now),
    brand_id: c.brandId,
  }
  if (c.confirm) {
    e.confirm_request_no = c.confirm.requestNo
    e.confirm_time = formatRfc3339(c.confirm.time)
  }
  if (c.state === 'DEACTIVATED' && c.deactivation) {
    e.deactivate_request_no = c.deactivation.requestNo
    e.deactivate_time = formatRfc3339(c.deactivation.time)
    e.deactivate_reason = c.deactivation.reason
  }
  if (c.single && c.bundle) {
    const b = c.bundle
    Object.assign(e, {
      progressive_bundle_usage_detail: slotFields(c.single, settings),
      user_product_coupon_bundle_info: {
        user_coupon_bundle_id: b.id,
        user_coupon_bundle_index: b.index,
        total_count: b.total,
        used_count: b.usedCount,
      },
    })
  } else if (c.single) e.single_usage_detail = slotFields(c.single, settings)
  if (c.tags) (e as UserProductCouponEntity2025_11).coupon_tag_info = c.tags
  if (c.sequential) {
    const items: SequentialUsageDetailItem[] = []
    for (const round of c.sequential.rounds) {
      if (settings.detailListMode === 'unlocked' && round.begin === undefined && !round.used) break
      const item: SequentialUsageDetailItem = {
        detail_state: roundState(c, round, now),
        valid_begin_time: formatRfc3339(round.begin ?? c.validBegin),
        valid_end_time: formatRfc3339(c.validEnd),
        ...slotFields(round, settings),
      }
      if (item.detail_state === 'DELETED' && c.deletedAt !== undefined) {
        item.delete_time = formatRfc3339(c.deletedAt)
      }
      items.push(item)
    }
    e.sequential_usage_detail = {
      total_count: c.sequential.rounds.length,
      used_count: usedCount(c),
      detail_item_list: items,
    }
  }
  if (c.attach !== undefined) e.attach = c.attach
  if (c.channelCustomInfo !== undefined) e.channel_custom_info = c.channelCustomInfo
  return e
}
