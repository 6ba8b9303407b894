import type { StockState } from '@wxcoupon/sdk/schemas'
import { wxError } from './errors.ts'
import type { Deactivation, ProductCoupon, Stock } from './product-coupon.ts'
import { atStockTime } from './stock.ts'

/**
 * Review and pause (the sandbox's stand-in for WeChat Pay's own review): product coupons
 * AUDITING → EFFECTIVE or DEACTIVATED, stocks AUDITING → SENDING or DEACTIVATED and
 * SENDING ⇄ PAUSED. Pure; times in Unix seconds.
 */

/** The record a review rejection leaves, numbered by the time it was made. */
export function reviewRejection(now: number, reason: string): Deactivation {
  return { requestNo: `SANDBOX_REJECT_${now}`, time: now, reason }
}

/** AUDITING → EFFECTIVE; an EFFECTIVE one is returned as it is (approving again changes nothing). */
export function approveProductCoupon(pc: ProductCoupon): ProductCoupon {
  if (pc.state === 'DEACTIVATED') {
    throw wxError('PRODUCT_COUPON_STATE_INVALID', { issue: 'product coupon is DEACTIVATED' })
  }
  return pc.state === 'AUDITING' ? { ...pc, state: 'EFFECTIVE' } : pc
}

/** Review rejection: the product coupon never becomes usable (its stocks: rejectedStocks). */
export function rejectProductCoupon(pc: ProductCoupon, d: Deactivation): ProductCoupon {
  if (pc.state !== 'AUDITING') {
    throw wxError('PRODUCT_COUPON_STATE_INVALID', { issue: `product coupon is ${pc.state}` })
  }
  return { ...pc, state: 'DEACTIVATED', deactivation: d }
}

/** A rejected product coupon's stocks still in review are rejected with it; others stay. */
export function rejectedStocks(stocks: readonly Stock[], d: Deactivation): Stock[] {
  return stocks.filter((s) => s.state === 'AUDITING').map((s) => rejectStock(s, d))
}

/** AUDITING stock → DEACTIVATED. */
export function rejectStock(stock: Stock, d: Deactivation): Stock {
  if (stock.state !== 'AUDITING') {
    throw wxError('STOCK_STATE_INVALID', { issue: `stock is ${stock.state}` })
  }
  return { ...stock, state: 'DEACTIVATED', deactivation: d }
}

function move(stock: Stock, now: number, from: StockState[], to: StockState): Stock {
  const s = atStockTime(stock, now)
  if (!from.includes(s.state)) {
    throw wxError('STOCK_STATE_INVALID', { issue: `stock is ${s.state}`, location: 'body' })
  }
  return { ...s, state: to }
}

export const approveStock = (s: Stock, now: number) => move(s, now, ['AUDITING'], 'SENDING')
export const pauseStock = (s: Stock, now: number) => move(s, now, ['SENDING'], 'PAUSED')
export const resumeStock = (s: Stock, now: number) => move(s, now, ['PAUSED'], 'SENDING')

export type StockMove = 'approve' | 'reject' | 'pause' | 'resume'

/** One review or pause control on a stock; `reason` is a rejection's. */
export function reviewStock(stock: Stock, move: StockMove, now: number, reason: string): Stock {
  switch (move) {
    case 'approve':
      return approveStock(stock, now)
    case 'pause':
      return pauseStock(stock, now)
    case 'resume':
      return resumeStock(stock, now)
    case 'reject':
      return rejectStock(stock, reviewRejection(now, reason))
  }
}
