import { setTimeout as sleep } from 'node:timers/promises'
import { signRequest } from '../../packages/sdk/src/protocol/authorization.ts'
import { formatRfc3339 } from '../../src/domain/time.ts'
import { API } from './fixtures.ts'
import type { PartnerCreds } from './harness.ts'

/**
 * The client side of the crash loop: workers that drive coupons through their life cycle
 * while servers die under them, keeping a Jepsen-style history. An operation whose answer
 * never came (connection refused or reset, timeout, 5xx) is indeterminate; the worker retries
 * it with the same request number and body — what a real client must do — until a definite
 * answer arrives. Each coupon belongs to one worker at a time, so the client knows exactly
 * what state every coupon must be in, and every definite answer is checked against that.
 */

export type CouponState = 'CONFIRMING' | 'EFFECTIVE' | 'USED' | 'DEACTIVATED'
export type Kind = 'send' | 'confirm' | 'use' | 'return' | 'deactivate' | 'query' | 'replay'

export interface Coupon {
  stockId: string
  productCouponId: string
  code: string
  openid: string
  state: CouponState
  busy: boolean
}

export interface Stock {
  productCouponId: string
  stockId: string
  /** Sends may be refused (budget exhausted); unlimited ones never are. */
  limited: boolean
}

export interface HistoryEntry {
  kind: Kind
  /** The idempotency ledger's operation name (undefined for queries). */
  operation?: string
  requestNo?: string
  coupon?: string
  /** Tries until a definite answer; > 1 means the first answer was indeterminate. */
  tries: number
  status: number
  code?: string
  ok: boolean
  method: string
  path: string
  body: string
}

export interface Workload {
  readonly history: HistoryEntry[]
  readonly coupons: Coupon[]
  /** Definite answers that contradict what the client knew (must stay empty). */
  readonly surprises: string[]
  /** 5xx answers seen (each retried as indeterminate). */
  serverErrors: number
  stop(): Promise<void>
}

export interface Target {
  partner: PartnerCreds
  brandId: string
  appid: string
  openids: string[]
  stocks: Stock[]
  /** Base URLs of the instances that are up right now. */
  live(): string[]
}

let seq = 0
const no = (p: string) => `${p}${process.pid}x${Date.now().toString(36)}x${++seq}`.slice(0, 40)
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T

/** One signed request; throws on a network failure or timeout. */
export async function signedFetch(
  baseUrl: string,
  partner: PartnerCreds,
  method: string,
  path: string,
  body: string,
): Promise<{ status: number; json: Record<string, unknown> | undefined; text: string }> {
  const { authorization } = signRequest({
    method,
    url: path,
    body,
    mchid: partner.mchid,
    serialNo: partner.serialNo,
    privateKey: partner.privateKey,
  })
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: authorization,
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body ? { body } : {}),
    signal: AbortSignal.timeout(5000),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text }
}

