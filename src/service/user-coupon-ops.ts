import type { UserProductCouponEntity } from '@wxcoupon/sdk/schemas'
import {
  ConfirmCouponBody,
  DeactivateCouponBody,
  ReturnCouponBody,
  UseCouponBody,
} from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { RETURN_EVENT, USE_EVENT, usageEventPayload } from '../domain/notification.ts'
import { type PresentContext, presentUserCoupon as present } from '../domain/present.ts'
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
import { queueCallback } from './callbacks.ts'
import type { Caller, ServiceDeps } from './context.ts'
import {
  requireAppId,
  requireBrand,
  requireOpenId,
  requireProductCoupon,
  requireStock,
  requireUserCoupon,
} from './guards.ts'
import {
  type IdempotentOp,
  type IdempotentWrite,
  idempotentWrite,
  type WriteRequest,
} from './idempotency.ts'

interface CouponBody {
  product_coupon_id: string
  stock_id: string
  appid: string
  brand_id: string
  out_request_no: string
}

interface CouponRequest<B extends CouponBody> extends WriteRequest<'out_request_no'> {
  readonly openid: string
  readonly couponCode: string
  readonly body: B
}

/** What a user-coupon write works on: the coupon, locked, and how to present it. */
interface CouponContext extends PresentContext {
  readonly coupon: UserCoupon
}

type Decide<Q> = (
  coupon: UserCoupon,
  ctx: ModeContext & { pc: ProductCoupon; stock: Stock },
  q: Q,
) => UserCoupon

/**
 * The shape every user-coupon write shares (E10, E11, E14, E15): authorisation and ownership
 * in E15's order, idempotency, then the domain decides and the store persists — one
 * transaction. `event` (Q6) is the optional callback the operation emits when the setting
 * asks for it.
 */
function couponWrite<B extends CouponBody, Q extends CouponRequest<B>>(
  op: IdempotentOp<'out_request_no'>,
  event: string | undefined,
  decide: Decide<Q>,
): IdempotentWrite<'out_request_no', Q, CouponContext, UserProductCouponEntity> {
  const emits = (q: Q) => event !== undefined && q.deps.settings.notify.emitUseReturnEvents
  return {
    op,
    scope: (q) => ({ mchid: q.caller.mchid, openid: q.openid, coupon_code: q.couponCode }),
    async load(tx, now, { deps, caller, openid, couponCode, body }) {
      await requireBrand(tx, body.brand_id, caller.mchid)
      await requireAppId(tx, body.appid, caller.mchid)
      await requireOpenId(tx, body.appid, openid)
      const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
      const stock = await requireStock(tx, body.stock_id, pc)
      const ref = { stockId: stock.id, couponCode, openid, appid: body.appid }
      const coupon = await requireUserCoupon(tx, ref, tx)
      return { productCoupon: pc, stock, now, settings: deps.settings, coupon }
    },
    replay: (_tx, _now, _q, c) => present(c.coupon, c),
    async apply(tx, now, q, c) {
      const { productCoupon: pc, stock, settings } = c
      const ctx = { now, usageMode: pc.config.usage_mode, settings, pc, stock }
      const changed = decide(c.coupon, ctx, q)
      await tx.updateUserCoupon(changed)
      if (event !== undefined && emits(q)) {
        const payload = usageEventPayload(changed, q.body.out_request_no, now)
        await queueCallback(q.deps, tx, pc.mchid, event, payload, now)
      }
      return { result: present(changed, c), resourceId: `${stock.id}/${changed.couponCode}` }
    },
    wakes: emits,
  }
}

export interface CouponPath {
  openid: string
  couponCode: string
}

const CONFIRM = couponWrite<ConfirmCouponBody, CouponRequest<ConfirmCouponBody>>(
  {
    operation: 'confirm',
    schema: ConfirmCouponBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  undefined,
  (c, ctx, q) => confirmCoupon(c, q.body.out_request_no, ctx.now),
)

/** E10 confirm. */
export function confirm(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: ConfirmCouponBody,
) {
  return idempotentWrite(CONFIRM, { deps, caller, ...path, body })
}

interface UseRequest extends CouponRequest<UseCouponBody> {
  readonly useTime: number
}

const USE = couponWrite<UseCouponBody, UseRequest>(
  { operation: 'use', schema: UseCouponBody, requestNo: 'out_request_no', replay: 'rebuild' },
  USE_EVENT,
  (c, ctx, { body, useTime }) =>
    useCoupon(
      c,
      {
        requestNo: body.out_request_no,
        useTime,
        order: body.associated_order_info,
        window: usageWindowOf(ctx.stock),
        ...(body.sequential_coupon_index === undefined
          ? {}
          : { index: body.sequential_coupon_index }),
      },
      ctx,
    ),
)

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
  return idempotentWrite(USE, { deps, caller, ...path, body, useTime })
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

const DEACTIVATE = couponWrite<DeactivateCouponBody, CouponRequest<DeactivateCouponBody>>(
  {
    operation: 'deactivate',
    schema: DeactivateCouponBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  undefined,
  (c, ctx, { body }) =>
    deactivateCoupon(
      c,
      { requestNo: body.out_request_no, reason: body.deactivate_reason },
      ctx.now,
    ),
)

/** E14 deactivate. */
export function deactivate(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: DeactivateCouponBody,
) {
  return idempotentWrite(DEACTIVATE, { deps, caller, ...path, body })
}

const RETURN = couponWrite<ReturnCouponBody, CouponRequest<ReturnCouponBody>>(
  { operation: 'return', schema: ReturnCouponBody, requestNo: 'out_request_no', replay: 'rebuild' },
  RETURN_EVENT,
  (c, ctx, { body }) =>
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
)

/** E15 return (退券). */
export function returnUserCoupon(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  body: ReturnCouponBody,
) {
  return idempotentWrite(RETURN, { deps, caller, ...path, body })
}
