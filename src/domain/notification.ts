import { formatRfc3339 } from './time.ts'
import type { UserCoupon } from './user-coupon.ts'

/** Callbacks (protocol §10): what an event says, and when a failed delivery is tried again. */

/** Q7: the payment-notification schedule, 15 retries over 24 h 4 min (seconds). */
export const STANDARD_SCHEDULE: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600,
]
/** For tests and demos: the same shape in seconds. */
export const FAST_SCHEDULE: readonly number[] = [1, 1, 2, 2, 3, 3, 5, 5, 5]

/**
 * After `attempts` failed scheduled attempts, the delay before the next one, or undefined when
 * the schedule is used up (the notification is then FAILED).
 */
export function retryDelaySeconds(
  schedule: readonly number[],
  attempts: number,
): number | undefined {
  return schedule[attempts - 1]
}

export const SEND_EVENT = 'PRODUCT_COUPON_SP.SEND'
export const USE_EVENT = 'PRODUCT_COUPON.USE'
export const RETURN_EVENT = 'PRODUCT_COUPON.RETURN'

export interface EventMeta {
  eventType: string
  summary: string
  originalType: string
  associatedData: string
}

export const EVENTS: Readonly<Record<string, EventMeta>> = {
  [SEND_EVENT]: {
    eventType: SEND_EVENT,
    summary: '商品券领券通知',
    originalType: 'coupon',
    associatedData: 'product_coupon_sp',
  },
  [USE_EVENT]: {
    eventType: USE_EVENT,
    summary: '商品券核销通知',
    originalType: 'coupon',
    associatedData: 'product_coupon',
  },
  [RETURN_EVENT]: {
    eventType: RETURN_EVENT,
    summary: '商品券退券通知',
    originalType: 'coupon',
    associatedData: 'product_coupon',
  },
}

/** §10.5: the decrypted resource of PRODUCT_COUPON_SP.SEND. */
export function sendPayload(c: UserCoupon): Record<string, string> {
  const p: Record<string, string> = {
    brand_id: c.brandId,
    coupon_code: c.couponCode,
    product_coupon_id: c.productCouponId,
    stock_id: c.stockId,
    appid: c.appid,
    openid: c.openid,
    valid_begin_time: formatRfc3339(c.validBegin),
    valid_end_time: formatRfc3339(c.validEnd),
    receive_time: formatRfc3339(c.receiveTime),
    send_request_no: c.sendRequestNo,
    send_channel: c.sendChannel,
  }
  if (c.attach !== undefined) p.attach = c.attach
  if (c.channelCustomInfo !== undefined) p.channel_custom_info = c.channelCustomInfo
  return p
}

/** Q6 (off by default): the coupon after a use or a return, with the request number. */
export function usageEventPayload(
  c: UserCoupon,
  requestNo: string,
  at: number,
): Record<string, string> {
  return {
    brand_id: c.brandId,
    coupon_code: c.couponCode,
    product_coupon_id: c.productCouponId,
    stock_id: c.stockId,
    appid: c.appid,
    openid: c.openid,
    coupon_state: c.state,
    out_request_no: requestNo,
    event_time: formatRfc3339(at),
  }
}
