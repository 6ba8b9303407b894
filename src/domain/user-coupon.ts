import type {
  AssociatedOrderInfo,
  AssociatedPayScoreOrderInfo,
  CouponTagInfo,
  SendChannel2025_11,
  UsageMode,
  UserProductCouponState,
} from '@wxcoupon/sdk/schemas'
import { type ErrorName, wxError } from './errors.ts'
import type { BehaviourSettings } from './settings.ts'
import { DAY, startOfBeijingDay } from './time.ts'
import { isInUsageWindow, type UsageWindowRules } from './usage-window.ts'

/**
 * The user coupon and its state machine (entities-and-states.md §4–§5). Functions are pure:
 * they take the coupon and the business time and return the next coupon or throw a WxError.
 * Times are Unix seconds.
 */

export interface UseRecord {
  requestNo: string
  time: number
  /** The WeChat Pay order; 2025-11 uses may name a pay-score order instead. */
  order?: AssociatedOrderInfo
  payScoreOrder?: AssociatedPayScoreOrderInfo
}

/** A coupon of a user coupon bundle (2025-11 PROGRESSIVE_BUNDLE). */
export interface BundleMembership {
  id: string
  stockBundleId: string
  index: number
  total: number
  /** Uses consumed in the bundle: the same value on every coupon of it. */
  usedCount: number
  /** valid_begin_time shown while the coupon is locked (it is then stored as validEnd + 1). */
  placeholderBegin: number
}

export interface ReturnRecord {
  requestNo: string
  time: number
}

/** One redemption slot: the whole coupon (SINGLE) or one round (SEQUENTIAL). */
export interface UsageSlot {
  used: boolean
  /** Kept after a return only when keepUseInfoAfterReturn is on (Q1). */
  use?: UseRecord
  /** The latest return of this slot; kept forever (Q1). */
  ret?: ReturnRecord
}

export interface Round extends UsageSlot {
  /** Set when the round is unlocked: confirm unlocks round 0, a use unlocks the next. */
  begin?: number
}

export interface UserCoupon {
  couponCode: string
  stockId: string
  productCouponId: string
  brandId: string
  mchid: string
  openid: string
  appid: string
  state: UserProductCouponState
  validBegin: number
  validEnd: number
  receiveTime: number
  sendRequestNo: string
  sendChannel: SendChannel2025_11
  confirm?: { requestNo: string; time: number }
  deactivation?: { requestNo: string; time: number; reason: string }
  deletedAt?: number
  single?: UsageSlot
  sequential?: { rounds: Round[]; intervalDays: number }
  attach?: string
  channelCustomInfo?: string
  bundle?: BundleMembership
  /** 2025-11 coupon_tag_info, as sent. */
  tags?: CouponTagInfo
  /** Bumped on every persisted change; lets a store detect lost updates. */
  version: number
  /** Position in the order coupons were issued (newest-first listings). */
  issueSeq: number
}

/** The new coupon's ids and request number, as it will hold them. */
type IssuedIds = Pick<
  UserCoupon,
  | 'couponCode'
  | 'stockId'
  | 'productCouponId'
  | 'brandId'
  | 'mchid'
  | 'openid'
  | 'appid'
  | 'sendRequestNo'
  | 'channelCustomInfo'
  | 'attach'
>

export interface IssueInput extends IssuedIds {
  /** API unless issued through another channel (sandbox control). */
  sendChannel?: SendChannel2025_11
  usageMode: UsageMode
  /** SEQUENTIAL only: rounds and interval from the product coupon's sequential_usage_info. */
  rounds?: number
  intervalDays?: number
  window: { begin: number; end: number }
  now: number
  issueSeq: number
}

/** T1: a new coupon, CONFIRMING until the partner confirms it. */
export function issueCoupon(i: IssueInput): UserCoupon {
  const coupon: UserCoupon = {
    couponCode: i.couponCode,
    stockId: i.stockId,
    productCouponId: i.productCouponId,
    brandId: i.brandId,
    mchid: i.mchid,
    openid: i.openid,
    appid: i.appid,
    state: 'CONFIRMING',
    validBegin: i.window.begin,
    validEnd: i.window.end,
    receiveTime: i.now,
    sendRequestNo: i.sendRequestNo,
    sendChannel: i.sendChannel ?? 'API',
    version: 1,
    issueSeq: i.issueSeq,
  }
  if (i.attach !== undefined) coupon.attach = i.attach
  if (i.channelCustomInfo !== undefined) coupon.channelCustomInfo = i.channelCustomInfo
  if (i.usageMode === 'SINGLE') {
    coupon.single = { used: false }
  } else {
    const rounds: Round[] = []
    for (let k = 0; k < (i.rounds ?? 1); k++) rounds.push({ used: false })
    coupon.sequential = { rounds, intervalDays: i.intervalDays ?? 0 }
  }
  return coupon
}

const LIVE: ReadonlySet<UserProductCouponState> = new Set(['CONFIRMING', 'PENDING', 'EFFECTIVE'])