export function startWorkload(t: Target, workers: number): Workload {
  const history: HistoryEntry[] = []
  const coupons: Coupon[] = []
  const surprises: string[] = []
  let stopped = false
  const w: Workload = {
    history,
    coupons,
    surprises,
    serverErrors: 0,
    async stop() {
      stopped = true
      await Promise.all(loops)
    },
  }

  /** Until a definite answer (bounded: about two minutes of refusals). */
  async function send(e: Omit<HistoryEntry, 'tries' | 'status' | 'ok'>): Promise<HistoryEntry> {
    for (let tries = 1; tries <= 1200; tries++) {
      const urls = t.live()
      try {
        if (urls.length === 0) throw new Error('no instance up')
        const r = await signedFetch(pick(urls), t.partner, e.method, e.path, e.body)
        if (r.status >= 500) {
          w.serverErrors++
          throw new Error(`${r.status}`)
        }
        const code = r.json?.code as string | undefined
        const entry = {
          ...e,
          tries,
          status: r.status,
          ok: r.status === 200,
          ...(code ? { code } : {}),
        }
        history.push(entry)
        return Object.assign(entry, { json: r.json })
      } catch {
        await sleep(50 + Math.random() * 100)
      }
    }
    throw new Error(`no definite answer to ${e.kind} ${e.requestNo}`)
  }

  const couponBody = (c: Coupon, extra: Record<string, unknown>) =>
    JSON.stringify({
      product_coupon_id: c.productCouponId,
      stock_id: c.stockId,
      appid: t.appid,
      brand_id: t.brandId,
      ...extra,
    })
  const couponPath = (c: Coupon, action = '') =>
    `${API}/users/${c.openid}/coupons/${c.code}${action ? `/${action}` : ''}`

  function expect(c: Coupon, kind: Kind, ok: boolean, predicted: boolean, detail: string) {
    if (ok !== predicted) surprises.push(`${kind} on ${c.code} in ${c.state}: ${detail}`)
  }

  async function sendCoupon() {
    const stock =
      Math.random() < 0.2
        ? pick(t.stocks.filter((s) => s.limited))
        : pick(t.stocks.filter((s) => !s.limited))
    const openid = pick(t.openids)
    const requestNo = no('SEND')
    const body = JSON.stringify({
      product_coupon_id: stock.productCouponId,
      stock_id: stock.stockId,
      appid: t.appid,
      brand_id: t.brandId,
      send_request_no: requestNo,
    })
    const r = (await send({
      kind: 'send',
      operation: 'send',
      requestNo,
      method: 'POST',
      path: `${API}/users/${openid}/coupons`,
      body,
    })) as HistoryEntry & { json?: Record<string, unknown> }
    if (r.ok) {
      const code = String(r.json?.coupon_code)
      r.coupon = code
      coupons.push({ ...stock, code, openid, state: 'CONFIRMING', busy: false })
    } else if (!stock.limited) {
      surprises.push(`send to an unlimited stock refused: ${r.status} ${r.code}`)
    }
  }

  const next: Record<CouponState, Kind | undefined> = {
    CONFIRMING: 'confirm',
    EFFECTIVE: 'use',
    USED: 'return',
    DEACTIVATED: undefined,
  }
  const after: Partial<Record<Kind, CouponState>> = {
    confirm: 'EFFECTIVE',
    use: 'USED',
    return: 'EFFECTIVE',
    deactivate: 'DEACTIVATED',
  }

  async function moveCoupon(c: Coupon) {
    const roll = Math.random()
    if (roll < 0.1) return query(c)
    if (roll < 0.15) return replay(c)
    let kind = next[c.state]
    if (kind === 'use' && roll > 0.97) kind = 'deactivate'
    // Now and then an operation the coupon's state forbids: it must be refused, harmlessly.
    if (roll > 0.93 && roll <= 0.97) kind = pick(['use', 'return', 'confirm'] as const)
    if (!kind) return query(c)
    const requestNo = no(kind.slice(0, 3).toUpperCase())
    const extra: Record<string, unknown> = { out_request_no: requestNo }
    if (kind === 'use') {
      extra.use_time = formatRfc3339(Math.floor(Date.now() / 1000) - 1)
      extra.associated_order_info = { transaction_id: '4200000000123456789123456789' }
    }
    if (kind === 'deactivate') extra.deactivate_reason = '崩溃测试'
    const r = await send({
      kind,
      operation: kind,
      requestNo,
      coupon: c.code,
      method: 'POST',
      path: couponPath(c, kind),
      body: couponBody(c, extra),
    })
    const predicted = next[c.state] === kind || (kind === 'deactivate' && c.state === 'EFFECTIVE')
    expect(c, kind, r.ok, predicted, `${r.status} ${r.code ?? ''}`)
    if (r.ok) c.state = after[kind] as CouponState
  }

  async function query(c: Coupon) {
    const q = `product_coupon_id=${c.productCouponId}&stock_id=${c.stockId}&appid=${t.appid}&brand_id=${t.brandId}`
    const r = (await send({
      kind: 'query',
      coupon: c.code,
      method: 'GET',
      path: `${couponPath(c)}?${q}`,
      body: '',
    })) as HistoryEntry & { json?: Record<string, unknown> }
    const seen = r.json?.coupon_state
    if (!r.ok || seen !== c.state)
      surprises.push(`query of ${c.code}: ${seen ?? r.status}, expected ${c.state}`)
  }

  /** An acknowledged request sent again verbatim: 200, and (checked later) no new effect. */
  async function replay(c: Coupon) {
    const done = history.filter(
      (h) => h.ok && h.coupon === c.code && h.requestNo && h.kind !== 'replay',
    )
    if (done.length === 0) return query(c)
    const h = pick(done)
    const r = await send({ ...h, kind: 'replay' })
    if (!r.ok) surprises.push(`replay of ${h.kind} ${h.requestNo}: ${r.status} ${r.code}`)
  }

  async function loop() {
    while (!stopped) {
      const idle = coupons.filter((c) => !c.busy && c.state !== 'DEACTIVATED')
      if (idle.length < 4 || Math.random() < 0.3) {
        await sendCoupon()
        continue
      }
      const c = pick(idle)
      c.busy = true
      try {
        await moveCoupon(c)
      } finally {
        c.busy = false
      }
    }
  }
  const loops = Array.from({ length: workers }, loop)
  return w
}
