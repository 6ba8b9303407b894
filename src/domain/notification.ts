import { formatRfc3339 } from './time.ts'
import type { UserCoupon } from './user-coupon.ts'

/** Callbacks (protocol §10): what an event says, and when a failed delivery is tried again. */

/** Q7: the payment-notification schedule, 15 retries over 24 h 4 min (seconds). */
export const STANDARD_SCHEDULE: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600,
]
/** For tests and demos: the same shape in seconds. */
export const FAST_SCHEDULE: readonly number[] = [1, 1, 2, 2, 3, 3, 5, 5, 5]

/** The schedule the notify.schedule setting names. */
export function retrySchedule(name: 'standard' | 'fast'): readonly number[] {
  return name === 'fast' ? FAST_SCHEDULE : STANDARD_SCHEDULE
}

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

export type DeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED'

/**
 * How an attempt was made: on the schedule; a sandbox redelivery or duplicate (real
 * deliveries off the schedule); anything else is a deliberately faulty delivery a receiver
 * must refuse, which says nothing about the receiver's health.
 */
export type AttemptKind = 'scheduled' | 'redeliver' | 'duplicate' | (string & {})

export interface DeliveryNext {
  state: DeliveryState
  /** Sandbox-clock milliseconds. */
  nextAttemptAt: number
  /** Only scheduled attempts use up the schedule. */
  countsTowardSchedule: boolean
}

/**
 * A notification's state after one attempt answered `status` (undefined: no HTTP answer).
 * A 2xx delivers it, unless the attempt was faulty. A failed scheduled attempt is retried
 * after the schedule's next delay from `nowMs`, or FAILED once the schedule is used up; any
 * other attempt leaves state and due time as they were.
 */
export function nextDelivery(
  n: { state: DeliveryState; attempts: number; nextAttemptAt: number },
  kind: AttemptKind,
  status: number | undefined,
  schedule: readonly number[],
  nowMs: number,
): DeliveryNext {
  const scheduled = kind === 'scheduled'
  const faulty = !scheduled && kind !== 'redeliver' && kind !== 'duplicate'
  const ok = status !== undefined && status >= 200 && status < 300
  const unchanged = {
    state: n.state,
    nextAttemptAt: n.nextAttemptAt,
    countsTowardSchedule: scheduled,
  }
  if (faulty) return unchanged
  if (ok) return { ...unchanged, state: 'DELIVERED' }
  if (!scheduled) return unchanged
  const delay = retryDelaySeconds(schedule, n.attempts + 1)
  return delay === undefined
    ? { ...unchanged, state: 'FAILED' }
    : { state: 'PENDING', nextAttemptAt: nowMs + delay * 1000, countsTowardSchedule: true }
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

/**
 * Brand-direct mode: the events of a coupon a brand created in its own name. The send event is
 * PRODUCT_COUPON.SEND (AAD and original_type `product_coupon`); the usage events keep their
 * names, with the brand original_type.
 */
export const BRAND_SEND_EVENT = 'PRODUCT_COUPON.SEND'

const BRAND_EVENT_NAMES: Readonly<Record<string, string>> = {
  [SEND_EVENT]: BRAND_SEND_EVENT,
  [USE_EVENT]: USE_EVENT,
  [RETURN_EVENT]: RETURN_EVENT,
}

/** The brand-direct name of a partner event. */
export function brandEventType(partnerEvent: string): string {
  return BRAND_EVENT_NAMES[partnerEvent] ?? partnerEvent
}

export const BRAND_EVENTS: Readonly<Record<string, EventMeta>> = {
  [BRAND_SEND_EVENT]: {
    eventType: BRAND_SEND_EVENT,
    summary: '商品券领券通知',
    originalType: 'product_coupon',
    associatedData: 'product_coupon',
  },
  [USE_EVENT]: { ...(EVENTS[USE_EVENT] as EventMeta), originalType: 'product_coupon' },
  [RETURN_EVENT]: { ...(EVENTS[RETURN_EVENT] as EventMeta), originalType: 'product_coupon' },
}

/** The coupon's ids, as every event's resource names them. */
function couponIds(c: UserCoupon): Record<string, string> {
  return {
    brand_id: c.brandId,
    coupon_code: c.couponCode,
    product_coupon_id: c.productCouponId,
    stock_id: c.stockId,
    appid: c.appid,
    openid: c.openid,
  }
}

/** §10.5: the decrypted resource of PRODUCT_COUPON_SP.SEND. */
export function sendPayload(c: UserCoupon): Record<string, string> {
  const p: Record<string, string> = {
    ...couponIds(c),
    valid_begin_time: formatRfc3339(
      c.bundle && c.validBegin > c.validEnd ? c.bundle.placeholderBegin : c.validBegin,
    ),
    valid_end_time: formatRfc3339(c.validEnd),
    receive_time: formatRfc3339(c.receiveTime),
    send_request_no: c.sendRequestNo,
    send_channel: c.sendChannel,
  }
  if (c.attach !== undefined) p.attach = c.attach
  if (c.channelCustomInfo !== undefined) p.channel_custom_info = c.channelCustomInfo
  // 2025-11: a bundle coupon's callback names its stock bundle and user coupon bundle.
  if (c.bundle) {
    p.stock_bundle_id = c.bundle.stockBundleId
    p.user_coupon_bundle_id = c.bundle.id
  }
  return p
}

/** Q6 (off by default): the coupon after a use or a return, with the request number. */
export function usageEventPayload(
  c: UserCoupon,
  requestNo: string,
  at: number,
): Record<string, string> {
  return {
    ...couponIds(c),
    coupon_state: c.state,
    out_request_no: requestNo,
    event_time: formatRfc3339(at),
  }
}
