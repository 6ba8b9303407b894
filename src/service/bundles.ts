import {
  AddStockBundleBody,
  type BundleStoresBody,
  type BundleStoresResponse,
  CreateProductCouponBody2025_11,
  type CreateProductCouponResponse2025_11,
  DeactivateCouponBundleBody,
  PatchStockBundleBody,
  SendCouponBundleBody,
  type StockBundleEntity,
  type StockBundleForCreate,
  type StockEntity2025_11,
  UpdateBundleBudgetBody,
  type UserCouponBundleEntity,
  type UserProductCouponEntity2025_11,
} from '@wxcoupon/sdk/schemas'
import { Value } from 'typebox/value'
import {
  checkCreate2025_11,
  checkStockBundle,
  deactivateBundle,
  tierConfigs,
} from '../domain/bundle.ts'
import { ERRORS, wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock, presentUserCoupon } from '../domain/present.ts'
import {
  initialStates,
  newProductCoupon,
  type ProductCoupon,
  type Stock,
} from '../domain/product-coupon.ts'
import { checkPatchable, newStock, patchStock, updateBudget } from '../domain/stock.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'
import type { StoreReader, StoreTx, UserCouponBundleRecord } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireNotifyAppId } from './create-product-coupon.ts'
import { requireAppId, requireBrand, requireOpenId, requireProductCoupon } from './guards.ts'
import {
  type IdempotentWrite,
  idempotentWrite,
  type WriteBody,
  type WriteRequest,
} from './idempotency.ts'
import { newProductCouponId, newStockId, randomDigits } from './ids.ts'
import { issue } from './send-coupon.ts'

/**
 * The 2025-11 revision's stock bundles and user coupon bundles (B1–B6, B8, create with
 * stock_bundle). A stock bundle is its tier stocks, each carrying the bundle id and its index;
 * a user coupon bundle is the record of the coupons one bundle send issued. One engine: the
 * coupons are ordinary coupons, issued by the same `issue`.
 */

const present11 = (s: Stock, now: number) => presentStock(s, now) as StockEntity2025_11

export function presentBundle(
  id: string,
  stocks: readonly Stock[],
  now: number,
): StockBundleEntity {
  return { stock_bundle_id: id, stock_list: stocks.map((s) => present11(s, now)) }
}

/** The tier stocks of a bundle of `pc`, in tier order; 404 if it has none. */
export async function bundleStocks(db: StoreReader, pc: ProductCoupon, id: string, lock?: StoreTx) {
  const stocks = (await db.listStocks(pc.id))
    .filter((s) => s.bundle?.id === id)
    .sort((a, b) => (a.bundle?.index ?? 0) - (b.bundle?.index ?? 0))
  if (stocks.length === 0) throw wxError('NOT_FOUND_STOCK_BUNDLE')
  if (!lock) return stocks
  const locked: Stock[] = []
  for (const s of stocks) locked.push((await lock.lockStock(s.id)) ?? s)
  return locked
}

async function newBundleStocks(
  tx: StoreTx,
  deps: ServiceDeps,
  pc: ProductCoupon,
  bundle: StockBundleForCreate,
  state: Stock['state'],
  now: number,
): Promise<{ id: string; stocks: Stock[] }> {
  const id = randomDigits(deps.random, 18)
  const stocks: Stock[] = []
  for (const [index, config] of tierConfigs(bundle, pc).entries()) {
    const stock = newStock(pc, await newStockId(tx, pc.id), config, state, now)
    stock.bundle = { id, index }
    await tx.insertStock(stock)
    stocks.push(stock)
  }
  return { id, stocks }
}

interface CreateRequest extends WriteRequest<'out_request_no'> {
  readonly body: CreateProductCouponBody2025_11
}

const CREATE: IdempotentWrite<
  'out_request_no',
  CreateRequest,
  void,
  CreateProductCouponResponse2025_11
