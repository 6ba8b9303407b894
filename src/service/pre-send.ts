import {
  PreSendCouponBody,
  PreSendCouponBundleBody,
  type PreSendTokenResponse,
} from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { presentUserCoupon } from '../domain/present.ts'
import type { ProductCoupon } from '../domain/product-coupon.ts'
import { checkSend, checkUserLimit, perUserLimit } from '../domain/send.ts'
import type { StoreTx } from '../store/store.ts'
import { bundleStocks } from './bundles.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireProductCoupon, requireStock, requireUserScope } from './guards.ts'
import { type IdempotentWrite, idempotentWrite, type WriteRequest } from './idempotency.ts'
import { issue } from './send-coupon.ts'
import { issueBundle, presentUserBundle } from './user-coupon-bundles.ts'

/**
 * Pre-send (2025-11): a token the partner's mini program opens WeChat's claim component with
 * (`wx.openBusinessView`). Budgets are checked at pre-send and again at the claim, with no
 * reservation; the token lives 5 minutes on the sandbox clock; the claim is a sandbox control,
 * since only the user's tap in WeChat makes it.
 */

export const PRE_SEND_TTL_SECONDS = 300

type Body = PreSendCouponBody | PreSendCouponBundleBody

interface PreSendRequest<B extends Body> extends WriteRequest<'send_request_no'> {
  readonly openid: string
  readonly body: B
}

function preSendWrite<B extends Body>(
  operation: 'pre_send_coupon' | 'pre_send_coupon_bundle',
  schema: typeof PreSendCouponBody | typeof PreSendCouponBundleBody,
  check: (tx: StoreTx, pc: ProductCoupon, q: PreSendRequest<B>, now: number) => Promise<void>,
): IdempotentWrite<'send_request_no', PreSendRequest<B>, ProductCoupon, PreSendTokenResponse> {
  return {
    op: { operation, schema, requestNo: 'send_request_no', replay: 'rebuild' },
    scope: (q) => ({ mchid: q.caller.mchid, openid: q.openid }),
    async load(tx, _now, { caller, openid, body }) {
      await requireUserScope(tx, {
        brandId: body.brand_id,
        mchid: caller.mchid,
        appid: body.appid,
        openid,
      })
      return requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    },
    // The same request while the number is known: the same token (expired or not).
    replay: (_tx, _now, _q, _pc, record) => ({ token: record.resourceId }),
    async apply(tx, now, q, pc) {
      await check(tx, pc, q, now)
      const token = q.deps.random(24).toString('hex')
      await tx.insertPreSendToken({
        token,
        mchid: q.caller.mchid,
        brandId: q.body.brand_id,
        expiresAt: now + PRE_SEND_TTL_SECONDS,
        request: { operation, openid: q.openid, body: { ...q.body } },
      })
      return { result: { token }, resourceId: token }
    },
  }
}

const PRE_SEND = preSendWrite<PreSendCouponBody>(
  'pre_send_coupon',
  PreSendCouponBody,
  async (tx, pc, { openid, body }, now) => {
    const stock = await requireStock(tx, body.stock_id, pc)
    if (stock.bundle) throw wxError('USE_BUNDLE_API')
    checkSend(pc, stock, now, body.coupon_code)
    const limit = perUserLimit(stock)
    if (limit !== undefined) checkUserLimit(limit, await tx.countUserCoupons(stock.id, openid))
  },
)

const PRE_SEND_BUNDLE = preSendWrite<PreSendCouponBundleBody>(
  'pre_send_coupon_bundle',
  PreSendCouponBundleBody,
  async (tx, pc, { openid, body }, now) => {
    for (const stock of await bundleStocks(tx, pc, body.stock_bundle_id)) {
      checkSend(pc, stock, now, undefined)
      const limit = perUserLimit(stock)
      if (limit !== undefined) checkUserLimit(limit, await tx.countUserCoupons(stock.id, openid))
    }
  },
)

/** E9′. */
export function preSendCoupon(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: PreSendCouponBody,
) {
  return idempotentWrite(PRE_SEND, { deps, caller, openid, body })
}

/** B7. */
export function preSendCouponBundle(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: PreSendCouponBundleBody,
) {
  return idempotentWrite(PRE_SEND_BUNDLE, { deps, caller, openid, body })
}

/**
 * The user taps 立即领取 (sandbox control): the coupon (or bundle) is issued with send_channel
 * RECEIVE_COMPONENT and the pre-send's number and attach, with its SEND callback. An unknown
 * token → 404; expired or already claimed → 400, and nothing is issued.
 */
export async function claimPreSendToken(deps: ServiceDeps, token: string): Promise<unknown> {
  const answer = await deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const rec = await tx.getPreSendToken(token)
    if (!rec)
      throw wxError('SANDBOX_NOT_FOUND', { field: 'token', issue: 'no such pre-send token' })
    if (rec.claimed !== undefined) throw wxError('SANDBOX_TOKEN_CLAIMED')
    if (now > rec.expiresAt) throw wxError('SANDBOX_TOKEN_EXPIRED')
    const body = rec.request.body as unknown as PreSendCouponBody & PreSendCouponBundleBody
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, rec.mchid)
    const i = {
      openid: rec.request.openid,
      appid: body.appid,
      sendRequestNo: body.send_request_no,
      sendChannel: 'RECEIVE_COMPONENT' as const,
      ...(body.attach === undefined ? {} : { attach: body.attach }),
    }
    if (rec.request.operation === 'pre_send_coupon_bundle') {
      const r = await issueBundle(deps, tx, pc, body.stock_bundle_id, i, now)
      if (!(await tx.claimPreSendToken(token, r.record.id))) throw wxError('SANDBOX_TOKEN_CLAIMED')
      return presentUserBundle(deps, pc, r.record.id, r.coupons, r.stocks, now)
    }
    const stock = await requireStock(tx, body.stock_id, pc, tx)
    const r = await issue(
      deps,
      tx,
      pc,
      stock,
      { ...i, ...(body.coupon_code ? { couponCode: body.coupon_code } : {}) },
      now,
    )
    if (!(await tx.claimPreSendToken(token, `${stock.id}/${r.coupon.couponCode}`))) {
      throw wxError('SANDBOX_TOKEN_CLAIMED')
    }
    return presentUserCoupon(r.coupon, {
      productCoupon: pc,
      stock: r.stock,
      now,
      settings: deps.settings,
    })
  })
  deps.outbox?.wake()
  return answer
}

/** A store of a brand, open or closed (sandbox control for WeChat's brand-store API). */
export async function createStore(
  deps: ServiceDeps,
  body: { brand_id: string; open?: boolean },
): Promise<{ store_id: string }> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.brandExists(body.brand_id))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: '/brand_id',
        value: body.brand_id,
        issue: 'no such brand',
      })
    }
    const storeId = String(100_000_000 + (await tx.nextSequence('store')))
    await tx.insertBrandStore({ storeId, brandId: body.brand_id, open: body.open ?? true })
    return { store_id: storeId }
  })
}
