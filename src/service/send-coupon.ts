import type { SendChannel2025_11, UserProductCouponEntity } from '@wxcoupon/sdk/schemas'
import { SendCouponBody, SendCouponBody2025_11 } from '@wxcoupon/sdk/schemas'
import { lockedBegin } from '../domain/bundle.ts'
import { wxError } from '../domain/errors.ts'
import { SEND_EVENT, sendPayload } from '../domain/notification.ts'
import { type PresentContext, presentUserCoupon } from '../domain/present.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import {
  type CodeSource,
  checkSend,
  checkUserLimit,
  countSent,
  drawCodeIndex,
  perUserLimit,
  stockTerms,
} from '../domain/send.ts'
import { issueCoupon, type UserCoupon } from '../domain/user-coupon.ts'
import type { StoreTx } from '../store/store.ts'
import { queueCallback } from './callbacks.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireProductCoupon, requireStock, requireUserScope } from './guards.ts'
import { type IdempotentWrite, idempotentWrite, type WriteRequest } from './idempotency.ts'
import { newCouponCode } from './ids.ts'

export interface Issuance {
  openid: string
  appid: string
  sendRequestNo: string
  sendChannel: SendChannel2025_11
  /** 2025-11: the coupon's place in a user coupon bundle, and its tags. */
  bundle?: UserCoupon['bundle']
  tags?: UserCoupon['tags']
  couponCode?: string
  attach?: string
  channelCustomInfo?: string
}

/**
 * Issues one coupon, for the send API and the sandbox's other channels: the domain's send
 * rules (domain/send.ts), then the code, the coupon, the counters and the SEND callback. The
 * stock row is locked by the caller, so concurrent sends cannot overshoot a budget.
 */
export async function issue(
  deps: ServiceDeps,
  tx: StoreTx,
  pc: ProductCoupon,
  stock: Stock,
  i: Issuance,
  now: number,
): Promise<{ coupon: UserCoupon; stock: Stock }> {
  const source = checkSend(pc, stock, now, i.couponCode)
  const limit = perUserLimit(stock)
  if (limit !== undefined) checkUserLimit(limit, await tx.countUserCoupons(stock.id, i.openid))
  const coupon = issueCoupon({
    ...stockTerms(pc, stock, now),
    couponCode: await couponCode(deps, tx, stock.id, source),
    openid: i.openid,
    appid: i.appid,
    sendRequestNo: i.sendRequestNo,
    sendChannel: i.sendChannel,
    ...(i.attach === undefined ? {} : { attach: i.attach }),
    ...(i.channelCustomInfo === undefined ? {} : { channelCustomInfo: i.channelCustomInfo }),
    issueSeq: await tx.nextSequence('user_coupon'),
  })
  if (i.bundle) {
    coupon.bundle = i.bundle
    // Every coupon after the first is locked until the one before is used.
    if (i.bundle.index > 0) coupon.validBegin = lockedBegin(coupon)
  }
  if (i.tags) coupon.tags = i.tags
  const sent = countSent(stock, now, 1, source.from === 'pool')
  await tx.insertUserCoupon(coupon)
  await tx.updateStock(sent)
  // The SEND callback is written with the coupon: neither exists without the other.
  await queueCallback(deps, tx, pc.mchid, SEND_EVENT, sendPayload(coupon), now)
  return { coupon, stock: sent }
}

/** A code unique in its stock: the requested one, one drawn from the pool, or a fresh one. */
async function couponCode(
  deps: ServiceDeps,
  tx: StoreTx,
  stockId: string,
  source: CodeSource,
): Promise<string> {
  if (source.from === 'request') {
    if (await tx.getUserCoupon(stockId, source.code)) throw wxError('COUPON_CODE_EXISTS')
    return source.code
  }
  if (source.from === 'pool') {
    const drawn = await tx.takeCouponCode(stockId, (n) => drawCodeIndex(deps.random, n))
    if (drawn === undefined) throw wxError('UPLOAD_CODES_EXHAUSTED')
    return drawn
  }
  let code: string
  do code = newCouponCode(deps.random)
  while (await tx.getUserCoupon(stockId, code))
  return code
}

interface SendRequest extends WriteRequest<'send_request_no'> {
  readonly openid: string
  readonly body: SendCouponBody
}

const SEND: IdempotentWrite<
  'send_request_no',
  SendRequest,
  PresentContext,
  UserProductCouponEntity
> = {
  op: {
    operation: 'send',
    schema: SendCouponBody,
    requestNo: 'send_request_no',
    replay: 'rebuild',
  },
  scope: (q) => ({ mchid: q.caller.mchid, openid: q.openid }),
  async load(tx, now, { deps, caller, openid, body }) {
    await requireUserScope(tx, {
      brandId: body.brand_id,
      mchid: caller.mchid,
      appid: body.appid,
      openid,
    })
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    const stock = await requireStock(tx, body.stock_id, pc, tx)
    return { productCoupon: pc, stock, now, settings: deps.settings }
  },
  async replay(tx, _now, _q, view, record) {
    const [stockId = '', code = ''] = record.resourceId.split('/')
    const existing = await tx.getUserCoupon(stockId, code)
    if (!existing) throw new Error(`request number points at missing ${record.resourceId}`)
    return presentUserCoupon(existing, view)
  },
  async apply(tx, now, { deps, openid, body }, view) {
    if (view.stock.bundle) throw wxError('SEND_USE_BUNDLE_API')
    const tags = (body as SendCouponBody2025_11).coupon_tag_info
    const r = await issue(
      deps,
      tx,
      view.productCoupon,
      view.stock,
      {
        openid,
        appid: body.appid,
        sendRequestNo: body.send_request_no,
        sendChannel: 'API',
        ...(body.coupon_code === undefined ? {} : { couponCode: body.coupon_code }),
        ...(body.attach === undefined ? {} : { attach: body.attach }),
        ...(tags === undefined ? {} : { tags }),
      },
      now,
    )
    return {
      result: presentUserCoupon(r.coupon, { ...view, stock: r.stock }),
      resourceId: `${r.stock.id}/${r.coupon.couponCode}`,
    }
  },
  wakes: () => true,
}

/** 2025-11: coupon_tag_info counts toward the fingerprint too. */
const SEND_2025_11: typeof SEND = { ...SEND, op: { ...SEND.op, schema: SendCouponBody2025_11 } }

/** E8: issue a coupon of a stock to a user (→ CONFIRMING). */
export function sendCoupon(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: SendCouponBody,
): Promise<UserProductCouponEntity> {
  return idempotentWrite(caller.revision === '2025-11' ? SEND_2025_11 : SEND, {
    deps,
    caller,
    openid,
    body,
  })
}
