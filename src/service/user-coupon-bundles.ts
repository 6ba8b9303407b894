import {
  DeactivateCouponBundleBody,
  SendCouponBundleBody,
  type UserCouponBundleEntity,
  type UserProductCouponEntity2025_11,
} from '@wxcoupon/sdk/schemas'
import { deactivateBundle } from '../domain/bundle.ts'
import { wxError } from '../domain/errors.ts'
import { presentUserCoupon } from '../domain/present.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'
import type { StoreReader, StoreTx, UserCouponBundleRecord } from '../store/store.ts'
import { bundleStocks } from './bundles.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireProductCoupon, requireUserScope } from './guards.ts'
import {
  type IdempotentWrite,
  idempotentWrite,
  type WriteBody,
  type WriteRequest,
} from './idempotency.ts'
import { randomDigits } from './ids.ts'
import { issue } from './send-coupon.ts'

/**
 * User coupon bundles (2025-11 B6, B8, and the bundle pre-send claim): the coupons one bundle
 * send issued, in tier order, each an ordinary coupon issued by the same `issue`. Their rules
 * are in domain/bundle.ts; a bundle's lock is taken before any of its coupons.
 */

export interface BundleIssuance {
  openid: string
  appid: string
  sendRequestNo: string
  sendChannel: 'API' | 'RECEIVE_COMPONENT'
  attach?: string
  tags?: UserCoupon['tags']
}

/**
 * B6 and a bundle pre-send claim: one coupon per tier stock, all or none (a tier out of budget
 * fails the whole send and the transaction keeps nothing), each with its SEND callback.
 */
export async function issueBundle(
  deps: ServiceDeps,
  tx: StoreTx,
  pc: ProductCoupon,
  stockBundleId: string,
  i: BundleIssuance,
  now: number,
): Promise<{ record: UserCouponBundleRecord; coupons: UserCoupon[]; stocks: Stock[] }> {
  const stocks = await bundleStocks(tx, pc, stockBundleId, tx)
  const id = randomDigits(deps.random, 16)
  const coupons: UserCoupon[] = []
  const after: Stock[] = []
  let placeholder = 0
  for (const [index, stock] of stocks.entries()) {
    const r = await issue(
      deps,
      tx,
      pc,
      stock,
      {
        openid: i.openid,
        appid: i.appid,
        sendRequestNo: i.sendRequestNo,
        sendChannel: i.sendChannel,
        ...(i.attach === undefined ? {} : { attach: i.attach }),
        ...(i.tags === undefined ? {} : { tags: i.tags }),
        bundle: {
          id,
          stockBundleId,
          index,
          total: stocks.length,
          usedCount: 0,
          placeholderBegin: placeholder,
        },
      },
      now,
    )
    // Later coupons show the first one's begin while they are locked.
    if (index === 0) placeholder = r.coupon.validBegin
    coupons.push(r.coupon)
    after.push(r.stock)
  }
  const record: UserCouponBundleRecord = {
    id,
    mchid: pc.mchid,
    brandId: pc.brandId,
    openid: i.openid,
    appid: i.appid,
    productCouponId: pc.id,
    stockBundleId,
    coupons: coupons.map((c) => ({ stockId: c.stockId, couponCode: c.couponCode })),
    createdAt: now,
  }
  await tx.insertUserCouponBundle(record)
  return { record, coupons, stocks: after }
}

export function presentUserBundle(
  deps: ServiceDeps,
  pc: ProductCoupon,
  id: string,
  coupons: readonly UserCoupon[],
  stocks: readonly Stock[],
  now: number,
): UserCouponBundleEntity {
  return {
    user_coupon_bundle_id: id,
    user_product_coupon_list: coupons.map((c) => {
      const stock = stocks.find((s) => s.id === c.stockId) as Stock
      return presentUserCoupon(c, {
        productCoupon: pc,
        stock,
        now,
        settings: deps.settings,
      }) as unknown as UserProductCouponEntity2025_11
    }),
  }
}

/** The coupons of a user coupon bundle as stored, locked when `tx` is given (bundle lock first). */
export async function bundleCoupons(db: StoreReader, rec: UserCouponBundleRecord, tx?: StoreTx) {
  const out: UserCoupon[] = []
  for (const r of rec.coupons) {
    const c = tx
      ? await tx.lockUserCoupon(r.stockId, r.couponCode)
      : await db.getUserCoupon(r.stockId, r.couponCode)
    if (!c) throw new Error(`bundle ${rec.id} without its coupon ${r.couponCode}`)
    out.push(c)
  }
  return out
}

export const bundleLock = (id: string) => `user_coupon_bundle:${id}`

interface UserBundleRequest<F extends 'send_request_no' | 'out_request_no', B extends WriteBody<F>>
  extends WriteRequest<F> {
  readonly openid: string
  readonly bundleId?: string
  readonly body: B
}

const SEND_BUNDLE: IdempotentWrite<
  'send_request_no',
  UserBundleRequest<'send_request_no', SendCouponBundleBody>,
  ProductCoupon,
  UserCouponBundleEntity
