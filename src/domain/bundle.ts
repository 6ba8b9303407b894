import type {
  CreateProductCouponBody2025_11,
  StockBundleForCreate,
  StockForCreate,
} from '@wxcoupon/sdk/schemas'
import { wxError } from './errors.ts'
import {
  checkDisplayInfo,
  checkPeriod,
  checkStockForCreate,
  checkUsageRuleDisplay,
  type ProductCoupon,
  type StockConfig,
} from './product-coupon.ts'
import type { BehaviourSettings } from './settings.ts'
import { DAY, startOfBeijingDay } from './time.ts'
import { atTime, returnCoupon, type UseInput, type UserCoupon, useCoupon } from './user-coupon.ts'

/**
 * The 2025-11 revision's rules (PROGRESSIVE_BUNDLE): creation with `stock` or `stock_bundle`,
 * the tiers of a stock bundle, and the user coupon bundle — N single-use coupons used in tier
 * order, each unlocked by the use of the one before (interval_days, on the request's use_time),
 * of which only the latest used may be returned. Pure, like user-coupon.ts: the service locks
 * the bundle's coupons and persists the coupons these return changed (a new object), each with
 * its version bumped once.
 */

function businessRule(field: string, issue: string): never {
  throw wxError('BUSINESS_RULE', { field, issue, location: 'body' })
}

const LIST_FOR_TYPE = {
  NORMAL: 'normal_coupon_list',
  DISCOUNT: 'discount_coupon_list',
  EXCHANGE: 'exchange_coupon_list',
} as const
const RULE_FOR_TYPE = {
  NORMAL: 'normal_coupon',
  DISCOUNT: 'discount_coupon',
  EXCHANGE: 'exchange_coupon',
} as const

/** Create (2025-11): C1 stock XOR stock_bundle by usage_mode, then each part's own rules. */
export function checkCreate2025_11(
  body: CreateProductCouponBody2025_11,
  settings: BehaviourSettings,
): void {
  checkDisplayInfo(body.display_info, body.scope, settings)
  if (body.scope === 'ALL' && body.type === 'EXCHANGE') {
    businessRule('/type', 'type EXCHANGE requires scope SINGLE')
  }
  if (body.stock && body.stock_bundle) {
    businessRule(
      '/stock_bundle',
      'send stock (SINGLE) or stock_bundle (PROGRESSIVE_BUNDLE), not both',
    )
  }
  if (body.usage_mode === 'SINGLE') {
    if (body.progressive_bundle_usage_info) {
      businessRule('/progressive_bundle_usage_info', 'only with usage_mode PROGRESSIVE_BUNDLE')
    }
    if (body.stock_bundle) businessRule('/stock_bundle', 'only with usage_mode PROGRESSIVE_BUNDLE')
    if (!body.stock) businessRule('/stock', 'required when usage_mode is SINGLE')
    if (body.scope === 'ALL') {
      const info = body.single_usage_info
      if (!info) businessRule('/single_usage_info', 'required when usage_mode is SINGLE')
      const wanted = body.type === 'NORMAL' ? 'normal_coupon' : 'discount_coupon'
      if (info[wanted] === undefined) businessRule(`/single_usage_info/${wanted}`, 'required')
    }
    checkStockForCreate(body.stock as StockForCreate, { ...body, usage_mode: 'SINGLE' }, '/stock')
    return
  }
  if (body.single_usage_info) {
    businessRule('/single_usage_info', 'only with usage_mode SINGLE')
  }
  if (body.stock) businessRule('/stock', 'usage_mode PROGRESSIVE_BUNDLE takes stock_bundle')
  const info = body.progressive_bundle_usage_info
  if (!info) {
    businessRule('/progressive_bundle_usage_info', 'required when usage_mode is PROGRESSIVE_BUNDLE')
  }
  if (!body.stock_bundle)
    businessRule('/stock_bundle', 'required when usage_mode is PROGRESSIVE_BUNDLE')
  checkStockBundle(body.stock_bundle, { type: body.type, count: info.count }, '/stock_bundle')
}

/** B1 and create: tiers of the product coupon's type, `count` of them, each at least as generous. */
export function checkStockBundle(
  bundle: StockBundleForCreate,
  pc: { type: keyof typeof LIST_FOR_TYPE; count: number },
  at: string,
): void {
  const rule = bundle.progressive_bundle_usage_rule
  const wanted = LIST_FOR_TYPE[pc.type]
  const base = `${at}/progressive_bundle_usage_rule`
  for (const list of Object.values(LIST_FOR_TYPE)) {
    if (list !== wanted && rule[list] !== undefined) {
      businessRule(`${base}/${list}`, 'does not match the product coupon type')
    }
  }
  const tiers = rule[wanted] as readonly Record<string, number>[] | undefined
  if (!tiers) businessRule(`${base}/${wanted}`, 'required for this type')
  if (tiers.length !== pc.count) {
    businessRule(`${base}/${wanted}`, `needs exactly count (${pc.count}) tiers`)
  }
  for (let i = 1; i < tiers.length; i++) {
    if (!atLeastAsGenerous(tiers[i - 1] ?? {}, tiers[i] ?? {}, pc.type)) {
      throw wxError('BUNDLE_TIERS_NOT_PROGRESSIVE', {
        field: `${base}/${wanted}/${i}`,
        issue: 'each tier must be at least as generous as the one before',
        location: 'body',
      })
    }
  }
  const period = rule.coupon_available_period
  checkPeriod(period, `${base}/coupon_available_period`, period.available_days !== undefined)
  checkUsageRuleDisplay(bundle.usage_rule_display_info, at)
}

