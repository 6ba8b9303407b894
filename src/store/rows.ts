import type { ExpressionBuilder } from 'kysely'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'
import type { Database } from './schema.ts'
import type {
  DeliveryAttempt,
  IdempotencyRecord,
  NotificationRecord,
  NotificationState,
} from './store.ts'

/** Domain records ⇄ table rows, and the SQL form of time-derived coupon states. */

export const nowSeconds = () => Math.floor(Date.now() / 1000)

type Row<T extends keyof Database> = Database[T]

export function toProductCoupon(r: Row<'product_coupons'>): ProductCoupon {
  const doc = JSON.parse(r.doc) as Pick<ProductCoupon, 'config' | 'deactivation' | 'createdAt'>
  return {
    id: r.product_coupon_id,
    brandId: r.brand_id,
    mchid: r.mchid,
    state: r.state as ProductCoupon['state'],
    ...doc,
  }
}

export function productCouponRow(pc: ProductCoupon): Row<'product_coupons'> {
  const { id, brandId, mchid, state, ...doc } = pc
  const t = nowSeconds()
  return {
    product_coupon_id: id,
    brand_id: brandId,
    mchid,
    state,
    doc: JSON.stringify(doc),
    created_at: t,
    updated_at: t,
  }
}

export function toStock(r: Row<'stocks'>): Stock {
  const doc = JSON.parse(r.doc) as Pick<
    Stock,
    'config' | 'codeCount' | 'deactivation' | 'createdAt'
  >
  return {
    id: r.stock_id,
    productCouponId: r.product_coupon_id,
    brandId: r.brand_id,
    mchid: r.mchid,
    state: r.state as Stock['state'],
    sentTotal: Number(r.sent_total),
    sentToday: Number(r.sent_today),
    sentDay: Number(r.sent_day),
    ...doc,
  }
}

export function stockRow(s: Stock): Row<'stocks'> {
  const { id, productCouponId, brandId, mchid, state, sentTotal, sentToday, sentDay, ...doc } = s
  const t = nowSeconds()
  return {
    stock_id: id,
    product_coupon_id: productCouponId,
    brand_id: brandId,
    mchid,
    state,
    doc: JSON.stringify(doc),
    sent_total: sentTotal,
    sent_today: sentToday,
    sent_day: sentDay,
    created_at: t,
    updated_at: t,
  }
}

export function toUserCoupon(r: Row<'user_coupons'>): UserCoupon {
  return {
    ...(JSON.parse(r.doc) as Omit<UserCoupon, keyof typeof COUPON_COLUMNS>),
    couponCode: r.coupon_code,
    stockId: r.stock_id,
    productCouponId: r.product_coupon_id,
    brandId: r.brand_id,
    mchid: r.mchid,
    openid: r.openid,
    appid: r.appid,
    state: r.state as UserCoupon['state'],
    validBegin: Number(r.valid_begin),
    validEnd: Number(r.valid_end),
    receiveTime: Number(r.receive_time),
    version: Number(r.version),
    issueSeq: Number(r.issue_seq),
  }
}

const COUPON_COLUMNS = {
  couponCode: 1,
  stockId: 1,
  productCouponId: 1,
  brandId: 1,
  mchid: 1,
  openid: 1,
  appid: 1,
  state: 1,
  validBegin: 1,
  validEnd: 1,
  receiveTime: 1,
  version: 1,
  issueSeq: 1,
} as const

export function userCouponRow(c: UserCoupon): Row<'user_coupons'> {
  const doc: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(c)) if (!(k in COUPON_COLUMNS)) doc[k] = v
  const t = nowSeconds()
  return {
    stock_id: c.stockId,
    coupon_code: c.couponCode,
    product_coupon_id: c.productCouponId,
    brand_id: c.brandId,
    mchid: c.mchid,
    openid: c.openid,
    appid: c.appid,
    state: c.state,
    valid_begin: c.validBegin,
    valid_end: c.validEnd,
    receive_time: c.receiveTime,
    doc: JSON.stringify(doc),
    version: c.version,
    issue_seq: c.issueSeq,
    created_at: t,
    updated_at: t,
  }
}

export function idempotencyRow(rec: IdempotencyRecord, createdAt: number): Row<'idempotency'> {
  return {
    brand_id: rec.brandId,
    operation: rec.operation,
    request_no: rec.requestNo,
    fingerprint: rec.fingerprint,
    resource_id: rec.resourceId,
    snapshot: rec.snapshot ?? null,
    created_at: createdAt,
  }
}

const LIVE = ['CONFIRMING', 'PENDING', 'EFFECTIVE']

/** The coupon state the clock implies at `now` (user-coupon.ts atTime), as SQL. */
export function stateAt(
  eb: ExpressionBuilder<Database, 'user_coupons'>,
  state: string,
  now: number,
) {
  switch (state) {
    case 'EXPIRED':
      return eb.or([
        eb('state', '=', 'EXPIRED'),
        eb.and([eb('state', 'in', LIVE), eb('valid_end', '<', now)]),
      ])
    case 'EFFECTIVE':
      return eb.and([
        eb('valid_end', '>=', now),
        eb.or([
          eb('state', '=', 'EFFECTIVE'),
          eb.and([eb('state', '=', 'PENDING'), eb('valid_begin', '<=', now)]),
        ]),
      ])
    case 'PENDING':
      return eb.and([
        eb('state', '=', 'PENDING'),
        eb('valid_begin', '>', now),
        eb('valid_end', '>=', now),
      ])
    case 'CONFIRMING':
      return eb.and([eb('state', '=', 'CONFIRMING'), eb('valid_end', '>=', now)])
    default:
      return eb('state', '=', state)
  }
}

export function toNotification(r: Database['notifications']): NotificationRecord {
  return {
    id: r.id,
    mchid: r.mchid,
    eventType: r.event_type,
    createTime: Number(r.create_time),
    payload: r.payload,
    state: r.state as NotificationState,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    seq: Number(r.seq),
  }
}

export function toAttempt(r: Database['notification_attempts']): DeliveryAttempt {
  return {
    notificationId: r.notification_id,
    attemptNo: Number(r.attempt_no),
    at: Number(r.at),
    ...(r.status === null ? {} : { status: Number(r.status) }),
    latencyMs: Number(r.latency_ms),
    ...(r.error === null ? {} : { error: r.error }),
    kind: r.kind,
  }
}
