import type {
  CreateProductCouponBody,
  CreateProductCouponBody2025_11,
  ProductCouponDisplayInfo,
  ProductCouponScope,
  ProductCouponState,
  ProductCouponType,
  ProgressiveBundleUsageInfo,
  SequentialUsageInfo,
  SingleUsageInfo,
  SingleUsageRule,
  StockForCreate,
  StockState,
  UsageMode,
} from '@wxcoupon/sdk/schemas'
import { type ErrorDetail, wxError } from './errors.ts'
import type { BehaviourSettings } from './settings.ts'
import { beijingDayNumber, DAY, formatRfc3339, parseRfc3339 } from './time.ts'

/** What a product coupon is (endpoints.md E3); immutable after creation in this issue's scope. */
export interface ProductCouponConfig {
  scope: ProductCouponScope
  type: ProductCouponType
  /** PROGRESSIVE_BUNDLE only on product coupons of 2025-11 partners. */
  usage_mode: UsageMode | 'PROGRESSIVE_BUNDLE'
  single_usage_info?: SingleUsageInfo
  sequential_usage_info?: SequentialUsageInfo
  progressive_bundle_usage_info?: ProgressiveBundleUsageInfo
  display_info: ProductCouponDisplayInfo
  out_product_no?: string
}

export interface Deactivation {
  requestNo: string
  time: number
  reason: string
}

export interface ProductCoupon {
  id: string
  brandId: string
  mchid: string
  state: ProductCouponState
  config: ProductCouponConfig
  deactivation?: Deactivation
  createdAt: number
}

export interface Stock {
  id: string
  productCouponId: string
  brandId: string
  mchid: string
  state: StockState
  config: StockConfig
  /** A tier stock of a stock bundle (2025-11): the bundle and the tier's 0-based index. */
  bundle?: { id: string; index: number }
  /** Stores associated with the stock (store_scope SPECIFIC; bundle association). */
  storeIds?: string[]
  /** Coupons issued so far, and on `sentDay` (Beijing day number). */
  sentTotal: number
  sentToday: number
  sentDay: number
  /** UPLOAD mode only: codes uploaded and codes not yet drawn. */
  codeCount?: { total: number; available: number }
  deactivation?: Deactivation
  createdAt: number
}

/** A stock's configuration: a seed-era stock, or (2025-11) a tier of a bundle with its one rule. */
export type StockConfig = StockForCreate & { progressive_bundle_usage_rule?: SingleUsageRule }

function businessRule(field: string, issue: string): never {
  throw wxError('BUSINESS_RULE', { field, issue, location: 'body' })
}

function paramError(detail: ErrorDetail): never {
  throw wxError('PARAM_ERROR', { ...detail, location: 'body' })
}

/** Cross-field rules of E3 (400 INVALID_REQUEST), after the schema has checked each field. */
export function checkCreateProductCoupon(
  body: CreateProductCouponBody,
  settings: BehaviourSettings,
): void {
  checkDisplayInfo(body.display_info, body.scope, settings)
  if (body.scope === 'ALL' && body.type === 'EXCHANGE') {
    businessRule('/type', 'type EXCHANGE requires scope SINGLE')
  }
  if (body.usage_mode === 'SINGLE') {
    if (body.sequential_usage_info) {
      businessRule('/sequential_usage_info', 'only allowed when usage_mode is SEQUENTIAL')
    }
    if (body.scope === 'ALL') {
      const info = body.single_usage_info
      if (!info) businessRule('/single_usage_info', 'required when usage_mode is SINGLE')
      requireOnly(info, body.type === 'NORMAL' ? 'normal_coupon' : 'discount_coupon', [
        'normal_coupon',
        'discount_coupon',
      ])
    } else if (body.single_usage_info && Object.keys(body.single_usage_info).length > 0) {
      businessRule(
        '/single_usage_info',
        'for scope SINGLE the rule goes in stock.single_usage_rule',
      )
    }
  } else {
    if (!body.sequential_usage_info) {
      businessRule('/sequential_usage_info', 'required when usage_mode is SEQUENTIAL')
    }
    if (body.single_usage_info) {
      businessRule('/single_usage_info', 'only allowed when usage_mode is SINGLE')
    }
  }
  checkStockForCreate(body.stock, body, '/stock')
}

