import { ERRORS, wxError } from '../domain/errors.ts'
import { presentStock } from '../domain/present.ts'
import { checkStockForCreate, type Stock } from '../domain/product-coupon.ts'
import { deactivateStock, stockStateAt, updateBudget } from '../domain/stock.ts'
import type {
  ListStocksResponse,
  StockEntity,
  UploadCouponCodesResponse,
} from '../schemas/entities.ts'
import {
  AddStockBody,
  DeactivateBody,
  type ListStocksQuery,
  PatchStockBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
} from '../schemas/requests.ts'
import type { StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { newStock, requireNotifyAppId } from './create-product-coupon.ts'
import { fingerprint } from './fingerprint.ts'
import { requireBrand, requireProductCoupon, requireStock } from './guards.ts'
import { once } from './idempotency.ts'
import { newStockId } from './ids.ts'
import { pageSize } from './page-token.ts'

/** Stock management: E5 add, E7 list, deactivate, budget, code upload, PATCH. */

const MAX_ACTIVE_STOCKS = 200

/** E5. */
export function addStock(
  deps: ServiceDeps,
  caller: Caller,
  productCouponId: string,
  body: AddStockBody,
): Promise<StockEntity> {
  const { settings } = deps
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, body.brand_id, caller.mchid)
    const pc = await requireProductCoupon(tx, productCouponId, body.brand_id, caller.mchid)
    const key = {
      brandId: body.brand_id,
      operation: 'add_stock',
      requestNo: body.out_request_no,
      fingerprint: fingerprint(AddStockBody, body, {
        mchid: caller.mchid,
        product_coupon_id: pc.id,
      }),
    }
    return once(tx, key, {
      conflict: 'REQUEST_NO_CONFLICT',
      snapshot: settings.replayResponse === 'snapshot',
      replay: async (record) => presentStock(await existingStock(tx, record.resourceId), now),
      apply: async () => {
        if (pc.state === 'DEACTIVATED') throw wxError('PRODUCT_COUPON_STATE_INVALID')
        const active = (await tx.listStocks(pc.id)).filter((s) => s.state !== 'DEACTIVATED')
        if (active.length >= MAX_ACTIVE_STOCKS) throw wxError('TOO_MANY_STOCKS')
        checkStockForCreate(body.stock, pc.config, '/stock')
        await requireNotifyAppId(
          tx,
          body.stock.notify_config.notify_appid,
          pc.brandId,
          caller.mchid,
        )
        const approved = settings.approval === 'on_create' && pc.state === 'EFFECTIVE'
        const stock = newStock(
          pc,
          await newStockId(tx, pc.id),
          body.stock,
          approved ? 'SENDING' : 'AUDITING',
          now,
        )
        await tx.insertStock(stock)
        return { result: presentStock(stock, now), resourceId: stock.id }
      },
    })
  })
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
  const size = pageSize(q.page_size)
  const query = {
    list: 'stocks',
    mchid: caller.mchid,
    brand: q.brand_id,
    pc: pc.id,
    state: q.state ?? null,
  }
  const after =
    q.page_token === undefined ? undefined : deps.pages.decode<string>(q.page_token, query)
  const matching = (await db.listStocks(pc.id)).filter(
    (s) => q.state === undefined || stockStateAt(s, now) === q.state,
  )
  const rest = matching.filter((s) => after === undefined || s.id > after)
  const page = rest.slice(0, size)
  const last = page.at(-1)
  return {
    total_count: matching.length,
    stock_list: page.map((s) => presentStock(s, now)),
    ...(rest.length > size && last ? { next_page_token: deps.pages.encode(last.id, query) } : {}),
  }
}

interface StockWrite<B extends { brand_id: string; out_request_no: string }> {
  operation: string
  schema: Parameters<typeof fingerprint>[0]
  productCouponId: string
  stockId: string
  body: B
  /** Results that cannot be rebuilt from the stock (upload lists) are always kept verbatim. */
  alwaysSnapshot?: boolean
  apply(stock: Stock, now: number, tx: StoreTx): Promise<Stock>
}

/** A write to one stock with a request number: ownership, lock, idempotency, one transaction. */
function writeStock<B extends { brand_id: string; out_request_no: string }, R>(
  deps: ServiceDeps,
  caller: Caller,
  w: StockWrite<B>,
  answer: (stock: Stock, now: number) => R,
): Promise<R> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    await requireBrand(tx, w.body.brand_id, caller.mchid)
    const pc = await requireProductCoupon(tx, w.productCouponId, w.body.brand_id, caller.mchid)
    const stock = await requireStock(tx, w.stockId, pc, tx)
    const key = {
      brandId: w.body.brand_id,
      operation: w.operation,
      requestNo: w.body.out_request_no,
      fingerprint: fingerprint(w.schema, w.body, { mchid: caller.mchid, stock_id: stock.id }),
    }
    return once(tx, key, {
      conflict: 'REQUEST_NO_CONFLICT',
      snapshot: w.alwaysSnapshot === true || deps.settings.replayResponse === 'snapshot',
      replay: async () => answer(stock, now),
      apply: async () => {
        const changed = await w.apply(stock, now, tx)
        await tx.updateStock(changed)
        return { result: answer(changed, now), resourceId: stock.id }
      },
    })
  })
}

