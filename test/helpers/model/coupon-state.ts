import { DAY, dayNumber, startOfDay } from './time.ts'

/**
 * The reference model's data (one stock's coupons, its budgets, the request numbers it has
 * seen) and how to read it at a given time, since the clock moves states without a write.
 */

export type CouponState =
  | 'CONFIRMING'
  | 'PENDING'
  | 'EFFECTIVE'
  | 'USED'
  | 'EXPIRED'
  | 'DELETED'
  | 'DEACTIVATED'

export const COUPON_STATES: readonly CouponState[] = [
  'CONFIRMING',
  'PENDING',
  'EFFECTIVE',
  'USED',
  'EXPIRED',
  'DELETED',
  'DEACTIVATED',
]

/** States the clock can still move (T4, T7, T8) and the ones deactivate/delete accept. */
export const LIVE = new Set<CouponState>(['CONFIRMING', 'PENDING', 'EFFECTIVE'])

export interface RunConfig {
  mode: 'SINGLE' | 'SEQUENTIAL'
  /** SEQUENTIAL: sequential_usage_info.count; 1 for SINGLE. */
  rounds: number
  intervalDays: number
  /** available_days; 0 = unset (SINGLE only: the coupon gets the whole stock window). */
  availableDays: number
  waitDays: number
  /** The stock window ends at 23:59:59 of this many days after the run starts. */
  stockDays: number
  maxCount: number
  maxPerUser: number
  /** 0 = no max_count_per_day. */
  maxPerDay: number
  users: number
}

export interface UseRecord {
  requestNo: string
  time: string
  order: { transaction_id: string }
}

/** One redemption slot: the whole coupon (SINGLE) or one round (SEQUENTIAL). */
export interface Slot {
  used: boolean
  use?: UseRecord
  ret?: { requestNo: string; time: number }
  /** SEQUENTIAL: when the round was unlocked (confirm for round 0, the previous use else). */
  begin?: number
}

export interface ModelCoupon {
  code: string
  openid: string
  sendRequestNo: string
  receive: number
  begin: number
  end: number
  /** The state as last written by an operation; the clock's effect is applied on reading. */
  state: CouponState
  confirm?: { requestNo: string; time: number }
  deactivation?: { requestNo: string; time: number; reason: string }
  deletedAt?: number
  slots: Slot[]
}

export type Op = 'send' | 'confirm' | 'use' | 'return' | 'deactivate'

/** A processed request number (protocol §8): key (brand, operation, number). */
export interface RequestRecord {
  op: Op
  requestNo: string
  fingerprint: string
  code: string
  openid: string
  path: string
  body: Record<string, unknown>
  /** The first answer, to show a replay with nothing changed in between is identical. */
  firstText: string
  firstExpected: unknown
}

export interface CouponModel {
  cfg: RunConfig
  /**
   * A lower bound of the server's business time: the latest time it reported. Runs keep
   * every boundary hours away from it (see MARGIN in real-system.ts), so rules compare against it safely.
   */
  now: number
  stockBegin: number
  stockEnd: number
  coupons: ModelCoupon[]
  sentTotal: number
  sentByDay: Map<number, number>
  records: RequestRecord[]
  /** Numbers of requests that failed: they were never consumed (protocol §8 rule 4). */
  failedNos: string[]
}

export function newModel(cfg: RunConfig, now: number): CouponModel {
  return {
    cfg,
    now,
    stockBegin: startOfDay(now) - DAY,
    stockEnd: startOfDay(now) + cfg.stockDays * DAY - 1,
    coupons: [],
    sentTotal: 0,
    sentByDay: new Map(),
    records: [],
    failedNos: [],
  }
}

// ---- reading the clock ----

/** T4/T7/T8: expiry wins over PENDING → EFFECTIVE; USED never expires (§5). */
export function stateAt(c: ModelCoupon, now: number): CouponState {
  if (LIVE.has(c.state) && now > c.end) return 'EXPIRED'
  if (c.state === 'PENDING' && now >= c.begin) return 'EFFECTIVE'
  return c.state
}

/** §4.4: a used round stays USED; others follow the coupon, then their unlock time. */
export function roundState(c: ModelCoupon, slot: Slot, now: number): string {
  if (slot.used) return 'USED'
  const s = stateAt(c, now)
  if (s === 'EXPIRED' || s === 'DELETED' || s === 'DEACTIVATED') return s
  if (s === 'CONFIRMING' || s === 'PENDING') return 'PENDING'
  return slot.begin !== undefined && now >= slot.begin ? 'EFFECTIVE' : 'PENDING'
}

export function usedCount(c: ModelCoupon): number {
  return c.slots.filter((s) => s.used).length
}

export function stockState(m: CouponModel): 'SENDING' | 'STOPPED' {
  return m.now > m.stockEnd ? 'STOPPED' : 'SENDING'
}

export function sentToday(m: CouponModel): number {
  return m.sentByDay.get(dayNumber(m.now)) ?? 0
}

/** §3.4: the window is fixed at issuance from receive time, wait days and available days. */
export function validityWindow(m: CouponModel, t: number): { begin: number; end: number } {
  const { availableDays: n, waitDays: w } = m.cfg
  if (n === 0) return { begin: m.stockBegin, end: m.stockEnd }
  const begin = w > 0 ? startOfDay(t) + w * DAY : Math.max(t, m.stockBegin)
  return { begin, end: Math.min(startOfDay(begin) + n * DAY - 1, m.stockEnd) }
}

// ---- request numbers ----

/** JSON with sorted keys: the same request in any key order has one fingerprint. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v)
}

export type Seen =
  | { kind: 'fresh' }
  | { kind: 'replay'; record: RequestRecord }
  | { kind: 'conflict' }

/** Protocol §8: same number + same data → replay; same number + other data → conflict. */
export function seen(m: CouponModel, op: Op, requestNo: string, fingerprint: string): Seen {
  const record = m.records.find((r) => r.op === op && r.requestNo === requestNo)
  if (!record) return { kind: 'fresh' }
  return record.fingerprint === fingerprint ? { kind: 'replay', record } : { kind: 'conflict' }
}
