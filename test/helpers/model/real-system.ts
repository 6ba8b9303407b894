import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import { ERRORS, type ErrorName } from '../../../src/domain/errors.ts'
import { API, productCouponBody } from '../fixtures.ts'
import { expectError, type Reply, type TestServer } from '../harness.ts'
import * as M from './reference.ts'

/**
 * The real system side of the model-based test: the world a run shares between the model and
 * the server, calls on the server, and the checks that its answers are what the model predicts.
 */

/**
 * Every run starts at 06:00 Beijing time and the clock only moves in steps of 12 h, so the
 * business time sits at 06:00 or 18:00 plus the seconds the run has taken. Every boundary the
 * rules compare with (validity ends at 23:59:59, waits and round unlocks at 00:00, receive
 * times in the past) is then hours away, and the model may judge with the last time the server
 * showed although the server's own "now" is a few seconds later. A run that somehow drifted by
 * this much fails loudly instead of flaking.
 */
const MARGIN = 5 * M.HOUR
const START_HOUR = 6

export interface World extends M.CouponModel {
  t: M.Templates
  productCouponId: string
  stockId: string
  appid: string
  openids: string[]
  /** Run start plus every clock advance: where the clock would be if requests took no time. */
  ideal: number
  orders: number
}

export interface Real {
  s: TestServer
}

export const stats = { runs: 0, commands: 0, outcomes: new Map<string, number>() }
export function count(command: string, outcome: string): void {
  const key = `${command} → ${outcome}`
  stats.outcomes.set(key, (stats.outcomes.get(key) ?? 0) + 1)
}

// ---- talking to the server ----

export function ref(w: World) {
  return {
    product_coupon_id: w.productCouponId,
    stock_id: w.stockId,
    appid: w.appid,
    brand_id: w.t.brandId,
  }
}

export function couponPath(c: { openid: string; code: string }, action?: string): string {
  return `${API}/users/${c.openid}/coupons/${c.code}${action ? `/${action}` : ''}`
}

export function pick<T>(xs: readonly T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length]
}

/** A time the server chose ("now" at the request): never earlier than one it showed before. */
export function learnNow(w: World, shown: unknown, what: string): number {
  const t = M.parseTime(shown)
  assert.ok(t >= w.now, `${what} ${String(shown)} precedes ${M.formatTime(w.now)}`)
  assert.ok(t < w.ideal + MARGIN, `${what} ${String(shown)}: the run drifted too far to judge`)
  w.now = t
  return t
}

export function expectFailure(r: Reply, name: ErrorName): void {
  const e = ERRORS[name]
  expectError(r, e.status, e.code, e.message, { numeric: e.numeric })
}

export function expectCoupon(w: World, r: Reply, c: M.ModelCoupon): Record<string, unknown> {
  assert.equal(r.status, 200, r.text)
  const expected = M.expectedEntity(w, w.t, c)
  assert.deepEqual(r.json, expected)
  return expected
}

function couponOf(w: World, code: string): M.ModelCoupon {
  const c = w.coupons.find((x) => x.code === code)
  if (!c) throw new Error(`model has no coupon ${code}`)
  return c
}

/**
 * Same number, same data: 200 with the coupon as it is now (replayResponse 'current'), and
 * nothing changes again. When nothing has changed since the first answer, the replay must be
 * that answer byte for byte.
 */
export function expectReplay(w: World, r: Reply, record: M.RequestRecord): string {
  const expected = expectCoupon(w, r, couponOf(w, record.code))
  if (!isDeepStrictEqual(expected, record.firstExpected)) return 'replay (current coupon)'
  assert.equal(r.text, record.firstText, 'nothing changed since: the very same answer')
  return 'replay (same bytes)'
}

export const fingerprint = (openid: string, code: string | undefined, body: unknown) =>
  M.canonical({ openid, code, body })

