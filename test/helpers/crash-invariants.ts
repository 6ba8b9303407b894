import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import type { Store } from '../../src/store/store.ts'
import type { Target, Workload } from './crash-workload.ts'

/**
 * After a crash loop: what the client was told against what the database holds. Every
 * acknowledged operation is in the request-number ledger and nothing else is (failed and
 * never-executed requests left no trace); no coupon was returned more often than used; the
 * coupons are exactly those whose sends were acknowledged; sent counts agree with them; every
 * issued coupon has exactly one SEND notification.
 */
export interface RawDb {
  rows(sql: string): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export function rawDb(o: { sqliteFile?: string; databaseUrl?: string }): RawDb {
  if (o.sqliteFile) {
    const db = new BetterSqlite3(o.sqliteFile, { readonly: true })
    return {
      rows: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
      close: async () => {
        db.close()
      },
    }
  }
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 1 })
  return {
    rows: async (sql) => (await pool.query(sql)).rows,
    close: () => pool.end(),
  }
}

const COUPON_OPS = ['send', 'confirm', 'use', 'return', 'deactivate']

export async function checkInvariants(p: {
  db: RawDb
  store: Store
  workload: Workload
  target: Target
  limitedMax: number
}): Promise<string[]> {
  const { db, workload: w, target: t } = p
  const v: string[] = [...w.surprises]
  const coupons = new Map(w.coupons.map((c) => [`${c.stockId}/${c.code}`, c]))

  // The ledger of request numbers against the acknowledged operations.
  const ledger = await db.rows(
    `select operation, request_no, resource_id from idempotency where operation in (${COUPON_OPS.map((o) => `'${o}'`).join(',')})`,
  )
  const acked = new Map<string, string | undefined>()
  for (const h of w.history) {
    if (h.ok && h.kind !== 'replay' && h.operation)
      acked.set(`${h.operation}|${h.requestNo}`, h.coupon)
  }
  const inLedger = new Set<string>()
  const uses = new Map<string, number>()
  const returns = new Map<string, number>()
  for (const r of ledger) {
    const key = `${r.operation}|${r.request_no}`
    inLedger.add(key)
    if (!acked.has(key))
      v.push(`phantom effect: ${key} is in the ledger but was never acknowledged`)
    const code = String(r.resource_id).split('/')[1]
    if (acked.has(key) && acked.get(key) !== code)
      v.push(`${key} changed ${code}, acknowledged for ${acked.get(key)}`)
    const count = r.operation === 'use' ? uses : r.operation === 'return' ? returns : undefined
    count?.set(String(r.resource_id), (count.get(String(r.resource_id)) ?? 0) + 1)
  }
  for (const key of acked.keys())
    if (!inLedger.has(key)) v.push(`lost: acknowledged ${key} is not in the ledger`)
  for (const [id, n] of returns) {
    const u = uses.get(id) ?? 0
    if (n > u) v.push(`${id} returned ${n} times for ${u} uses`)
  }
  for (const [id, u] of uses) {
    const n = returns.get(id) ?? 0
    const c = coupons.get(id)
    if (u > n + 1) v.push(`${id} used ${u} times with ${n} returns`)
    if (c && (c.state === 'USED') !== (u === n + 1))
      v.push(`${id} is ${c.state} after ${u} uses, ${n} returns`)
  }

  // The coupons are exactly the acknowledged sends', in the states the client knows.
  const stored = await db.rows('select stock_id, coupon_code, state from user_coupons')
  const storedIds = new Set(stored.map((r) => `${r.stock_id}/${r.coupon_code}`))
  for (const id of storedIds) if (!coupons.has(id)) v.push(`phantom coupon ${id}`)
  for (const id of coupons.keys()) if (!storedIds.has(id)) v.push(`lost coupon ${id}`)
  for (const r of stored) {
    const c = coupons.get(`${r.stock_id}/${r.coupon_code}`)
    if (c && c.state !== r.state)
      v.push(`${r.coupon_code} stored ${r.state}, acknowledged ${c.state}`)
  }

  // sent_count_info agrees with the coupons; budgets hold.
  for (const s of t.stocks) {
    const stock = await p.store.read.getStock(s.stockId)
    const n = stored.filter((r) => r.stock_id === s.stockId).length
    if (stock?.sentTotal !== n)
      v.push(`stock ${s.stockId}: sent_total ${stock?.sentTotal}, ${n} coupons`)
    if (s.limited && n > p.limitedMax)
      v.push(`stock ${s.stockId}: ${n} issued, max_count ${p.limitedMax}`)
  }

  // Exactly one SEND notification per issued coupon.
  const sends = await db.rows(
    "select payload from notifications where event_type = 'PRODUCT_COUPON_SP.SEND'",
  )
  const notified = new Map<string, number>()
  for (const r of sends) {
    const payload = JSON.parse(String(r.payload)) as { stock_id: string; coupon_code: string }
    const id = `${payload.stock_id}/${payload.coupon_code}`
    notified.set(id, (notified.get(id) ?? 0) + 1)
  }
  for (const id of storedIds) {
    const n = notified.get(id) ?? 0
    if (n !== 1) v.push(`coupon ${id} has ${n} SEND notifications`)
  }
  return v
}