> = {
  op: {
    operation: 'create_product_coupon',
    schema: CreateProductCouponBody2025_11,
    requestNo: 'out_request_no',
    conflict: (settings) =>
      settings.createConflictError === 'ALREADY_EXISTS' ? 'ALREADY_EXISTS' : 'REQUEST_NO_CONFLICT',
    replay: 'rebuild',
  },
  scope: (q) => ({ mchid: q.caller.mchid }),
  load: (tx, _now, { caller, body }) => requireBrand(tx, body.brand_id, caller.mchid),
  async replay(tx, now, _q, _c, record) {
    const [pcId = '', stockId = ''] = record.resourceId.split('/')
    const pc = await tx.getProductCoupon(pcId)
    if (!pc) throw new Error(`request number points at missing ${record.resourceId}`)
    return answer(pc, await tx.listStocks(pc.id), stockId, now)
  },
  async apply(tx, now, { deps, caller, body }) {
    const { settings } = deps
    checkCreate2025_11(body, settings)
    const appid = (body.stock ?? body.stock_bundle)?.notify_config.notify_appid ?? ''
    await requireNotifyAppId(tx, appid, body.brand_id, caller.mchid)
    const states = initialStates(settings)
    const pc = newProductCoupon(
      await newProductCouponId(tx),
      caller.mchid,
      body,
      states.productCoupon,
      now,
    )
    await tx.insertProductCoupon(pc)
    if (body.stock) {
      const stock = newStock(pc, await newStockId(tx, pc.id), body.stock, states.stock, now)
      await tx.insertStock(stock)
      return { result: answer(pc, [stock], stock.id, now), resourceId: `${pc.id}/${stock.id}` }
    }
    const b = await newBundleStocks(
      tx,
      deps,
      pc,
      body.stock_bundle as StockBundleForCreate,
      states.stock,
      now,
    )
    return { result: answer(pc, b.stocks, b.id, now), resourceId: `${pc.id}/${b.id}` }
  },
}

function answer(
  pc: ProductCoupon,
  stocks: readonly Stock[],
  id: string,
  now: number,
): CreateProductCouponResponse2025_11 {
  const e = presentProductCoupon(pc) as unknown as CreateProductCouponResponse2025_11
  const single = stocks.find((s) => s.id === id)
  if (single) return { ...e, stock: present11(single, now) }
  const tiers = stocks
    .filter((s) => s.bundle?.id === id)
    .sort((a, b) => (a.bundle?.index ?? 0) - (b.bundle?.index ?? 0))
  return { ...e, stock_bundle: presentBundle(id, tiers, now) }
}

/** E3 in 2025-11: with `stock` (SINGLE) or `stock_bundle` (PROGRESSIVE_BUNDLE). */
export function createProductCoupon2025_11(
  deps: ServiceDeps,
  caller: Caller,
  rawBody: CreateProductCouponBody2025_11,
) {
  const body = Value.Clean(
    CreateProductCouponBody2025_11,
    structuredClone(rawBody),
  ) as CreateProductCouponBody2025_11
  return idempotentWrite(CREATE, { deps, caller, body })
}

interface PcRequest<B> extends WriteRequest<'out_request_no'> {
  readonly productCouponId: string
  readonly bundleId?: string
  readonly body: B & { brand_id: string; out_request_no: string }
}

async function loadPc(tx: StoreTx, q: PcRequest<unknown>): Promise<ProductCoupon> {
  await requireBrand(tx, q.body.brand_id, q.caller.mchid)
  const pc = await requireProductCoupon(tx, q.productCouponId, q.body.brand_id, q.caller.mchid)
  if (pc.config.usage_mode !== 'PROGRESSIVE_BUNDLE') throw wxError('NOT_PROGRESSIVE_BUNDLE')
  return pc
}

const ADD_BUNDLE: IdempotentWrite<
  'out_request_no',
  PcRequest<AddStockBundleBody>,
  ProductCoupon,
  StockBundleEntity