function atLeastAsGenerous(
  prev: Record<string, number>,
  next: Record<string, number>,
  type: keyof typeof LIST_FOR_TYPE,
): boolean {
  const threshold = (next.threshold ?? 0) <= (prev.threshold ?? 0)
  if (type === 'NORMAL')
    return threshold && (next.discount_amount ?? 0) >= (prev.discount_amount ?? 0)
  if (type === 'DISCOUNT') return threshold && (next.percent_off ?? 0) >= (prev.percent_off ?? 0)
  return threshold && (next.exchange_price ?? 0) <= (prev.exchange_price ?? 0)
}

/** The config of each tier stock, in tier order: the bundle's settings and that tier's rule. */
export function tierConfigs(bundle: StockBundleForCreate, pc: ProductCoupon): StockConfig[] {
  const type = pc.config.type
  const { progressive_bundle_usage_rule: rule, ...shared } = bundle
  const tiers = (rule[LIST_FOR_TYPE[type]] ?? []) as unknown[]
  return tiers.map((tier) => ({
    ...structuredClone(shared),
    progressive_bundle_usage_rule: {
      coupon_available_period: structuredClone(rule.coupon_available_period),
      [RULE_FOR_TYPE[type]]: structuredClone(tier),
    },
  }))
}

/** The coupon the use of coupon `k` unlocks: usable from use_time, or 00:00 D days later. */
export function unlockTime(useTime: number, intervalDays: number): number {
  return intervalDays === 0 ? useTime : startOfBeijingDay(useTime) + intervalDays * DAY
}

const LIVE = new Set(['CONFIRMING', 'PENDING', 'EFFECTIVE'])

/** A locked coupon is stored with validBegin past its validEnd: never usable until unlocked. */
export function lockedBegin(c: Pick<UserCoupon, 'validEnd'>): number {
  return c.validEnd + 1
}

/** The coupon with the bundle's use count; the same object when nothing changed. */
function withUsed(c: UserCoupon, usedCount: number, changed: boolean): UserCoupon {
  if (!c.bundle || (c.bundle.usedCount === usedCount && !changed)) return c
  return { ...c, bundle: { ...c.bundle, usedCount } }
}

/**
 * E11 on a bundle coupon: the coupon is used (same rules as a SINGLE coupon; a locked one is
 * PENDING, so 268578367), every coupon of the bundle counts one more use, and the next is
 * unlocked. Returns the bundle's coupons, changed.
 */
export function useInBundle(
  coupons: readonly UserCoupon[],
  k: number,
  input: UseInput,
  ctx: Parameters<typeof useCoupon>[2],
  intervalDays: number,
): UserCoupon[] {
  const target = coupons[k]
  if (!target) throw new Error(`bundle has no coupon ${k}`)
  const used = useCoupon(target, input, ctx)
  const count = coupons.filter((c, i) => (i === k ? true : c.state === 'USED')).length
  const unlock = unlockTime(input.useTime, intervalDays)
  return coupons.map((c, i) => {
    if (i === k) return withUsed(used, count, true)
    if (i === k + 1 && c.state !== 'USED' && c.bundle) {
      const begin = Math.max(c.bundle.placeholderBegin, unlock)
      return withUsed({ ...c, validBegin: begin }, count, true)
    }
    return withUsed(c, count, false)
  })
}

/**
 * E15 on a bundle coupon: only the latest used coupon of the bundle may be returned; the one
 * its use unlocked is locked again. Counters and budgets are unchanged (README Q13).
 */
export function returnInBundle(
  coupons: readonly UserCoupon[],
  k: number,
  input: { requestNo: string },
  ctx: Parameters<typeof returnCoupon>[2],
): UserCoupon[] {
  const target = coupons[k]
  if (!target) throw new Error(`bundle has no coupon ${k}`)
  const latest = coupons.reduce((last, c, i) => (c.state === 'USED' ? i : last), -1)
  if (target.state === 'USED' && k !== latest) {
    throw wxError('BUNDLE_RETURN_NOT_LATEST', {
      field: 'coupon_code',
      issue: `only the most recently used coupon of the bundle (index ${latest}) can be returned`,
      location: 'path',
    })
  }
  const returned = returnCoupon(target, input, ctx)
  const count = coupons.filter((c, i) => i !== k && c.state === 'USED').length
  return coupons.map((c, i) => {
    if (i === k) return withUsed(returned, count, true)
    if (i === k + 1 && c.bundle) {
      const live = atTime(c, ctx.now)
      if (live.state === 'PENDING' || live.state === 'EFFECTIVE' || live.state === 'CONFIRMING') {
        const state = c.state === 'CONFIRMING' ? 'CONFIRMING' : 'PENDING'
        return withUsed({ ...c, state, validBegin: lockedBegin(c) }, count, true)
      }
    }
    return withUsed(c, count, false)
  })
}

/** B8: every live coupon of the bundle is deactivated; nothing live left → 268578367. */
export function deactivateBundle(
  coupons: readonly UserCoupon[],
  input: { requestNo: string; reason: string },
  now: number,
): UserCoupon[] {
  const live = coupons.map((c) => atTime(c, now))
  if (!live.some((c) => LIVE.has(c.state))) throw wxError('COUPON_STATE_INVALID')
  return live.map((c, i) =>
    LIVE.has(c.state)
      ? {
          ...c,
          state: 'DEACTIVATED' as const,
          deactivation: { requestNo: input.requestNo, time: now, reason: input.reason },
        }
      : (coupons[i] as UserCoupon),
  )
}