/** display_info rules of E3, also applied when PATCH replaces it. */
export function checkDisplayInfo(
  d: ProductCouponDisplayInfo,
  scope: ProductCouponScope,
  settings: BehaviourSettings,
): void {
  const { min, max } = settings.displayNameLength
  const length = [...d.name].length
  if (length < min || length > max) {
    paramError({
      field: '/display_info/name',
      value: d.name,
      issue: `length must be between ${min} and ${max}`,
    })
  }
  if (scope === 'SINGLE' && d.original_price === undefined && !d.combo_package_list?.length) {
    businessRule(
      '/display_info/original_price',
      'scope SINGLE needs original_price or combo_package_list',
    )
  }
}

function requireOnly(
  holder: object,
  wanted: string,
  family: readonly string[],
  pointer = '/single_usage_info',
): void {
  const present = family.filter((k) => (holder as Record<string, unknown>)[k] !== undefined)
  if (!present.includes(wanted)) businessRule(`${pointer}/${wanted}`, `required for this type`)
  const extra = present.find((k) => k !== wanted)
  if (extra) businessRule(`${pointer}/${extra}`, 'does not match the product coupon type')
}

const RULE_FOR_TYPE = {
  NORMAL: 'normal_coupon',
  DISCOUNT: 'discount_coupon',
  EXCHANGE: 'exchange_coupon',
} as const

/** Stock rules shared by create (E3) and add stock (E5): the stock must fit its product coupon. */
export function checkStockForCreate(
  stock: StockForCreate,
  pc: Pick<ProductCouponConfig, 'scope' | 'type' | 'usage_mode' | 'sequential_usage_info'>,
  at: string,
): void {
  if (pc.usage_mode === 'SINGLE') {
    const rule = stock.single_usage_rule
    if (!rule) businessRule(`${at}/single_usage_rule`, 'required when usage_mode is SINGLE')
    if (stock.sequential_usage_rule) {
      businessRule(`${at}/sequential_usage_rule`, 'only allowed when usage_mode is SEQUENTIAL')
    }
    const family = ['normal_coupon', 'discount_coupon', 'exchange_coupon']
    if (pc.scope === 'SINGLE') {
      requireOnly(rule, RULE_FOR_TYPE[pc.type], family, `${at}/single_usage_rule`)
    } else {
      const misplaced = family.find((k) => (rule as Record<string, unknown>)[k] !== undefined)
      if (misplaced) {
        businessRule(
          `${at}/single_usage_rule/${misplaced}`,
          'for scope ALL the rule goes in single_usage_info',
        )
      }
    }
    const period = rule.coupon_available_period
    checkPeriod(
      period,
      `${at}/single_usage_rule/coupon_available_period`,
      period.available_days !== undefined,
    )
  } else {
    const rule = stock.sequential_usage_rule
    if (!rule) businessRule(`${at}/sequential_usage_rule`, 'required when usage_mode is SEQUENTIAL')
    if (stock.single_usage_rule) {
      businessRule(`${at}/single_usage_rule`, 'only allowed when usage_mode is SINGLE')
    }
    const wanted = `${RULE_FOR_TYPE[pc.type]}_list` as const
    const lists = ['normal_coupon_list', 'discount_coupon_list', 'exchange_coupon_list']
    requireOnly(rule, wanted, lists, `${at}/sequential_usage_rule`)
    const count = pc.sequential_usage_info?.count ?? 1
    const list = rule[wanted] ?? []
    if (list.length > count) {
      businessRule(`${at}/sequential_usage_rule/${wanted}`, `at most count (${count}) rules`)
    }
    checkPeriod(
      rule.coupon_available_period,
      `${at}/sequential_usage_rule/coupon_available_period`,
      true,
    )
  }
  checkUsageRuleDisplay(stock.usage_rule_display_info, at)
}

/**
 * usage_rule_display_info's own rules, at creation (E3, E5) and when PATCH changes it: each
 * usage method names where it leads. `at` is the pointer of the stock in the body.
 */
export function checkUsageRuleDisplay(
  display: StockForCreate['usage_rule_display_info'],
  at: string,
): void {
  const methods = display.coupon_usage_method_list
  if (
    methods.includes('MINI_PROGRAM') &&
    !(display.mini_program_appid && display.mini_program_path)
  ) {
    businessRule(`${at}/usage_rule_display_info/mini_program_appid`, 'required with MINI_PROGRAM')
  }
  if (methods.includes('APP') && !display.app_path) {
    businessRule(`${at}/usage_rule_display_info/app_path`, 'required with APP')
  }
}

