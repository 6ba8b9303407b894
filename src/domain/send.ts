import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import { wxError } from './errors.ts'
import { type ProductCoupon, type Stock, sentTodayAt, stockPeriod } from './product-coupon.ts'
import { stockStateAt } from './stock.ts'
import { beijingDayNumber } from './time.ts'
import type { IssueInput } from './user-coupon.ts'
import { validityWindow } from './validity.ts'

/**
 * Issuing coupons of a stock (E8 checks 2–5 and the counters a send moves), one set of rules
 * for the send API, the sandbox's other channels and the seeder. Pure: the caller holds the
 * stock row locked, counts the user's coupons when `perUserLimit` asks for it, finds the code
 * and persists what these functions return.
 */

/** Where a new coupon's code comes from, by the stock's coupon_code_mode. */
export type CodeSource =
  | { readonly from: 'request'; readonly code: string }
  | { readonly from: 'pool' }
  | { readonly from: 'generated' }

const POOL: CodeSource = { from: 'pool' }
const GENERATED: CodeSource = { from: 'generated' }

/**
 * Whether `count` coupons may be sent now, in E8's order: product coupon and stock sending,
 * inside the stock's window, a coupon_code exactly when the mode is API_ASSIGN, the total
 * budget, then the budget of the Beijing day of `now`. Throws the first rule broken; returns
 * where the code comes from. max_count_per_user is checked after, with checkUserLimit.
 */
export function checkSend(
  pc: ProductCoupon,
  stock: Stock,
  now: number,
  couponCode: string | undefined,
  count = 1,
): CodeSource {
  if (pc.state !== 'EFFECTIVE' || stockStateAt(stock, now) !== 'SENDING') {
    throw wxError('STOCK_NOT_SENDING')
  }
  const period = stockPeriod(stock)
  if (now < period.begin || now > period.end) throw wxError('STOCK_NOT_IN_SEND_PERIOD')
  const mode = stock.config.coupon_code_mode
  if ((mode === 'API_ASSIGN') !== (couponCode !== undefined)) {
    throw wxError('BUSINESS_RULE', {
      field: '/coupon_code',
      issue:
        mode === 'API_ASSIGN'
          ? 'coupon_code is required when coupon_code_mode is API_ASSIGN'
          : 'coupon_code must not be sent unless coupon_code_mode is API_ASSIGN',
      location: 'body',
    })
  }
  const rule = stock.config.stock_send_rule
  if (stock.sentTotal + count > rule.max_count) throw wxError('STOCK_BUDGET_EXHAUSTED')
  const perDay = rule.max_count_per_day
  if (perDay !== undefined && sentTodayAt(stock, now) + count > perDay) {
    throw wxError('STOCK_DAILY_BUDGET_EXHAUSTED')
  }
  if (couponCode !== undefined) return { from: 'request', code: couponCode }
  return mode === 'UPLOAD' ? POOL : GENERATED
}

/** max_count_per_user, when the stock sets one: only then are the user's coupons counted. */
export function perUserLimit(stock: Stock): number | undefined {
  return stock.config.stock_send_rule.max_count_per_user
}

/** A user already holding `limit` coupons of the stock gets no more. */
export function checkUserLimit(limit: number, held: number): void {
  if (held >= limit) throw wxError('USER_LIMIT_REACHED')
}

/** Which of `n` pooled codes an UPLOAD send draws (n ≥ 1). */
export function drawCodeIndex(random: RandomBytes, n: number): number {
  return random(4).readUInt32BE(0) % n
}

/**
 * The stock after `count` sends at `now`: sent_count_info's total and today (counted on the
 * Beijing day of `now`, restarting at its midnight), and one pooled code fewer per send
 * drawn from an UPLOAD pool.
 */
export function countSent(stock: Stock, now: number, count: number, fromPool: boolean): Stock {
  const sent: Stock = {
    ...stock,
    sentTotal: stock.sentTotal + count,
    sentToday: sentTodayAt(stock, now) + count,
    sentDay: beijingDayNumber(now),
  }
  if (fromPool) {
    const c = stock.codeCount
    sent.codeCount = {
      total: c?.total ?? 0,
      available: Math.max(0, (c?.available ?? count) - count),
    }
  }
  return sent
}

/** What a coupon issued from `stock` at `now` takes from its stock and product coupon. */
export type StockTerms = Pick<
  IssueInput,
  | 'stockId'
  | 'productCouponId'
  | 'brandId'
  | 'mchid'
  | 'usageMode'
  | 'rounds'
  | 'intervalDays'
  | 'window'
  | 'now'
>

/** The same for every coupon of one send time, so a batch computes it once. */
export function stockTerms(pc: ProductCoupon, stock: Stock, now: number): StockTerms {
  const seq = pc.config.sequential_usage_info
  return {
    stockId: stock.id,
    productCouponId: pc.id,
    brandId: pc.brandId,
    mchid: pc.mchid,
    // Each coupon of a bundle is used once, as a SINGLE coupon is.
    usageMode: pc.config.usage_mode === 'PROGRESSIVE_BUNDLE' ? 'SINGLE' : pc.config.usage_mode,
    ...(seq ? { rounds: seq.count, intervalDays: seq.interval_days ?? 0 } : {}),
    window: validityWindow(pc, stock, now),
    now,
  }
}