> = {
  op: {
    operation: 'send_coupon_bundle',
    schema: SendCouponBundleBody,
    requestNo: 'send_request_no',
    replay: 'rebuild',
  },
  scope: (q) => ({
    mchid: q.caller.mchid,
    openid: q.openid,
    stock_bundle_id: q.body.stock_bundle_id,
  }),
  async load(tx, _now, { caller, openid, body }) {
    await requireUserScope(tx, {
      brandId: body.brand_id,
      mchid: caller.mchid,
      appid: body.appid,
      openid,
    })
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    if (pc.config.usage_mode !== 'PROGRESSIVE_BUNDLE') throw wxError('NOT_FOUND_STOCK_BUNDLE')
    return pc
  },
  async replay(tx, now, { deps }, pc, record) {
    const rec = await tx.getUserCouponBundle(record.resourceId)
    if (!rec) throw new Error(`request number points at missing bundle ${record.resourceId}`)
    const stocks = await bundleStocks(tx, pc, rec.stockBundleId)
    return presentUserBundle(deps, pc, rec.id, await bundleCoupons(tx, rec), stocks, now)
  },
  async apply(tx, now, { deps, openid, body }, pc) {
    const r = await issueBundle(
      deps,
      tx,
      pc,
      body.stock_bundle_id,
      {
        openid,
        appid: body.appid,
        sendRequestNo: body.send_request_no,
        sendChannel: 'API',
        ...(body.attach === undefined ? {} : { attach: body.attach }),
        ...(body.coupon_tag_info === undefined ? {} : { tags: body.coupon_tag_info }),
      },
      now,
    )
    return {
      result: presentUserBundle(deps, pc, r.record.id, r.coupons, r.stocks, now),
      resourceId: r.record.id,
    }
  },
  wakes: () => true,
}

/** B6. */
export function sendCouponBundle(
  deps: ServiceDeps,
  caller: Caller,
  openid: string,
  body: SendCouponBundleBody,
) {
  return idempotentWrite(SEND_BUNDLE, { deps, caller, openid, body })
}

const DEACTIVATE_BUNDLE: IdempotentWrite<
  'out_request_no',
  UserBundleRequest<'out_request_no', DeactivateCouponBundleBody>,
  { pc: ProductCoupon; rec: UserCouponBundleRecord; coupons: UserCoupon[] },
  UserCouponBundleEntity
> = {
  op: {
    operation: 'deactivate_coupon_bundle',
    schema: DeactivateCouponBundleBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  scope: (q) => ({
    mchid: q.caller.mchid,
    openid: q.openid,
    user_coupon_bundle_id: q.bundleId ?? '',
  }),
  async load(tx, _now, { caller, openid, bundleId, body }) {
    await requireUserScope(tx, {
      brandId: body.brand_id,
      mchid: caller.mchid,
      appid: body.appid,
      openid,
    })
    const pc = await requireProductCoupon(tx, body.product_coupon_id, body.brand_id, caller.mchid)
    const id = bundleId ?? ''
    await tx.lockNamed(bundleLock(id))
    const rec = await tx.getUserCouponBundle(id)
    if (
      !rec ||
      rec.mchid !== caller.mchid ||
      rec.openid !== openid ||
      rec.appid !== body.appid ||
      rec.productCouponId !== pc.id ||
      rec.stockBundleId !== body.stock_bundle_id
    ) {
      throw wxError('NOT_FOUND_USER_COUPON_BUNDLE')
    }
    return { pc, rec, coupons: await bundleCoupons(tx, rec, tx) }
  },
  async replay(tx, now, { deps }, c) {
    return presentUserBundle(
      deps,
      c.pc,
      c.rec.id,
      c.coupons,
      await bundleStocks(tx, c.pc, c.rec.stockBundleId),
      now,
    )
  },
  async apply(tx, now, { deps, body }, c) {
    const changed = deactivateBundle(
      c.coupons,
      { requestNo: body.out_request_no, reason: body.deactivate_reason },
      now,
    )
    const saved = await saveChanged(tx, c.coupons, changed)
    const stocks = await bundleStocks(tx, c.pc, c.rec.stockBundleId)
    return {
      result: presentUserBundle(deps, c.pc, c.rec.id, saved, stocks, now),
      resourceId: c.rec.id,
    }
  },
}

/** B8. */
export function deactivateCouponBundle(
  deps: ServiceDeps,
  caller: Caller,
  path: { openid: string; bundleId: string },
  body: DeactivateCouponBundleBody,
) {
  return idempotentWrite(DEACTIVATE_BUNDLE, {
    deps,
    caller,
    openid: path.openid,
    bundleId: path.bundleId,
    body,
  })
}

/** Persists the coupons a bundle rule changed (new objects), each one version on. */
export async function saveChanged(
  tx: StoreTx,
  before: readonly UserCoupon[],
  after: readonly UserCoupon[],
) {
  const out: UserCoupon[] = []
  for (const [i, c] of after.entries()) {
    const old = before[i] as UserCoupon
    if (c === old) {
      out.push(c)
      continue
    }
    const saved = { ...c, version: old.version + 1 }
    await tx.updateUserCoupon(saved)
    out.push(saved)
  }
  return out
}