/** T4/T7/T8: the state the clock implies. Every read and write looks through this. */
export function atTime(c: UserCoupon, now: number): UserCoupon {
  if (LIVE.has(c.state) && now > c.validEnd) return { ...c, state: 'EXPIRED' }
  if (c.state === 'PENDING' && now >= c.validBegin) return { ...c, state: 'EFFECTIVE' }
  return c
}

export function usedCount(c: UserCoupon): number {
  return c.sequential ? c.sequential.rounds.filter((r) => r.used).length : c.single?.used ? 1 : 0
}

export type RoundState = 'PENDING' | 'EFFECTIVE' | 'USED' | 'EXPIRED' | 'DELETED' | 'DEACTIVATED'

/** A round's state is derived from the coupon, the round and the clock; it is never stored. */
export function roundState(c: UserCoupon, round: Round, now: number): RoundState {
  if (round.used) return 'USED'
  switch (c.state) {
    case 'EXPIRED':
    case 'DELETED':
    case 'DEACTIVATED':
      return c.state
    case 'CONFIRMING':
    case 'PENDING':
      return 'PENDING'
    default:
      return round.begin !== undefined && now >= round.begin ? 'EFFECTIVE' : 'PENDING'
  }
}

/** Errors for a coupon that is not in the state an operation needs (§5 "Not allowed"). */
function stateError(state: UserProductCouponState): ErrorName {
  if (state === 'EXPIRED') return 'COUPON_EXPIRED'
  if (state === 'DELETED') return 'COUPON_DELETED'
  return 'COUPON_STATE_INVALID'
}

function next(c: UserCoupon, patch: Partial<UserCoupon>): UserCoupon {
  return { ...c, ...patch, version: c.version + 1 }
}

/** T2/T3: confirm. The window is not recomputed: a late confirm shortens the usable period. */
export function confirmCoupon(coupon: UserCoupon, requestNo: string, now: number): UserCoupon {
  const c = atTime(coupon, now)
  if (c.state !== 'CONFIRMING') throw wxError(stateError(c.state))
  const state = now < c.validBegin ? 'PENDING' : 'EFFECTIVE'
  const patch: Partial<UserCoupon> = { state, confirm: { requestNo, time: now } }
  if (c.sequential) {
    const rounds = c.sequential.rounds.map((r, k) => (k === 0 ? { ...r, begin: c.validBegin } : r))
    patch.sequential = { ...c.sequential, rounds }
  }
  return next(c, patch)
}

export interface ModeContext {
  now: number
  usageMode: UsageMode | 'PROGRESSIVE_BUNDLE'
  settings: BehaviourSettings
}

/** Q4: the index must be present exactly when the product coupon is SEQUENTIAL. */
function checkIndexPresence(index: number | undefined, ctx: ModeContext): void {
  const sequential = ctx.usageMode === 'SEQUENTIAL'
  if (sequential === (index !== undefined)) return
  const issue = sequential
    ? 'sequential_coupon_index is required when usage_mode is SEQUENTIAL'
    : 'sequential_coupon_index must not be sent when usage_mode is not SEQUENTIAL'
  const name = ctx.settings.indexMisuseError === 'PARAM_ERROR' ? 'PARAM_ERROR' : 'BUSINESS_RULE'
  throw wxError(name, { field: '/sequential_coupon_index', issue, location: 'body' })
}

export interface UseInput {
  requestNo: string
  useTime: number
  order?: AssociatedOrderInfo
  payScoreOrder?: AssociatedPayScoreOrderInfo
  index?: number
  /** The stock's weekly / irregular periods, if it restricts when coupons may be used. */
  window?: UsageWindowRules
}

