import {
  AddStockBundleBody,
  type BundleStoresBody,
  type BundleStoresResponse,
  CreateProductCouponBody2025_11,
  type CreateProductCouponResponse2025_11,
  PatchStockBundleBody,
  type StockBundleEntity,
  type StockBundleForCreate,
  type StockEntity2025_11,
  UpdateBundleBudgetBody,
} from '@wxcoupon/sdk/schemas'
import { Value } from 'typebox/value'
import { checkCreate2025_11, checkStockBundle, tierConfigs } from '../domain/bundle.ts'
import { ERRORS, wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock } from '../domain/present.ts'
import {
  initialStates,
  newProductCoupon,
  type ProductCoupon,
  type Stock,
} from '../domain/product-coupon.ts'
import { checkPatchable, newStock, patchStock, updateBudget } from '../domain/stock.ts'
import type { StoreReader, StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireNotifyAppId } from './create-product-coupon.ts'
import { requireBrand, requireProductCoupon } from './guards.ts'
import { type IdempotentWrite, idempotentWrite, type WriteRequest } from './idempotency.ts'
import { newProductCouponId, newStockId, randomDigits } from './ids.ts'

/**
 * The 2025-11 revision's create (with `stock` or `stock_bundle`) and stock bundles (B1–B5). A
 * stock bundle is its tier stocks, each carrying the bundle id and its index, so every stock
 * rule and counter is the one engine's; user coupon bundles are in user-coupon-bundles.ts.
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