interface PeriodInput {
  available_begin_time: string
  available_end_time: string
  available_days?: number
  wait_days_after_receive?: number
  weekly_available_period?: unknown
  irregular_available_period_list?: { begin_time: string; end_time: string }[]
}

function time(value: string, field: string): number {
  const t = parseRfc3339(value)
  if (t === undefined) paramError({ field, value, issue: 'must be an RFC 3339 time' })
  return t
}

export function checkPeriod(p: PeriodInput, at: string, availableDaysSet: boolean): void {
  const begin = time(p.available_begin_time, `${at}/available_begin_time`)
  const end = time(p.available_end_time, `${at}/available_end_time`)
  if (end <= begin) businessRule(`${at}/available_end_time`, 'must be after available_begin_time')
  if (end - begin > 365 * DAY)
    businessRule(`${at}/available_end_time`, 'window longer than 365 days')
  if (p.wait_days_after_receive !== undefined && !availableDaysSet) {
    businessRule(`${at}/wait_days_after_receive`, 'only together with available_days')
  }
  const irregular = p.irregular_available_period_list
  if (irregular) {
    if (p.available_days !== undefined || p.wait_days_after_receive !== undefined) {
      businessRule(
        `${at}/irregular_available_period_list`,
        'not combinable with available_days or wait_days_after_receive',
      )
    }
    if (p.weekly_available_period) {
      businessRule(
        `${at}/irregular_available_period_list`,
        'not combinable with weekly_available_period',
      )
    }
    irregular.forEach((item, i) => {
      const b = time(item.begin_time, `${at}/irregular_available_period_list/${i}/begin_time`)
      const e = time(item.end_time, `${at}/irregular_available_period_list/${i}/end_time`)
      if (e <= b)
        businessRule(
          `${at}/irregular_available_period_list/${i}/end_time`,
          'must be after begin_time',
        )
    })
  }
}

/** Stored times are rewritten once to the canonical `+08:00` form every client can parse. */
export function normaliseStockTimes<T extends StockConfig>(stock: T): T {
  const copy: T = structuredClone(stock)
  const period =
    copy.single_usage_rule?.coupon_available_period ??
    copy.sequential_usage_rule?.coupon_available_period ??
    copy.progressive_bundle_usage_rule?.coupon_available_period
  if (period) {
    period.available_begin_time = canonical(period.available_begin_time)
    period.available_end_time = canonical(period.available_end_time)
    for (const item of period.irregular_available_period_list ?? []) {
      item.begin_time = canonical(item.begin_time)
      item.end_time = canonical(item.end_time)
    }
  }
  return copy
}

function canonical(value: string): string {
  const t = parseRfc3339(value)
  return t === undefined ? value : formatRfc3339(t)
}

export function stockPeriod(stock: Stock): PeriodInput & { begin: number; end: number } {
  const p =
    stock.config.single_usage_rule?.coupon_available_period ??
    stock.config.sequential_usage_rule?.coupon_available_period ??
    stock.config.progressive_bundle_usage_rule?.coupon_available_period
  if (!p) throw new Error(`stock ${stock.id} has no usage rule`)
  return {
    ...p,
    begin: parseRfc3339(p.available_begin_time) ?? 0,
    end: parseRfc3339(p.available_end_time) ?? 0,
  }
}

/** today_count follows the Beijing day of the sandbox clock, not of the last send. */
export function sentTodayAt(stock: Stock, now: number): number {
  return stock.sentDay === beijingDayNumber(now) ? stock.sentToday : 0
}

/** E3's product coupon: the request without its number, brand and first stock. */
export function newProductCoupon(
  id: string,
  mchid: string,
  body: CreateProductCouponBody | CreateProductCouponBody2025_11,
  state: ProductCouponState,
  now: number,
): ProductCoupon {
  const {
    out_request_no: _n,
    brand_id: _b,
    stock: _s,
    ...config
  } = body as CreateProductCouponBody & { stock_bundle?: unknown }
  delete config.stock_bundle
  return {
    id,
    brandId: body.brand_id,
    mchid,
    state,
    config: config satisfies ProductCouponConfig,
    createdAt: now,
  }
}

export function initialStates(settings: BehaviourSettings): {
  productCoupon: ProductCouponState
  stock: StockState
} {
  return settings.approval === 'on_create'
    ? { productCoupon: 'EFFECTIVE', stock: 'SENDING' }
    : { productCoupon: 'AUDITING', stock: 'AUDITING' }
}
