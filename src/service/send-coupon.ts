import { wxError } from '../domain/errors.ts'
import { presentUserCoupon } from '../domain/present.ts'
import { sentTodayAt, stockPeriod } from '../domain/product-coupon.ts'
import { beijingDayNumber } from '../domain/time.ts'
import { issueCoupon } from '../domain/user-coupon.ts'
import { validityWindow } from '../domain/validity.ts'
import type { UserProductCouponEntity } from '../schemas/entities.ts'
import { SendCouponBody } from '../schemas/requests.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'
import {
  requireAppId,
  requireBrand,
  requireOpenId,
  requireProductCoupon,
  requireStock,
} from './guards.ts'
import { findReplay, remember } from './idempotency.ts'
import { newCouponCode } from './ids.ts'

/** E8: issue a coupon of a stock to a user (→ CONFIRMING). */
export function sendCoupon(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: SendCouponBody,
): Promise<UserProductCouponEntity> {
  const { settings } = deps
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, body.brand_id, caller.mchid)
    await requireAppId(tx, body.appid, caller.mchid)
    await requireOpenId(tx, body.appid, openid)
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    // Locked: two concurrent sends must not both see the last unit of a budget as free.
    const stock = await requireStock(tx, body.stock_id, pc, tx)
    const key = {
      brandId: body.brand_id,
      operation: 'send',
      requestNo: body.send_request_no,
      fingerprint: fingerprint(SendCouponBody, body, { mchid: caller.mchid, openid }),
    }
    const view = { productCoupon: pc, stock, now, settings }
    const replay = await findReplay(tx, key, 'REQUEST_NO_CONFLICT')
    if (replay) {
      if (replay.snapshot !== undefined)
        return JSON.parse(replay.snapshot) as UserProductCouponEntity
      const [stockId = '', code = ''] = replay.resourceId.split('/')
      const existing = await tx.getUserCoupon(stockId, code)
      if (!existing)
        throw new Error(`idempotency record points at missing coupon ${replay.resourceId}`)
      return presentUserCoupon(existing, view)
    }

    if (pc.state !== 'EFFECTIVE' || stock.state !== 'SENDING') throw wxError('STOCK_NOT_SENDING')
    const period = stockPeriod(stock)
    if (now < period.begin || now > period.end) throw wxError('STOCK_NOT_IN_SEND_PERIOD')
    const mode = stock.config.coupon_code_mode
    if ((mode === 'API_ASSIGN') !== (body.coupon_code !== undefined)) {
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
      const held = await tx.countUserCoupons(stock.id, openid)
      if (held >= rule.max_count_per_user) throw wxError('USER_LIMIT_REACHED')
    }
    let couponCode: string
    if (mode === 'API_ASSIGN') {
      couponCode = body.coupon_code ?? ''
      if (await tx.getUserCoupon(stock.id, couponCode)) throw wxError('COUPON_CODE_EXISTS')
    } else if (mode === 'UPLOAD') {
      throw wxError('UPLOAD_CODES_EXHAUSTED')
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
      mchid: caller.mchid,
      openid,
      appid: body.appid,
      sendRequestNo: body.send_request_no,
      ...(body.attach === undefined ? {} : { attach: body.attach }),
      usageMode: pc.config.usage_mode,
      ...(seqInfo ? { rounds: seqInfo.count, intervalDays: seqInfo.interval_days ?? 0 } : {}),
      window: validityWindow(pc, stock, now),
      now,
    })
    const sentStock = {
      ...stock,
      sentTotal: stock.sentTotal + 1,
      sentToday: today + 1,
      sentDay: beijingDayNumber(now),
    }
    await tx.insertUserCoupon(coupon)
    await tx.updateStock(sentStock)
    const entity = presentUserCoupon(coupon, { ...view, stock: sentStock })
    const snapshot = settings.replayResponse === 'snapshot' ? entity : undefined
    await remember(tx, key, `${stock.id}/${couponCode}`, snapshot)
    return entity
  })
}
