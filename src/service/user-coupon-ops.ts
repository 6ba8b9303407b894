import {
  type AssociatedPayScoreOrderInfo,
  ConfirmCouponBody,
  DeactivateCouponBody,
  ReturnCouponBody,
  UseCouponBody,
  UseCouponBody2025_11,
  type UserProductCouponEntity,
} from '@wxcoupon/sdk/schemas'
import { returnInBundle, useInBundle } from '../domain/bundle.ts'
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
  type UseInput,
  type UserCoupon,
  useCoupon,
} from '../domain/user-coupon.ts'
import type { StoreTx } from '../store/store.ts'
import { queueCallback } from './callbacks.ts'
import { type Caller, revisionOf, type ServiceDeps } from './context.ts'
import {
  requireProductCoupon,
  requireStock,
  requireUserCoupon,
  requireUserScope,
} from './guards.ts'
import {
  type IdempotentOp,
  type IdempotentWrite,
  idempotentWrite,
  type WriteRequest,
} from './idempotency.ts'
import { bundleCoupons, bundleLock, saveChanged } from './user-coupon-bundles.ts'

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

/** The same for a coupon of a user coupon bundle: the bundle's coupons in, changed ones out. */
type DecideInBundle<Q> = (
  coupons: readonly UserCoupon[],
  index: number,
  ctx: ModeContext & { pc: ProductCoupon; stock: Stock },
  q: Q,
) => UserCoupon[]

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
  decideInBundle?: DecideInBundle<Q>,
): IdempotentWrite<'out_request_no', Q, CouponContext, UserProductCouponEntity> {
  const emits = (q: Q) => event !== undefined && q.deps.settings.notify.emitUseReturnEvents
  return {
    op,
    scope: (q) => ({ mchid: q.caller.mchid, openid: q.openid, coupon_code: q.couponCode }),
    async load(tx, now, { deps, caller, openid, couponCode, body }) {
      await requireUserScope(tx, {
        brandId: body.brand_id,
        mchid: caller.mchid,
        appid: body.appid,
        openid,
      })
      const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
      const stock = await requireStock(tx, body.stock_id, pc)
      const ref = { stockId: stock.id, couponCode, openid, appid: body.appid }
      // A bundle's coupons change together: its lock is taken before any of them (2025-11).
      if (caller.revision === '2025-11') {
        const peek = await tx.getUserCoupon(stock.id, couponCode)
        if (peek?.bundle) await tx.lockNamed(bundleLock(peek.bundle.id))
      }
      const coupon = await requireUserCoupon(tx, ref, tx)
      return { productCoupon: pc, stock, now, settings: deps.settings, coupon }
    },
    replay: (_tx, _now, _q, c) => present(c.coupon, c),
    async apply(tx, now, q, c) {
      const { productCoupon: pc, stock, settings } = c
      const ctx = { now, usageMode: pc.config.usage_mode, settings, pc, stock }
      const storeId = (q as unknown as Partial<UseRequest>).revised?.storeId
      if (storeId !== undefined) await checkStore(tx, stock, storeId)
      let changed: UserCoupon
      const b = c.coupon.bundle
      if (b && decideInBundle) {
        const rec = await tx.getUserCouponBundle(b.id)
        if (!rec) throw new Error(`coupon ${c.coupon.couponCode} without its bundle ${b.id}`)
        const coupons = (await bundleCoupons(tx, rec, tx)).map((x) =>
          x.couponCode === c.coupon.couponCode && x.stockId === c.coupon.stockId ? c.coupon : x,
        )
        const saved = await saveChanged(tx, coupons, decideInBundle(coupons, b.index, ctx, q))
        changed = saved[b.index] as UserCoupon
      } else {
        changed = decide(c.coupon, ctx, q)
        await tx.updateUserCoupon(changed)
      }
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
  /** 2025-11: the order named, and the store, checked at apply. */
  readonly revised?: { payScore?: AssociatedPayScoreOrderInfo; storeId?: string }
}

function useInputOf(ctx: { stock: Stock }, { body, useTime, revised }: UseRequest): UseInput {
  const input: UseInput = {
    requestNo: body.out_request_no,
    useTime,
    window: usageWindowOf(ctx.stock),
  }
  if (body.associated_order_info) input.order = body.associated_order_info
  if (revised?.payScore) input.payScoreOrder = revised.payScore
  if (!revised && body.sequential_coupon_index !== undefined)
    input.index = body.sequential_coupon_index
  return input
}

/** One use write per revision: the fingerprint counts the fields of the caller's revision. */
function useWrite(schema: typeof UseCouponBody | typeof UseCouponBody2025_11) {
  return couponWrite<UseCouponBody, UseRequest>(
    { operation: 'use', schema, requestNo: 'out_request_no', replay: 'rebuild' },
    USE_EVENT,
    (c, ctx, q) => useCoupon(c, useInputOf(ctx, q), ctx),
    (coupons, k, ctx, q) =>
      useInBundle(
        coupons,
        k,
        useInputOf(ctx, q),
        ctx,
        ctx.pc.config.progressive_bundle_usage_info?.interval_days ?? 0,
      ),
  )
}
const USE = useWrite(UseCouponBody)
const USE_2025_11 = useWrite(UseCouponBody2025_11)

/** E11 use. */
export function use(
  deps: ServiceDeps,
  caller: Caller,
  path: CouponPath,
  anyBody: UseCouponBody | UseCouponBody2025_11,
) {
  const revised =
    revisionOf(caller) === '2025-11' ? checkUse2025_11(anyBody as UseCouponBody2025_11) : undefined
  const body = anyBody as UseCouponBody
  const order = body.associated_order_info
  if (order && order.transaction_id === undefined && order.out_trade_no === undefined) {
    throw wxError('PARAM_ERROR', {
      field: '/associated_order_info',
      issue: 'transaction_id or out_trade_no is required',
      location: 'body',
    })
  }
  if (order && order.out_trade_no !== undefined && order.mchid === undefined) {
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
  return idempotentWrite(revised ? USE_2025_11 : USE, {
    deps,
    caller,
    ...path,
    body,
    useTime,
    ...(revised ? { revised } : {}),
  })
}

/** 2025-11: exactly one of the two order objects (PARAM_ERROR otherwise), and its own rules. */
function checkUse2025_11(body: UseCouponBody2025_11) {
  const order = body.associated_order_info
  const payScore = body.associated_pay_score_order_info
  if ((order === undefined) === (payScore === undefined)) {
    throw wxError('PARAM_ERROR', {
      field: order ? '/associated_pay_score_order_info' : '/associated_order_info',
      issue: 'send exactly one of associated_order_info and associated_pay_score_order_info',
      location: 'body',
    })
  }
  if (payScore) {
    if (payScore.order_id === undefined && payScore.out_order_no === undefined) {
      throw wxError('PARAM_ERROR', {
        field: '/associated_pay_score_order_info',
        issue: 'order_id or out_order_no is required',
        location: 'body',
      })
    }
    if (payScore.out_order_no !== undefined && payScore.mchid === undefined) {
      throw wxError('PARAM_ERROR', {
        field: '/associated_pay_score_order_info/mchid',
        issue: 'required together with out_order_no',
        location: 'body',
      })
    }
  }
  return {
    ...(payScore ? { payScore } : {}),
    ...(body.store_id === undefined ? {} : { storeId: body.store_id }),
  }
}

/** E11 with a store_id (2025-11): a store of the stock's brand, open, and in its scope. */
export async function checkStore(tx: StoreTx, stock: Stock, storeId: string): Promise<void> {
  const store = await tx.getBrandStore(storeId)
  const scoped = stock.config.store_scope !== 'SPECIFIC' || (stock.storeIds ?? []).includes(storeId)
  if (!store || store.brandId !== stock.brandId || !store.open || !scoped) {
    throw wxError('STORE_INVALID', { field: '/store_id', value: storeId, location: 'body' })
  }
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
  (c, ctx, { body }) => {
    if (c.bundle) throw wxError('DEACTIVATE_USE_BUNDLE_API')
    return deactivateCoupon(
      c,
      { requestNo: body.out_request_no, reason: body.deactivate_reason },
      ctx.now,
    )
  },
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
  (c, ctx, { body, caller }) =>
    returnCoupon(
      c,
      {
        requestNo: body.out_request_no,
        // 2025-11 has no index: a member of that name is an unknown one, ignored.
        ...(body.sequential_coupon_index === undefined || caller.revision === '2025-11'
          ? {}
          : { index: body.sequential_coupon_index }),
      },
      ctx,
    ),
  (coupons, k, ctx, { body }) =>
    returnInBundle(coupons, k, { requestNo: body.out_request_no }, ctx),
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