/** T5/T6/T6b: use (redeem) the coupon, or round `index` of a SEQUENTIAL coupon. */
export function useCoupon(coupon: UserCoupon, input: UseInput, ctx: ModeContext): UserCoupon {
  checkIndexPresence(input.index, ctx)
  const now = ctx.now
  const c = atTime(coupon, now)
  if (c.state === 'USED') throw wxError('COUPON_USED_BY_OTHER_ORDER')
  if (c.state !== 'EFFECTIVE') throw wxError(stateError(c.state))
  if (input.useTime < c.validBegin || input.useTime > c.validEnd) {
    throw wxError('COUPON_NOT_IN_VALID_PERIOD', {
      field: '/use_time',
      issue: 'use_time must lie inside the coupon validity window',
      location: 'body',
    })
  }
  if (input.window && !isInUsageWindow(input.window, input.useTime)) {
    throw wxError('COUPON_NOT_IN_USAGE_WINDOW', {
      field: '/use_time',
      issue: "use_time is outside the stock's weekly or irregular usage periods",
      location: 'body',
    })
  }
  const use: UseRecord = { requestNo: input.requestNo, time: input.useTime }
  if (input.order) use.order = input.order
  if (input.payScoreOrder) use.payScoreOrder = input.payScoreOrder
  if (c.single) {
    return next(c, { state: 'USED', single: { ...c.single, used: true, use } })
  }
  const seq = c.sequential
  if (!seq || input.index === undefined) throw new Error('unreachable: index checked above')
  const k = input.index
  const expected = seq.rounds.findIndex((r) => !r.used)
  const round = seq.rounds[k]
  if (round === undefined || k !== expected) {
    throw wxError('SEQUENTIAL_INDEX_INVALID', {
      field: '/sequential_coupon_index',
      issue: `the next round to use is ${expected}`,
      location: 'body',
    })
  }
  if (roundState(c, round, now) !== 'EFFECTIVE') throw wxError('SEQUENTIAL_ROUND_NOT_AVAILABLE')
  const unlock = seq.intervalDays === 0 ? now : startOfBeijingDay(now) + seq.intervalDays * DAY
  const rounds = seq.rounds.map((r, i): Round => {
    if (i === k) return { ...r, used: true, use }
    if (i === k + 1 && !r.used) return { ...r, begin: unlock }
    return r
  })
  const allUsed = rounds.every((r) => r.used)
  return next(c, { state: allUsed ? 'USED' : 'EFFECTIVE', sequential: { ...seq, rounds } })
}

export interface ReturnInput {
  requestNo: string
  index?: number
}

function returnSlot<T extends UsageSlot>(slot: T, ret: ReturnRecord, keepUse: boolean): T {
  const { use, ...rest } = slot
  const returned = { ...rest, used: false, ret } as T
  if (keepUse && use) returned.use = use
  return returned
}

/** T11/T12: return (退券) — give a used coupon, or one used round, back to the user. */
export function returnCoupon(coupon: UserCoupon, input: ReturnInput, ctx: ModeContext): UserCoupon {
  checkIndexPresence(input.index, ctx)
  const now = ctx.now
  const c = atTime(coupon, now)
  const ret: ReturnRecord = { requestNo: input.requestNo, time: now }
  const keepUse = ctx.settings.keepUseInfoAfterReturn
  const pastEnd = now > c.validEnd && ctx.settings.returnAfterExpiry === 'reject'
  if (c.single) {
    if (c.state !== 'USED') throw wxError(stateError(c.state))
    if (pastEnd) throw wxError('COUPON_EXPIRED')
    const state = now < c.validBegin ? 'PENDING' : 'EFFECTIVE'
    return next(c, { state, single: returnSlot(c.single, ret, keepUse) })
  }
  const seq = c.sequential
  if (!seq || input.index === undefined) throw new Error('unreachable: index checked above')
  const k = input.index
  const round = seq.rounds[k]
  if (round === undefined) {
    throw wxError('SEQUENTIAL_INDEX_INVALID', {
      field: '/sequential_coupon_index',
      issue: `must be less than total_count (${seq.rounds.length})`,
      location: 'body',
    })
  }
  if (c.state !== 'USED' && c.state !== 'EFFECTIVE') throw wxError(stateError(c.state))
  if (pastEnd) throw wxError('COUPON_EXPIRED')
  if (!round.used) throw wxError('COUPON_STATE_INVALID')
  const latest = seq.rounds.reduce((last, r, i) => (r.used ? i : last), -1)
  if (ctx.settings.sequentialReturnPolicy === 'lifo' && k !== latest) {
    throw wxError('SEQUENTIAL_INDEX_INVALID', {
      field: '/sequential_coupon_index',
      issue: `only the most recently used round (${latest}) can be returned`,
      location: 'body',
    })
  }
  const rounds = seq.rounds.map((r, i): Round => {
    if (i === k) return returnSlot(r, ret, keepUse)
    // The round a use had unlocked is locked again: the returned round is the next to use.
    if (i === k + 1 && !r.used) {
      const { begin: _unlocked, ...locked } = r
      return locked
    }
    return r
  })
  return next(c, { state: 'EFFECTIVE', sequential: { ...seq, rounds } })
}

/** T10 (E14): the partner deactivates a coupon that is not yet used up. Irreversible. */
export function deactivateCoupon(
  coupon: UserCoupon,
  input: { requestNo: string; reason: string },
  now: number,
): UserCoupon {
  const c = atTime(coupon, now)
  if (!LIVE.has(c.state)) {
    throw wxError(c.state === 'DELETED' ? 'COUPON_DELETED' : 'COUPON_STATE_INVALID')
  }
  return next(c, {
    state: 'DEACTIVATED',
    deactivation: { requestNo: input.requestNo, time: now, reason: input.reason },
  })
}

/** T9: the user deletes the coupon from the wallet (sandbox control); no callback. */
export function deleteCoupon(coupon: UserCoupon, now: number): UserCoupon {
  const c = atTime(coupon, now)
  if (!LIVE.has(c.state)) throw wxError(stateError(c.state))
  return next(c, { state: 'DELETED', deletedAt: now })
}
