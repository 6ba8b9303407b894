import type {
  ProductCouponEntity,
  StockEntity,
  UserProductCouponEntity,
} from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock, presentUserCoupon } from '../domain/present.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import { formatRfc3339 } from '../domain/time.ts'
import type { CouponBrowse } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'

/**
 * What the sandbox console browses, across every tenant: product coupons with their stocks,
 * coupons by stock, user, code and state, and a stock's budget use over time. Read-only; the
 * admin token guards it, as it guards every sandbox control.
 */

export async function browseProductCoupons(
  deps: ServiceDeps,
  p: { mchid?: string; limit: number },
): Promise<{ product_coupon: ProductCouponEntity; stocks: StockEntity[] }[]> {
  const db = deps.store.read
  const now = deps.clock.seconds()
  const list = await db.browseProductCoupons(p)
  return Promise.all(
    list.map(async (pc) => ({
      product_coupon: presentProductCoupon(pc),
      stocks: (await db.listStocks(pc.id)).map((s) => presentStock(s, now)),
    })),
  )
}

export async function browseUserCoupons(
  deps: ServiceDeps,
  p: Omit<CouponBrowse, 'now'>,
): Promise<{ seq: number; coupon: UserProductCouponEntity }[]> {
  const db = deps.store.read
  const now = deps.clock.seconds()
  const wanted = await db.browseUserCoupons({ ...p, now })
  const stocks = new Map<string, { stock: Stock; pc: ProductCoupon } | undefined>()
  const out: { seq: number; coupon: UserProductCouponEntity }[] = []
  for (const c of wanted) {
    if (!stocks.has(c.stockId)) {
      const stock = await db.getStock(c.stockId)
      const pc = stock && (await db.getProductCoupon(stock.productCouponId))
      stocks.set(c.stockId, stock && pc ? { stock, pc } : undefined)
    }
    const owner = stocks.get(c.stockId)
    if (!owner) continue
    const ctx = { productCoupon: owner.pc, stock: owner.stock, now, settings: deps.settings }
    out.push({ seq: c.issueSeq, coupon: presentUserCoupon(c, ctx) })
  }
  return out
}

/** Points of the budget chart: at most about 40 slots from the first coupon to the last. */
export async function stockBudget(deps: ServiceDeps, stockId: string) {
  const db = deps.store.read
  const stock = await db.getStock(stockId)
  if (!stock) throw wxError('SANDBOX_NOT_FOUND', { field: 'stock_id', value: stockId })
  const span = await db.stockIssueSpan(stockId)
  const bucket = Math.max(1, Math.ceil((span.last - span.first + 1) / 40))
  const points = span.total === 0 ? [] : await db.stockIssueHistogram(stockId, bucket)
  return {
    stock: presentStock(stock, deps.clock.seconds()),
    issued: {
      total: span.total,
      bucket_seconds: bucket,
      points: points.map((x) => ({ start: formatRfc3339(x.start), count: x.count })),
    },
  }
}
