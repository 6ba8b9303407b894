import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Cluster } from './cluster.ts'
import {
  API,
  body,
  type CouponRef,
  couponPath,
  createProductCoupon,
  reqNo,
  sandboxNow,
  usedCoupon,
} from './fixtures.ts'
import type { Reply } from './harness.ts'
import { type HistoryOp, isLinearizable, type Model } from './linearizability.ts'

/**
 * Race scenarios shared by the race tests and their negative controls. Each runs one round
 * against a cluster (requests spread over its instances) and returns the invariants it saw
 * broken — empty when the round was clean — so a negative control can run the very same
 * check against a broken store and require that it is caught.
 */
export type Violations = string[]

/** Runs `round` n times; everything the rounds reported. */
export async function rounds(n: number, round: () => Promise<Violations>): Promise<Violations> {
  const all: Violations = []
  for (let i = 0; i < n; i++) all.push(...(await round()))
  return all
}

const STATE_INVALID = '用户券状态非法'

async function version(c: Cluster, ref: CouponRef): Promise<number> {
  return (await c.store.read.getUserCoupon(ref.stock_id, ref.coupon_code))?.version ?? 0
}

const returnBody = (ref: CouponRef, no: string) => body(ref, { out_request_no: no })

/** N identical returns (one request number) at once → N identical 200s, one state change. */
export async function identicalReturns(c: Cluster, n: number): Promise<Violations> {
  const ref = await usedCoupon(c.at(0))
  const before = await version(c, ref)
  const no = reqNo('RET')
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      c.at(i).call('POST', couponPath(ref, 'return'), returnBody(ref, no)),
    ),
  )
  const v: Violations = []
  const statuses = rs.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.json?.code}`)
  if (statuses.length) v.push(`non-200 answers to a replayed number: ${statuses.join(', ')}`)
  if (new Set(rs.map((r) => r.text)).size > 1) v.push('replays answered different bodies')
  const changes = (await version(c, ref)) - before
  if (changes !== 1) v.push(`state changes: ${changes} (expected 1)`)
  return v
}

/** N returns of one used coupon with different numbers → exactly one success. */
export async function competingReturns(c: Cluster, n: number): Promise<Violations> {
  const ref = await usedCoupon(c.at(0))
  const before = await version(c, ref)
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      c.at(i).call('POST', couponPath(ref, 'return'), returnBody(ref, reqNo('RET'))),
    ),
  )
  const v: Violations = []
  const ok = rs.filter((r) => r.status === 200).length
  if (ok !== 1) v.push(`successes: ${ok} returns of one use (expected 1)`)
  const odd = rs.filter(
    (r) => r.status !== 200 && !(r.status === 400 && r.json.message === STATE_INVALID),
  )
  if (odd.length) v.push(`unexpected answers: ${odd.map((r) => r.status).join(', ')}`)
  const changes = (await version(c, ref)) - before
  if (changes !== 1) v.push(`state changes: ${changes} (expected 1)`)
  return v
}

/** N identical sends (one send_request_no) at once → one coupon, N answers naming it. */
export async function identicalSends(c: Cluster, n: number): Promise<Violations> {
  const s = c.at(0)
  const pc = await createProductCoupon(s)
  const { appid, openid, brand_id } = s.sandbox
  const send = { ...pc, appid, brand_id, send_request_no: reqNo('SEND') }
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      c.at(i).call('POST', `${API}/users/${openid}/coupons`, send),
    ),
  )
  const v: Violations = []
  const bad = rs.filter((r) => r.status !== 200)
  if (bad.length) v.push(`non-200 answers to a replayed send: ${bad.map((r) => r.status)}`)
  const codes = new Set(rs.filter((r) => r.status === 200).map((r) => r.json.coupon_code))
  if (codes.size !== 1) v.push(`replays named ${codes.size} different coupons`)
  const held = await c.store.read.countUserCoupons(pc.stock_id, openid)
  if (held !== 1) v.push(`state changes: ${held} coupons issued for one send_request_no`)
  return v
}

/** 2 × users sends at once to a stock of max_count `max`, one per user → never more than `max`. */
export async function budgetSends(c: Cluster, users: number, max: number): Promise<Violations> {
  const s = c.at(0)
  const pc = await createProductCoupon(s, { maxCount: max, maxPerUser: 1 })
  const openids = await Promise.all(
    Array.from({ length: users }, async () => {
      const r = await s.admin('POST', '/sandbox/openids', { appid: s.sandbox.appid })
      return r.json.openid as string
    }),
  )
  const rs = await Promise.all(
    Array.from({ length: 2 * users }, (_, i) =>
      c.at(i).call('POST', `${API}/users/${openids[i % users]}/coupons`, {
        ...pc,
        appid: s.sandbox.appid,
        brand_id: s.sandbox.brand_id,
        send_request_no: reqNo('SEND'),
      }),
    ),
  )
  const v: Violations = []
  const ok = rs.filter((r) => r.status === 200).length
  if (ok !== Math.min(max, users)) v.push(`successes: ${ok} sends for a budget of ${max}`)
  const odd = rs.filter(
    (r) =>
      r.status !== 200 && !['批次已发放完', '用户领取券张数已达上限'].includes(r.json?.message),
  )
  if (odd.length) v.push(`unexpected answers: ${odd.map((r) => `${r.status} ${r.text}`)}`)
  const held = await Promise.all(openids.map((o) => c.store.read.countUserCoupons(pc.stock_id, o)))
  if (held.some((h) => h > 1)) v.push('state changes: a user holds more than max_count_per_user')
  const issued = held.reduce((a, b) => a + b, 0)
  if (issued > max) v.push(`state changes: ${issued} coupons issued for a budget of ${max}`)
  const stock = await c.store.read.getStock(pc.stock_id)
  if (stock && stock.sentTotal !== issued) {
    v.push(`sent_count_info says ${stock.sentTotal}, ${issued} coupons exist`)
  }
  return v
}

// ---- linearizability of use / return / deactivate / query on one coupon ----

type CouponState = 'EFFECTIVE' | 'USED' | 'DEACTIVATED'
type Op = 'use' | 'return' | 'deactivate' | 'query'
type Out = 'ok' | 'rejected' | CouponState

export const couponModel: Model<CouponState, Op, Out> = {
  init: 'USED',
  key: (s) => s,
  same: (a, b) => a === b,
  step(state, op) {
    const move = (from: CouponState, to: CouponState) =>
      state === from ? { state: to, output: 'ok' as const } : { state, output: 'rejected' as const }
    if (op === 'use') return move('EFFECTIVE', 'USED')
    if (op === 'return') return move('USED', 'EFFECTIVE')
    if (op === 'deactivate') return move('EFFECTIVE', 'DEACTIVATED')
    return { state, output: state }
  },
}

/** mulberry32: a seeded generator, so a failing round can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const MIX: Op[] = ['use', 'use', 'return', 'return', 'return', 'deactivate', 'query', 'query']

/**
 * `coupons` used coupons, each hit by the MIX of operations at once (a few ms of random
 * jitter so that some overlap and some do not), spread over the instances; every coupon's
 * history must be linearizable against couponModel.
 */
export async function interleavings(
  c: Cluster,
  coupons: number,
  random: () => number,
): Promise<Violations> {
  const s = c.at(0)
  const refs = await Promise.all(Array.from({ length: coupons }, () => usedCoupon(s)))
  const now = await sandboxNow(s)
  const v: Violations = []
  let instance = 0
  await Promise.all(
    refs.map(async (ref) => {
      const ops = [...MIX].sort(() => random() - 0.5)
      const history = await Promise.all(
        ops.map(async (op) => {
          await sleep(Math.floor(random() * 4))
          return timed(op, () => request(c.at(instance++), ref, op, now))
        }),
      )
      const odd = history.filter((h) => h.output === undefined)
      if (odd.length) {
        v.push(`unexpected answers on ${ref.coupon_code}: ${odd.map((h) => h.raw).join(' | ')}`)
      } else if (!isLinearizable(couponModel, history as HistoryOp<Op, Out>[])) {
        const trace = history.map((h) => `${h.input}→${h.output}`).join(', ')
        v.push(`not linearizable on ${ref.coupon_code}: ${trace}`)
      }
    }),
  )
  return v
}

async function timed(
  op: Op,
  send: () => Promise<Reply>,
): Promise<HistoryOp<Op, Out | undefined> & { raw: string }> {
  const invokedAt = performance.now()
  const r = await send()
  const completedAt = performance.now()
  let output: Out | undefined
  if (op === 'query') output = r.status === 200 ? r.json.coupon_state : undefined
  else if (r.status === 200) output = 'ok'
  else if (r.status === 400 && r.json.code === 'INVALID_REQUEST') output = 'rejected'
  return { input: op, output, invokedAt, completedAt, raw: `${op} ${r.status} ${r.text}` }
}

function request(s: Cluster['servers'][number], ref: CouponRef, op: Op, now: string) {
  if (op === 'query') {
    const q = `product_coupon_id=${ref.product_coupon_id}&stock_id=${ref.stock_id}&appid=${ref.appid}&brand_id=${ref.brand_id}`
    return s.call('GET', `${couponPath(ref)}?${q}`)
  }
  const extra =
    op === 'use'
      ? {
          use_time: now,
          associated_order_info: { transaction_id: '4200000000123456789123456789' },
        }
      : op === 'deactivate'
        ? { deactivate_reason: '竞态测试' }
        : {}
  return s.call('POST', couponPath(ref, op), body(ref, { out_request_no: reqNo(op), ...extra }))
}
