import type {
  ListStocksResponse,
  StockEntity,
  UploadCouponCodesResponse,
} from '@wxcoupon/sdk/schemas'
import {
  AddStockBody,
  DeactivateBody,
  type ListStocksQuery,
  PatchStockBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
} from '@wxcoupon/sdk/schemas'
import {
  checkCodeUpload,
  sortUploadedCodes,
  uploadOutcome,
  withUploadedCodes,
} from '../domain/code-upload.ts'
import { wxError } from '../domain/errors.ts'
import { presentStock } from '../domain/present.ts'
import { checkStockForCreate, type ProductCoupon, type Stock } from '../domain/product-coupon.ts'
import {
  addedStockState,
  checkCanAddStock,
  checkPatchable,
  checkStockRoom,
  deactivateStock,
  newStock,
  patchStock as patchStockRule,
  stockStateAt,
  updateBudget,
} from '../domain/stock.ts'
import type { StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { requireNotifyAppId } from './create-product-coupon.ts'
import { requireBrand, requireProductCoupon, requireStock } from './guards.ts'
import {
  type IdempotentOp,
  type IdempotentWrite,
  idempotentWrite,
  type WriteRequest,
} from './idempotency.ts'
import { newStockId } from './ids.ts'
import { paging } from './page-token.ts'

/** Stock management: E5 add, E7 list, deactivate, budget, code upload, PATCH. */

interface AddStockRequest extends WriteRequest<'out_request_no'> {
  readonly productCouponId: string
  readonly body: AddStockBody
}

const ADD_STOCK: IdempotentWrite<'out_request_no', AddStockRequest, ProductCoupon, StockEntity> = {
  op: {
    operation: 'add_stock',
    schema: AddStockBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  scope: (q) => ({ mchid: q.caller.mchid, product_coupon_id: q.productCouponId }),
  async load(tx, _now, { caller, productCouponId, body }) {
    await requireBrand(tx, body.brand_id, caller.mchid)
    return requireProductCoupon(tx, productCouponId, body.brand_id, caller.mchid)
  },
  replay: async (tx, now, _q, _pc, record) =>
    presentStock(await existingStock(tx, record.resourceId), now),
  async apply(tx, now, { deps, caller, body }, pc) {
    if (pc.config.usage_mode === 'PROGRESSIVE_BUNDLE') throw wxError('ADD_STOCK_USE_BUNDLE_API')
    checkCanAddStock(pc)
    checkStockRoom(await tx.listStocks(pc.id))
    checkStockForCreate(body.stock, pc.config, '/stock')
    await requireNotifyAppId(tx, body.stock.notify_config.notify_appid, pc.brandId, caller.mchid)
    const state = addedStockState(pc, deps.settings)
    const stock = newStock(pc, await newStockId(tx, pc.id), body.stock, state, now)
    await tx.insertStock(stock)
    return { result: presentStock(stock, now), resourceId: stock.id }
  },
}

/** E5. */
export function addStock(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: AddStockBody,
): Promise<StockEntity> {
  return idempotentWrite(ADD_STOCK, { deps, caller, productCouponId, body })
}

async function existingStock(tx: StoreTx, id: string): Promise<Stock> {
  const stock = await tx.getStock(id)
  if (!stock) throw new Error(`request number points at missing stock ${id}`)
  return stock
}

/** E7: stocks in id order, filtered by the state the clock implies. */
export async function listStocks(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  q: ListStocksQuery,
): Promise<ListStocksResponse> {
  const db = deps.store.read
  const now = deps.clock.seconds()
  await requireBrand(db, q.brand_id, caller.mchid)
  const pc = await requireProductCoupon(db, productCouponId, q.brand_id, caller.mchid)
  // 2025-11: only the stocks of one bundle.
  const bundle = (q as { stock_bundle_id?: string }).stock_bundle_id
  const page = paging<string>(deps.pages, q, {
    list: 'stocks',
    mchid: caller.mchid,
    brand: q.brand_id,
    pc: pc.id,
    state: q.state ?? null,
    ...(bundle === undefined ? {} : { bundle }),
  })
  const matching = (await db.listStocks(pc.id)).filter(
    (s) =>
      (q.state === undefined || stockStateAt(s, now) === q.state) &&
      (bundle === undefined || s.bundle?.id === bundle),
  )
  const after = page.after
  const rest = matching.filter((s) => after === undefined || s.id > after)
  const shown = rest.slice(0, page.size)
  return {
    total_count: matching.length,
    stock_list: shown.map((s) => presentStock(s, now)),
    ...page.next(rest.length > page.size, shown.at(-1)?.id),
  }
}

interface StockBody {
  brand_id: string
  out_request_no: string
}

interface StockRequest<B extends StockBody> extends WriteRequest<'out_request_no'> {
  readonly productCouponId: string
  readonly stockId: string
  readonly body: B
}

type StockIds = { productCouponId: string; stockId: string }

/** Ownership and the stock row locked: what every write to one stock starts with. */
async function loadStock(
  tx: StoreTx,
  _now: number,
  { caller, productCouponId, stockId, body }: StockRequest<StockBody>,
): Promise<Stock> {
  await requireBrand(tx, body.brand_id, caller.mchid)
  const pc = await requireProductCoupon(tx, productCouponId, body.brand_id, caller.mchid)
  return requireStock(tx, stockId, pc, tx)
}

/** PATCH, budget and deactivation of one tier stock would split its bundle: B2 / B3 instead. */
function notInBundle(stock: Stock): Stock {
  if (stock.bundle) throw wxError('USE_BUNDLE_API')
  return stock
}

const stockScope = (q: StockRequest<StockBody>) => ({ mchid: q.caller.mchid, stock_id: q.stockId })

/**
 * A write to one stock answered with the stock: the domain's `change`, then the row. Gives
 * the service function itself, `(deps, caller, ids, body)`.
 */
function stockOperation<B extends StockBody>(
  op: IdempotentOp<'out_request_no'>,
  change: (stock: Stock, now: number, q: StockRequest<B>, tx: StoreTx) => Stock | Promise<Stock>,
) {
  const write: IdempotentWrite<'out_request_no', StockRequest<B>, Stock, StockEntity> = {
    op,
    scope: stockScope,
    load: loadStock,
    replay: (_tx, now, _q, stock) => presentStock(stock, now),
    async apply(tx, now, q, stock) {
      const changed = await change(stock, now, q, tx)
      await tx.updateStock(changed)
      return { result: presentStock(changed, now), resourceId: stock.id }
    },
  }
  return (deps: ServiceDeps, caller: Caller, p: StockIds, body: B): Promise<StockEntity> =>
    idempotentWrite(write, { deps, caller, ...p, body })
}

export const deactivateStockOp = stockOperation<DeactivateBody>(
  {
    operation: 'deactivate_stock',
    schema: DeactivateBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  (stock, now, { body }) =>
    deactivateStock(
      notInBundle(stock),
      { requestNo: body.out_request_no, time: now, reason: body.deactivate_reason },
      now,
    ),
)

export const updateStockBudget = stockOperation<UpdateBudgetBody>(
  {
    operation: 'update_budget',
    schema: UpdateBudgetBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  (stock, now, { body }) => updateBudget(notInBundle(stock), body, now),
)

/** PATCH: the state first, then the new notify AppID, then the merged display rules. */
export const patchStock = stockOperation<PatchStockBody>(
  {
    operation: 'patch_stock',
    schema: PatchStockBody,
    requestNo: 'out_request_no',
    replay: 'rebuild',
  },
  async (stock, _now, { caller, body }, tx) => {
    checkPatchable(notInBundle(stock))
    if (body.notify_config) {
      await requireNotifyAppId(tx, body.notify_config.notify_appid, stock.brandId, caller.mchid)
    }
    return patchStockRule(stock, body)
  },
)

/** Its answer lists what became of each code, which the stock cannot tell again: a snapshot. */
const UPLOAD_CODES: IdempotentWrite<
  'out_request_no',
  StockRequest<UploadCouponCodesBody>,
  Stock,
  UploadCouponCodesResponse
> = {
  op: {
    operation: 'upload_codes',
    schema: UploadCouponCodesBody,
    requestNo: 'out_request_no',
    replay: 'snapshot',
  },
  scope: stockScope,
  load: loadStock,
  async apply(tx, now, { body }, stock) {
    checkCodeUpload(stock, now)
    const sorted = sortUploadedCodes(body.code_list)
    const added = await tx.insertCouponCodes(stock.id, sorted.candidates)
    await tx.updateStock(withUploadedCodes(stock, added.length))
    return { result: uploadOutcome(sorted, added), resourceId: stock.id }
  },
}

/** Upload codes to an UPLOAD stock (domain/code-upload.ts). */
export function uploadCouponCodes(
  deps: ServiceDeps,
  caller: Caller,
  p: StockIds,
  body: UploadCouponCodesBody,
): Promise<UploadCouponCodesResponse> {
  return idempotentWrite(UPLOAD_CODES, { deps, caller, ...p, body })
}
