import type { TSchema } from 'typebox'
import { wxError } from '../domain/errors.ts'
import { RETURN_EVENT, USE_EVENT, usageEventPayload } from '../domain/notification.ts'
import { presentUserCoupon as present } from '../domain/present.ts'
import { type ProductCoupon, type Stock, stockPeriod } from '../domain/product-coupon.ts'
import { parseRfc3339 } from '../domain/time.ts'
import type { UsageWindowRules } from '../domain/usage-window.ts'
import {
  confirmCoupon,
  deactivateCoupon,
  type ModeContext,
  returnCoupon,
  type UserCoupon,
  useCoupon,
} from '../domain/user-coupon.ts'
import { notificationId } from '../notify/envelope.ts'
import type { UserProductCouponEntity } from '../schemas/entities.ts'
import {
  ConfirmCouponBody,
  DeactivateCouponBody,
  ReturnCouponBody,
  UseCouponBody,
} from '../schemas/requests.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'
import {
  requireAppId,
  requireBrand,
  requireOpenId,
  requireProductCoupon,
  requireStock,
  requireUserCoupon,
} from './guards.ts'
import { once } from './idempotency.ts'

interface CouponBody {
  product_coupon_id: string
  stock_id: string
  appid: string
  brand_id: string
  out_request_no: string
}

interface Mutation<B extends CouponBody> {
  operation: string
  /** Q6: the optional callback this operation emits when the setting asks for it. */
  event?: string
  schema: TSchema
  openid: string
  couponCode: string
  body: B
  decide(coupon: UserCoupon, ctx: ModeContext & { pc: ProductCoupon; stock: Stock }): UserCoupon
}

/**
 * The shape every user-coupon write shares (E10, E11, E15): authorisation and ownership,
 * idempotency, then the domain decides and the store persists — one transaction.
 */
async function mutateCoupon<B extends CouponBody>(
  deps: ServiceDeps,
  caller: Caller,
  m: Mutation<B>,
): Promise<UserProductCouponEntity> {
  const { body } = m
  const { settings } = deps
  const emits = m.event !== undefined && settings.notify.emitUseReturnEvents
  const entity = await deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, body.brand_id, caller.mchid)
    await requireAppId(tx, body.appid, caller.mchid)
    await requireOpenId(tx, body.appid, m.openid)
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    const stock = await requireStock(tx, body.stock_id, pc)
    const ref = { stockId: stock.id, couponCode: m.couponCode, openid: m.openid, appid: body.appid }
    const coupon = await requireUserCoupon(tx, ref, tx)
    const key = {
      brandId: body.brand_id,
      operation: m.operation,
      requestNo: body.out_request_no,
      fingerprint: fingerprint(m.schema, body, {
        mchid: caller.mchid,
        openid: m.openid,
        coupon_code: m.couponCode,
      }),
    }
    const view = { productCoupon: pc, stock, now, settings }
    return once(tx, key, {
      conflict: 'REQUEST_NO_CONFLICT',
      snapshot: settings.replayResponse === 'snapshot',
      replay: async () => present(coupon, view),
      apply: async () => {
        const changed = m.decide(coupon, {
          now,
          usageMode: pc.config.usage_mode,
          settings,
          pc,
          stock,
        })
        await tx.updateUserCoupon(changed)
        if (emits && m.event) {
          await tx.insertNotification({
            id: notificationId(deps.random),
            mchid: pc.mchid,
            eventType: m.event,
            createTime: now,
            payload: JSON.stringify(usageEventPayload(changed, body.out_request_no, now)),
            nextAttemptAt: deps.clock.now(),
          })
        }
        return { result: present(changed, view), resourceId: `${stock.id}/${changed.couponCode}` }
      },
    })
  })
  if (emits) deps.outbox?.wake()
  return entity
}

export interface CouponPath {
  openid: string
  couponCode: string
}

/** E10 confirm. */
export function confirm(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: ConfirmCouponBody,
) {
  return mutateCoupon(deps, caller, {
    operation: 'confirm',
    schema: ConfirmCouponBody,
    ...path,
    body,
    decide: (c, ctx) => confirmCoupon(c, body.out_request_no, ctx.now),
  })
}

/** E11 use. */
export function use(deps: ServiceDeps, caller: Caller, path: CouponPath, body: UseCouponBody) {
  const order = body.associated_order_info
  if (order.transaction_id === undefined && order.out_trade_no === undefined) {
    throw wxError('PARAM_ERROR', {
      field: '/associated_order_info',
      issue: 'transaction_id or out_trade_no is required',
      location: 'body',
    })
  }
  if (order.out_trade_no !== undefined && order.mchid === undefined) {
    throw wxError('PARAM_ERROR', {
      field: '/associated_order_info/mchid',
      issue: 'required together with out_trade_no',
      location: 'body',
    })
  }
  const useTime = parseRfc3339(body.use_time)
  if (useTime === undefined) {
    throw wxError('PARAM_ERROR', {
      field: '/use_time',
      value: body.use_time,
      issue: 'must be an RFC 3339 time',
      location: 'body',
    })
  }
  return mutateCoupon(deps, caller, {
    operation: 'use',
    event: USE_EVENT,
    schema: UseCouponBody,
    ...path,
    body,
    decide: (c, ctx) =>
      useCoupon(
        c,
        {
          requestNo: body.out_request_no,
          useTime,
          order,
          window: usageWindowOf(ctx.stock),
          ...(body.sequential_coupon_index === undefined
            ? {}
            : { index: body.sequential_coupon_index }),
        },
        ctx,
      ),
  })
}

/** The stock's weekly / irregular periods, if it sets any. */
function usageWindowOf(stock: Stock): UsageWindowRules {
  const p = stockPeriod(stock)
  return {
    ...(p.weekly_available_period ? { weekly_available_period: p.weekly_available_period } : {}),
    ...(p.irregular_available_period_list
      ? { irregular_available_period_list: p.irregular_available_period_list }
      : {}),
  }
}

/** E14 deactivate. */
export function deactivate(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: DeactivateCouponBody,
) {
  return mutateCoupon(deps, caller, {
    operation: 'deactivate',
    schema: DeactivateCouponBody,
    ...path,
    body,
    decide: (c, ctx) =>
      deactivateCoupon(
        c,
        { requestNo: body.out_request_no, reason: body.deactivate_reason },
        ctx.now,
      ),
  })
}

/** E15 return (退券). */
export function returnUserCoupon(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: ReturnCouponBody,
) {
  return mutateCoupon(deps, caller, {
    operation: 'return',
    event: RETURN_EVENT,
    schema: ReturnCouponBody,
    ...path,
    body,
    decide: (c, ctx) =>
      returnCoupon(
        c,
        {
          requestNo: body.out_request_no,
          ...(body.sequential_coupon_index === undefined
            ? {}
            : { index: body.sequential_coupon_index }),
        },
        ctx,
      ),
  })
}