interface Mutation {
  op: M.Op
  c: M.ModelCoupon
  requestNo: string
  body: Record<string, unknown>
  decide(): ErrorName | undefined
  /** Learns the server-chosen times from the answer and moves the model. */
  apply(json: Record<string, unknown>): void
}

/**
 * The shape every coupon write shares: protocol §8 first (a replay or a conflict never
 * reaches the business rules), then the rule decides between one error and one new state.
 */
export async function mutate(w: World, real: Real, name: string, m: Mutation): Promise<void> {
  const path = couponPath(m.c, m.op)
  const fp = fingerprint(m.c.openid, m.c.code, m.body)
  const prior = M.seen(w, m.op, m.requestNo, fp)
  const r = await real.s.call('POST', path, m.body)
  if (prior.kind === 'conflict') {
    count(name, 'REQUEST_NO_CONFLICT')
    return expectFailure(r, 'REQUEST_NO_CONFLICT')
  }
  if (prior.kind === 'replay') return count(name, expectReplay(w, r, prior.record))
  const err = m.decide()
  if (err) {
    count(name, err)
    expectFailure(r, err)
    w.failedNos.push(m.requestNo)
    return
  }
  count(name, 'ok')
  assert.equal(r.status, 200, r.text)
  m.apply(r.json)
  const expected = expectCoupon(w, r, m.c)
  w.records.push({
    op: m.op,
    requestNo: m.requestNo,
    fingerprint: fp,
    code: m.c.code,
    openid: m.c.openid,
    path,
    body: m.body,
    firstText: r.text,
    firstExpected: expected,
  })
}

export async function setup(
  s: TestServer,
  cfg: M.RunConfig,
): Promise<{ model: World; real: Real }> {
  stats.runs++
  const clock = await s.admin('GET', '/sandbox/clock')
  assert.equal(clock.status, 200, clock.text)
  const start = M.startOfDay(M.parseTime(clock.json.now)) + M.DAY + START_HOUR * M.HOUR
  const set = await s.admin('POST', '/sandbox/clock', { now: M.formatTime(start) })
  assert.equal(set.status, 200, set.text)
  const base = M.newModel(cfg, start)

  const b = productCouponBody(s, {
    mode: cfg.mode,
    rounds: cfg.rounds,
    intervalDays: cfg.intervalDays,
    maxCount: cfg.maxCount,
    maxPerUser: cfg.maxPerUser,
    maxPerDay: cfg.maxPerDay,
    ...(cfg.mode === 'SEQUENTIAL' ? { availableDays: cfg.availableDays } : {}),
  })
  // The fixture's window follows the real clock; the runs move the sandbox clock far ahead.
  const period = {
    available_begin_time: M.formatTime(base.stockBegin),
    available_end_time: M.formatTime(base.stockEnd),
    ...(cfg.mode === 'SINGLE' && cfg.availableDays ? { available_days: cfg.availableDays } : {}),
    ...(cfg.waitDays ? { wait_days_after_receive: cfg.waitDays } : {}),
  }
  const rule = b.stock.single_usage_rule ?? b.stock.sequential_usage_rule
  assert.ok(rule)
  rule.coupon_available_period = period
  const created = await s.call('POST', `${API}/product-coupons`, b)
  assert.equal(created.status, 200, created.text)
  const { stock, ...productCoupon } = created.json
  assert.equal(stock.state, 'SENDING', created.text)

  const appid = s.sandbox.appid
  const openids: string[] = []
  for (let i = 0; i < cfg.users; i++) {
    const r = await s.admin('POST', '/sandbox/openids', { appid })
    assert.equal(r.status, 200, r.text)
    openids.push(r.json.openid)
  }
  const model: World = {
    ...base,
    t: { brandId: s.sandbox.brand_id, productCoupon, stock },
    productCouponId: productCoupon.product_coupon_id,
    stockId: stock.stock_id,
    appid,
    openids,
    ideal: start,
    orders: 0,
  }
  learnNow(model, set.json.now, 'the clock set for the run')
  return { model, real: { s } }
}