> = {
  op: {
    operation: 'add_stock_bundle',
    schema: AddStockBundleBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  scope: (q) => ({ mchid: q.caller.mchid, product_coupon_id: q.productCouponId }),
  load: (tx, _now, q) => loadPc(tx, q),
  replay: async (tx, now, _q, pc, record) =>
    presentBundle(record.resourceId, await bundleStocks(tx, pc, record.resourceId), now),
  async apply(tx, now, { deps, caller, body }, pc) {
    if (pc.state !== 'EFFECTIVE') throw wxError('PRODUCT_COUPON_STATE_INVALID')
    const count = pc.config.progressive_bundle_usage_info?.count ?? 0
    checkStockBundle(body.stock_bundle, { type: pc.config.type, count }, '/stock_bundle')
    await requireNotifyAppId(
      tx,
      body.stock_bundle.notify_config.notify_appid,
      pc.brandId,
      caller.mchid,
    )
    const state = initialStates(deps.settings).stock
    const b = await newBundleStocks(tx, deps, pc, body.stock_bundle, state, now)
    return { result: presentBundle(b.id, b.stocks, now), resourceId: b.id }
  },
}

/** B1. */
export function addStockBundle(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: AddStockBundleBody,
) {
  return idempotentWrite(ADD_BUNDLE, { deps, caller, productCouponId, body })
}

/** A write to every stock of one bundle (B2, B3), answered with the bundle. */
function bundleWrite<B extends { brand_id: string; out_request_no: string }>(
  operation: string,
  schema: typeof PatchStockBundleBody | typeof UpdateBundleBudgetBody,
  change: (stock: Stock, body: B, now: number, stocks: readonly Stock[]) => Stock,
) {
  const write: IdempotentWrite<
    'out_request_no',
    PcRequest<B>,
    { pc: ProductCoupon; stocks: Stock[] },
    StockBundleEntity
  > = {
    op: { operation, schema, requestNo: 'out_request_no', replay: 'rebuild' },
    scope: (q) => ({ mchid: q.caller.mchid, stock_bundle_id: q.bundleId ?? '' }),
    async load(tx, _now, q) {
      const pc = await loadPc(tx, q)
      return { pc, stocks: await bundleStocks(tx, pc, q.bundleId ?? '', tx) }
    },
    replay: (_tx, now, q, c) => presentBundle(q.bundleId ?? '', c.stocks, now),
    async apply(tx, now, q, { stocks, pc }) {
      const notify = (q.body as { notify_config?: { notify_appid: string } }).notify_config
      if (notify) await requireNotifyAppId(tx, notify.notify_appid, pc.brandId, q.caller.mchid)
      const changed = stocks.map((s) => change(s, q.body, now, stocks))
      for (const s of changed) await tx.updateStock(s)
      return { result: presentBundle(q.bundleId ?? '', changed, now), resourceId: q.bundleId ?? '' }
    },
  }
  return (
    deps: ServiceDeps,
    caller: Caller,
    p: { productCouponId: string; bundleId: string },
    body: B,
  ) => idempotentWrite(write, { deps, caller, ...p, body })
}

/** B2: the given fields overwrite the same fields on every stock of the bundle. */
export const patchStockBundle = bundleWrite<PatchStockBundleBody>(
  'patch_stock_bundle',
  PatchStockBundleBody,
  (s, body) => {
    checkPatchable(s)
    return patchStock(s, body)
  },
)

/** B3: one budget dimension of every stock; current_* must match each. */
export const updateStockBundleBudget = bundleWrite<UpdateBundleBudgetBody>(
  'update_bundle_budget',
  UpdateBundleBudgetBody,
  (s, body, now) => updateBudget(s, body, now),
)

/** B4 / B5: per-store outcomes, applied to every stock of the bundle (no request number). */
export async function bundleStores(
  deps: ServiceDeps,
  caller: Caller,
  p: { productCouponId: string; bundleId: string },
  body: BundleStoresBody,
  associate: boolean,
): Promise<BundleStoresResponse> {
  return deps.store.transaction(async (tx) => {
    await requireBrand(tx, body.brand_id, caller.mchid)
    const pc = await requireProductCoupon(tx, p.productCouponId, body.brand_id, caller.mchid)
    if (pc.config.usage_mode !== 'PROGRESSIVE_BUNDLE') throw wxError('NOT_PROGRESSIVE_BUNDLE')
    const stocks = await bundleStocks(tx, pc, p.bundleId, tx)
    const scope = stocks[0]?.config.store_scope
    if (scope === 'ALL') throw wxError('STORE_SCOPE_ALL')
    if (scope === 'NONE') throw wxError('STORE_SCOPE_NONE')
    const ids = [...new Set(body.store_list.map((s) => s.store_id))]
    const success: { store_id: string }[] = []
    const failed: { store_id: string; code: string; message: string }[] = []
    for (const id of ids) {
      const store = await tx.getBrandStore(id)
      if (!store || store.brandId !== pc.brandId || (associate && !store.open)) {
        failed.push({ store_id: id, code: NOT_OF_BRAND.code, message: NOT_OF_BRAND.message })
      } else success.push({ store_id: id })
    }
    const ok = new Set(success.map((s) => s.store_id))
    for (const s of stocks) {
      const current = new Set(s.storeIds ?? [])
      for (const id of ok)
        if (associate) current.add(id)
        else current.delete(id)
      await tx.updateStock({ ...s, storeIds: [...current].sort() })
    }
    return {
      total_count: ids.length,
      ...(success.length ? { success_store_list: success } : {}),
      ...(failed.length ? { failed_store_list: failed } : {}),
    }
  })
}

const NOT_OF_BRAND = ERRORS.STORE_NOT_OF_BRAND

// ---- user coupon bundles --------------------------------------------------------------

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
    await requireBrand(tx, body.brand_id, caller.mchid)
    await requireAppId(tx, body.appid, caller.mchid)
    await requireOpenId(tx, body.appid, openid)
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
    await requireBrand(tx, body.brand_id, caller.mchid)
    await requireAppId(tx, body.appid, caller.mchid)
    await requireOpenId(tx, body.appid, openid)
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
