import type { StockState } from '../schemas/enums.ts'
import { type ErrorName, wxError } from './errors.ts'
import type { Deactivation, ProductCoupon, Stock } from './product-coupon.ts'
import { sentTodayAt, stockPeriod } from './product-coupon.ts'

/**
 * Stock rules beyond creation (entities §3.3): the state the clock implies, deactivation and
 * budget changes. Pure; times in Unix seconds. Review and pause are in review.ts.
 */

/** A SENDING or PAUSED stock whose available_end_time has passed is STOPPED. */
export function stockStateAt(stock: Stock, now: number): StockState {
  if ((stock.state === 'SENDING' || stock.state === 'PAUSED') && now > stockPeriod(stock).end) {
    return 'STOPPED'
  }
  return stock.state
}

export function atStockTime(stock: Stock, now: number): Stock {
  const state = stockStateAt(stock, now)
  return state === stock.state ? stock : { ...stock, state }
}

export function deactivateStock(stock: Stock, d: Deactivation, now: number): Stock {
  const s = atStockTime(stock, now)
  if (s.state === 'DEACTIVATED')
    throw wxError('STOCK_STATE_INVALID', { issue: 'already DEACTIVATED' })
  return { ...s, state: 'DEACTIVATED', deactivation: d }
}

export function deactivateProductCoupon(pc: ProductCoupon, d: Deactivation): ProductCoupon {
  if (pc.state === 'DEACTIVATED') {
    throw wxError('PRODUCT_COUPON_STATE_INVALID', { issue: 'already DEACTIVATED' })
  }
  return { ...pc, state: 'DEACTIVATED', deactivation: d }
}

export interface BudgetChange {
  update_mode: 'MAX_COUNT' | 'MAX_COUNT_PER_DAY'
  current_max_count?: number
  target_max_count?: number
  current_max_count_per_day?: number
  target_max_count_per_day?: number
}

function budgetError(name: ErrorName, field: string, issue: string): never {
  throw wxError(name, { field, issue, location: 'body' })
}

/**
 * One dimension per call ([3p] update-budget page). `current_*`, when sent, must match the
 * stock's present value: a stale read of the budget is refused rather than overwritten.
 */
export function updateBudget(stock: Stock, change: BudgetChange, now: number): Stock {
  const s = atStockTime(stock, now)
  if (s.state === 'DEACTIVATED' || s.state === 'STOPPED') {
    throw wxError('STOCK_STATE_INVALID', { issue: `stock is ${s.state}` })
  }
  const rule = s.config.stock_send_rule
  if (change.update_mode === 'MAX_COUNT') {
    const target = change.target_max_count
    if (target === undefined)
      budgetError('BUSINESS_RULE', '/target_max_count', 'required for MAX_COUNT')
    if (change.current_max_count !== undefined && change.current_max_count !== rule.max_count) {
      budgetError(
        'BUDGET_CURRENT_MISMATCH',
        '/current_max_count',
        `the stock's max_count is ${rule.max_count}`,
      )
    }
    if (target < s.sentTotal) {
      budgetError('BUDGET_BELOW_SENT', '/target_max_count', `${s.sentTotal} already sent`)
    }
    return { ...s, config: { ...s.config, stock_send_rule: { ...rule, max_count: target } } }
  }
  const target = change.target_max_count_per_day
  if (target === undefined) {
    budgetError('BUSINESS_RULE', '/target_max_count_per_day', 'required for MAX_COUNT_PER_DAY')
  }
  const current = rule.max_count_per_day
  if (
    change.current_max_count_per_day !== undefined &&
    change.current_max_count_per_day !== current
  ) {
    budgetError(
      'BUDGET_CURRENT_MISMATCH',
      '/current_max_count_per_day',
      `the stock's max_count_per_day is ${current ?? 'unset'}`,
    )
  }
  if (target < sentTodayAt(s, now)) {
    budgetError(
      'BUDGET_BELOW_SENT',
      '/target_max_count_per_day',
      `${sentTodayAt(s, now)} already sent today`,
    )
  }
  return { ...s, config: { ...s.config, stock_send_rule: { ...rule, max_count_per_day: target } } }
}