export function deactivateStockOp(
  deps: ServiceDeps,
  caller: Caller,
  p: { productCouponId: string; stockId: string },
  body: DeactivateBody,
): Promise<StockEntity> {
  return writeStock(
    deps,
    caller,
    {
      operation: 'deactivate_stock',
      schema: DeactivateBody,
      ...p,
      body,
      apply: async (stock, now) =>
        deactivateStock(
          stock,
          { requestNo: body.out_request_no, time: now, reason: body.deactivate_reason },
          now,
        ),
    },
    presentStock,
  )
}

export function updateStockBudget(
  deps: ServiceDeps,
  caller: Caller,
  p: { productCouponId: string; stockId: string },
  body: UpdateBudgetBody,
): Promise<StockEntity> {
  return writeStock(
    deps,
    caller,
    {
      operation: 'update_budget',
      schema: UpdateBudgetBody,
      ...p,
      body,
      apply: async (stock, now) => updateBudget(stock, body, now),
    },
    presentStock,
  )
}

export function patchStock(
  deps: ServiceDeps,
  caller: Caller,
  p: { productCouponId: string; stockId: string },
  body: PatchStockBody,
): Promise<StockEntity> {
  return writeStock(
    deps,
    caller,
    {
      operation: 'patch_stock',
      schema: PatchStockBody,
      ...p,
      body,
      apply: async (stock, _now, tx) => {
        if (stock.state === 'DEACTIVATED')
          throw wxError('STOCK_STATE_INVALID', { issue: 'stock is DEACTIVATED' })
        const { brand_id: _b, out_request_no: _n, ...changes } = body
        if (changes.notify_config) {
          await requireNotifyAppId(
            tx,
            changes.notify_config.notify_appid,
            stock.brandId,
            caller.mchid,
          )
        }
        const config = { ...stock.config, ...changes }
        const display = config.usage_rule_display_info
        if (
          display.coupon_usage_method_list.includes('MINI_PROGRAM') &&
          !(display.mini_program_appid && display.mini_program_path)
        ) {
          throw wxError('BUSINESS_RULE', {
            field: '/usage_rule_display_info/mini_program_appid',
            issue: 'required with MINI_PROGRAM',
            location: 'body',
          })
        }
        if (display.coupon_usage_method_list.includes('APP') && !display.app_path) {
          throw wxError('BUSINESS_RULE', {
            field: '/usage_rule_display_info/app_path',
            issue: 'required with APP',
            location: 'body',
          })
        }
        return { ...stock, config }
      },
    },
    presentStock,
  )
}

const CODE_PATTERN = /^[0-9A-Za-z_-]{1,40}$/
const INVALID_CODE = '券Code须为1-40位数字、大小写字母、_ 或 -'

/**
 * Upload codes to an UPLOAD stock. Every code is judged on its own: malformed ones land in
 * failed_code_list, repeats within the request in duplicate_code_list, codes already in the
 * pool in already_exist_code_list; the rest are added.
 */
export function uploadCouponCodes(
  deps: ServiceDeps,
  caller: Caller,
  p: { productCouponId: string; stockId: string },
  body: UploadCouponCodesBody,
): Promise<UploadCouponCodesResponse> {
  let outcome: UploadCouponCodesResponse = { total_count: 0 }
  return writeStock(
    deps,
    caller,
    {
      operation: 'upload_codes',
      schema: UploadCouponCodesBody,
      ...p,
      body,
      alwaysSnapshot: true,
      apply: async (stock, now, tx) => {
        if (stock.config.coupon_code_mode !== 'UPLOAD') {
          throw wxError('BUSINESS_RULE', {
            issue: 'coupon_code_mode is not UPLOAD',
            location: 'body',
          })
        }
        const state = stockStateAt(stock, now)
        if (state === 'DEACTIVATED' || state === 'STOPPED')
          throw wxError('STOCK_STATE_INVALID', { issue: `stock is ${state}` })
        const seen = new Set<string>()
        const duplicates = new Set<string>()
        const failed: { coupon_code: string; code: string; message: string }[] = []
        const candidates: string[] = []
        for (const code of body.code_list) {
          if (seen.has(code)) {
            duplicates.add(code)
            continue
          }
          seen.add(code)
          if (CODE_PATTERN.test(code)) candidates.push(code)
          else
            failed.push({
              coupon_code: code,
              code: ERRORS.PARAM_ERROR.code,
              message: INVALID_CODE,
            })
        }
        const added = await tx.insertCouponCodes(stock.id, candidates)
        const addedSet = new Set(added)
        const existing = candidates.filter((c) => !addedSet.has(c))
        outcome = {
          total_count: seen.size,
          success_code_list: added,
          failed_code_list: failed,
          already_exist_code_list: existing,
          duplicate_code_list: [...duplicates],
        }
        const count = stock.codeCount ?? { total: 0, available: 0 }
        return {
          ...stock,
          codeCount: {
            total: count.total + added.length,
            available: count.available + added.length,
          },
        }
      },
    },
    () => outcome,
  )
}
