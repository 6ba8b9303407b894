import type { PatchStockBody, ProductCouponDisplayInfo, StockState } from '@wxcoupon/sdk/schemas'
import { type ErrorName, wxError } from './errors.ts'
import type { Deactivation, ProductCoupon, Stock, StockConfig } from './product-coupon.ts'
import {
  checkDisplayInfo,
  checkUsageRuleDisplay,
  normaliseStockTimes,
  sentTodayAt,
  stockPeriod,
} from './product-coupon.ts'
import type { BehaviourSettings } from './settings.ts'

/**
 * Stock rules beyond creation's field checks (entities §3.3): new stocks, the state the clock
 * implies, deactivation, PATCH and budget changes. Pure; times in Unix seconds. Review and
 * pause are in review.ts.
 */

/** A fresh stock of `pc` (E3's first stock, E5's added ones). */
export function newStock(
  pc: ProductCoupon,
  id: string,
  input: StockConfig,
  state: StockState,
  now: number,
): Stock {
  const stock: Stock = {
    id,
    productCouponId: pc.id,
    brandId: pc.brandId,
    mchid: pc.mchid,
    state,
    config: normaliseStockTimes(input),
    sentTotal: 0,
    sentToday: 0,
    sentDay: 0,
    createdAt: now,
  }
  if (input.coupon_code_mode === 'UPLOAD') stock.codeCount = { total: 0, available: 0 }
  return stock
}

export const MAX_ACTIVE_STOCKS = 200

/** E5 on the product coupon: not DEACTIVATED (checked before its stocks are read). */
export function checkCanAddStock(pc: ProductCoupon): void {
  if (pc.state === 'DEACTIVATED') throw wxError('PRODUCT_COUPON_STATE_INVALID')
}

/** E5 on its stocks: at most MAX_ACTIVE_STOCKS that are not DEACTIVATED. */
export function checkStockRoom(stocks: readonly Stock[]): void {
  const active = stocks.filter((s) => s.state !== 'DEACTIVATED')
  if (active.length >= MAX_ACTIVE_STOCKS) throw wxError('TOO_MANY_STOCKS')
}

/** An added stock is approved with it when approval is on_create and its product coupon is. */
export function addedStockState(pc: ProductCoupon, settings: BehaviourSettings): StockState {
  return settings.approval === 'on_create' && pc.state === 'EFFECTIVE' ? 'SENDING' : 'AUDITING'
}

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

/**
 * The stocks a product coupon's deactivation ends: every one not yet DEACTIVATED, with the
 * same record. Nothing more is sent; coupons users hold stay valid ([3p] deactivate page).
 */
export function stocksDeactivatedWith(
  stocks: readonly Stock[],
  d: Deactivation,
  now: number,
): Stock[] {
  return stocks
    .filter((s) => stockStateAt(s, now) !== 'DEACTIVATED')
    .map((s) => ({ ...s, state: 'DEACTIVATED', deactivation: d }))
}

/** PATCH product coupon: new display_info for coupons sent from now on. */
export function patchProductCoupon(
  pc: ProductCoupon,
  displayInfo: ProductCouponDisplayInfo,
  settings: BehaviourSettings,
): ProductCoupon {
  if (pc.state === 'DEACTIVATED') throw wxError('PRODUCT_COUPON_STATE_INVALID')
  checkDisplayInfo(displayInfo, pc.config.scope, settings)
  return { ...pc, config: { ...pc.config, display_info: displayInfo } }
}

/** PATCH stock, first rule: a DEACTIVATED stock is not changed (before its AppID is looked up). */
export function checkPatchable(stock: Stock): void {
  if (stock.state === 'DEACTIVATED') {
    throw wxError('STOCK_STATE_INVALID', { issue: 'stock is DEACTIVATED' })
  }
}

/** PATCH stock: the fields sent replace the stock's, and the display rules still hold. */
export function patchStock(stock: Stock, body: PatchStockBody): Stock {
  const { brand_id: _b, out_request_no: _n, ...changes } = body
  const config = { ...stock.config, ...changes }
  checkUsageRuleDisplay(config.usage_rule_display_info, '')
  return { ...stock, config }
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
