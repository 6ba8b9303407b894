import { wxError } from '../domain/errors.ts'
import { SEND_EVENT, sendPayload } from '../domain/notification.ts'
import { presentUserCoupon } from '../domain/present.ts'
import {
  type ProductCoupon,
  type Stock,
  sentTodayAt,
  stockPeriod,
} from '../domain/product-coupon.ts'
import { stockStateAt } from '../domain/stock.ts'
import { beijingDayNumber } from '../domain/time.ts'
import { issueCoupon, type UserCoupon } from '../domain/user-coupon.ts'
import { validityWindow } from '../domain/validity.ts'
import { notificationId } from '../notify/envelope.ts'
import type { UserProductCouponEntity } from '../schemas/entities.ts'
import type { SendChannel } from '../schemas/enums.ts'
import { SendCouponBody } from '../schemas/requests.ts'
import type { StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'
import {
  requireAppId,
  requireBrand,
  requireOpenId,
  requireProductCoupon,
  requireStock,
} from './guards.ts'
import { once } from './idempotency.ts'
import { newCouponCode } from './ids.ts'

export interface Issuance {
  openid: string
  appid: string
  sendRequestNo: string
  sendChannel: SendChannel
  couponCode?: string
  attach?: string
  channelCustomInfo?: string
}

/**
 * E8 checks 2–5 and the effects of issuing, shared by the send API and the sandbox's other
 * channels: stock and product coupon able to send, stock window, budgets (total, per Beijing
 * day of the sandbox clock, per user), the code, then the coupon and the counters. The stock
 * row is locked by the caller, so concurrent sends cannot overshoot a budget.
 */
export async function issue(
  deps: ServiceDeps,
  tx: StoreTx,
  pc: ProductCoupon,
  stock: Stock,
  i: Issuance,
  now: number,
): Promise<{ coupon: UserCoupon; stock: Stock }> {
  if (pc.state !== 'EFFECTIVE' || stockStateAt(stock, now) !== 'SENDING') {
    throw wxError('STOCK_NOT_SENDING')
  }
  const period = stockPeriod(stock)
  if (now < period.begin || now > period.end) throw wxError('STOCK_NOT_IN_SEND_PERIOD')
  const mode = stock.config.coupon_code_mode
  if ((mode === 'API_ASSIGN') !== (i.couponCode !== undefined)) {
    throw wxError('BUSINESS_RULE', {
      field: '/coupon_code',
      issue:
        mode === 'API_ASSIGN'
          ? 'coupon_code is required when coupon_code_mode is API_ASSIGN'
          : 'coupon_code must not be sent unless coupon_code_mode is API_ASSIGN',
      location: 'body',
    })
  }
  const rule = stock.config.stock_send_rule
  if (stock.sentTotal >= rule.max_count) throw wxError('STOCK_BUDGET_EXHAUSTED')
  const today = sentTodayAt(stock, now)
  if (rule.max_count_per_day !== undefined && today >= rule.max_count_per_day) {
    throw wxError('STOCK_DAILY_BUDGET_EXHAUSTED')
  }
  if (rule.max_count_per_user !== undefined) {
    const held = await tx.countUserCoupons(stock.id, i.openid)
    if (held >= rule.max_count_per_user) throw wxError('USER_LIMIT_REACHED')
  }
  let couponCode: string
  let codeCount = stock.codeCount
  if (mode === 'API_ASSIGN') {
    couponCode = i.couponCode ?? ''
    if (await tx.getUserCoupon(stock.id, couponCode)) throw wxError('COUPON_CODE_EXISTS')
  } else if (mode === 'UPLOAD') {
    const drawn = await tx.takeCouponCode(stock.id, (n) => deps.random(4).readUInt32BE(0) % n)
    if (drawn === undefined) throw wxError('UPLOAD_CODES_EXHAUSTED')
    couponCode = drawn
    codeCount = {
      total: codeCount?.total ?? 0,
      available: Math.max(0, (codeCount?.available ?? 1) - 1),
    }
  } else {
    do couponCode = newCouponCode(deps.random)
    while (await tx.getUserCoupon(stock.id, couponCode))
  }
  const seqInfo = pc.config.sequential_usage_info
  const coupon = issueCoupon({
    couponCode,
    stockId: stock.id,
    productCouponId: pc.id,
    brandId: pc.brandId,
    mchid: pc.mchid,
    openid: i.openid,
    appid: i.appid,
    sendRequestNo: i.sendRequestNo,
    sendChannel: i.sendChannel,
    ...(i.attach === undefined ? {} : { attach: i.attach }),
    ...(i.channelCustomInfo === undefined ? {} : { channelCustomInfo: i.channelCustomInfo }),
    usageMode: pc.config.usage_mode,
    ...(seqInfo ? { rounds: seqInfo.count, intervalDays: seqInfo.interval_days ?? 0 } : {}),
    window: validityWindow(pc, stock, now),
    now,
    issueSeq: await tx.nextSequence('user_coupon'),
  })
  const sent: Stock = {
    ...stock,
    sentTotal: stock.sentTotal + 1,
    sentToday: today + 1,
    sentDay: beijingDayNumber(now),
    ...(codeCount ? { codeCount } : {}),
  }
  await tx.insertUserCoupon(coupon)
  await tx.updateStock(sent)
  // The SEND callback is written with the coupon: neither exists without the other.
  await tx.insertNotification({
    id: notificationId(deps.random),
    mchid: pc.mchid,
    eventType: SEND_EVENT,
    createTime: now,
    payload: JSON.stringify(sendPayload(coupon)),
    nextAttemptAt: deps.clock.now(),
  })
  return { coupon, stock: sent }
}

/** E8: issue a coupon of a stock to a user (→ CONFIRMING). */
export async function sendCoupon(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: SendCouponBody,
): Promise<UserProductCouponEntity> {
  const { settings } = deps
  const entity = await deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, body.brand_id, caller.mchid)
    await requireAppId(tx, body.appid, caller.mchid)
    await requireOpenId(tx, body.appid, openid)
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    const stock = await requireStock(tx, body.stock_id, pc, tx)
    const key = {
      brandId: body.brand_id,
      operation: 'send',
      requestNo: body.send_request_no,
      fingerprint: fingerprint(SendCouponBody, body, { mchid: caller.mchid, openid }),
    }
    const view = { productCoupon: pc, stock, now, settings }
    return once(tx, key, {
      conflict: 'REQUEST_NO_CONFLICT',
      snapshot: settings.replayResponse === 'snapshot',
      replay: async (record) => {
        const [stockId = '', code = ''] = record.resourceId.split('/')
        const existing = await tx.getUserCoupon(stockId, code)
        if (!existing) throw new Error(`request number points at missing ${record.resourceId}`)
        return presentUserCoupon(existing, view)
      },
      apply: async () => {
        const r = await issue(
          deps,
          tx,
          pc,
          stock,
          {
            openid,
            appid: body.appid,
            sendRequestNo: body.send_request_no,
            sendChannel: 'API',
            ...(body.coupon_code === undefined ? {} : { couponCode: body.coupon_code }),
            ...(body.attach === undefined ? {} : { attach: body.attach }),
          },
          now,
        )
        return {
          result: presentUserCoupon(r.coupon, { ...view, stock: r.stock }),
          resourceId: `${r.stock.id}/${r.coupon.couponCode}`,
        }
      },
    })
  })
  deps.outbox?.wake()
  return entity
}
