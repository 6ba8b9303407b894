import {
  type CouponModel,
  type ModelCoupon,
  roundState,
  type Slot,
  sentToday,
  stateAt,
  stockState,
  usedCount,
} from './coupon-state.ts'
import { formatTime } from './time.ts'

/**
 * What the API must answer for a coupon: the whole UserProductCouponEntity the reference model
 * predicts, compared field for field with the server's.
 */

function slotFields(slot: Slot): Record<string, unknown> {
  const d: Record<string, unknown> = {}
  // use_* only while USED (Q1 default); return_* once returned, even after a new use.
  if (slot.used && slot.use) {
    d.use_request_no = slot.use.requestNo
    d.use_time = slot.use.time
    d.associated_order_info = slot.use.order
  }
  if (slot.ret) {
    d.return_request_no = slot.ret.requestNo
    d.return_time = formatTime(slot.ret.time)
  }
  return d
}

export interface Templates {
  brandId: string
  /** The product coupon as created (its creation answer without `stock`). */
  productCoupon: Record<string, unknown>
  /** The stock as created; counters and state are the model's. */
  stock: Record<string, unknown>
}

/** The whole UserProductCouponEntity (entities §2) the API must answer for `c` now. */
export function expectedEntity(
  m: CouponModel,
  t: Templates,
  c: ModelCoupon,
): Record<string, unknown> {
  const state = stateAt(c, m.now)
  const e: Record<string, unknown> = {
    coupon_code: c.code,
    coupon_state: state,
    valid_begin_time: formatTime(c.begin),
    valid_end_time: formatTime(c.end),
    receive_time: formatTime(c.receive),
    send_request_no: c.sendRequestNo,
    send_channel: 'API',
    product_coupon: t.productCoupon,
    stock: {
      ...t.stock,
      sent_count_info: { total_count: m.sentTotal, today_count: sentToday(m) },
      state: stockState(m),
    },
    brand_id: t.brandId,
  }
  if (c.confirm) {
    e.confirm_request_no = c.confirm.requestNo
    e.confirm_time = formatTime(c.confirm.time)
  }
  if (state === 'DEACTIVATED' && c.deactivation) {
    e.deactivate_request_no = c.deactivation.requestNo
    e.deactivate_time = formatTime(c.deactivation.time)
    e.deactivate_reason = c.deactivation.reason
  }
  if (m.cfg.mode === 'SINGLE') {
    e.single_usage_detail = c.slots[0] ? slotFields(c.slots[0]) : {}
  } else {
    e.sequential_usage_detail = {
      total_count: c.slots.length,
      used_count: usedCount(c),
      detail_item_list: c.slots.map((slot) => {
        const detail_state = roundState(c, slot, m.now)
        return {
          detail_state,
          valid_begin_time: formatTime(slot.begin ?? c.begin),
          valid_end_time: formatTime(c.end),
          ...slotFields(slot),
          ...(detail_state === 'DELETED' && c.deletedAt !== undefined
            ? { delete_time: formatTime(c.deletedAt) }
            : {}),
        }
      }),
    }
  }
  return e
}
