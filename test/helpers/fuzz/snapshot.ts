import { join } from 'node:path'
import Database from 'better-sqlite3'

/**
 * The whole database before and after the fuzz, read from the SQLite file, so that "never a
 * state change" is checked row by row rather than through the API.
 */

type Row = Record<string, unknown>
export type Snapshot = Record<string, Row[]>

/** Columns the callback worker may legitimately move in the background. */
const WORKER_OWNED: Record<string, string[]> = {
  notifications: ['state', 'attempts', 'next_attempt_at', 'lease_until'],
}
// The request journal records every request, refused ones too: a log of what was asked, not
// state the requests could have changed.
const SKIPPED_TABLES = new Set(['notification_attempts', 'rate_counters', 'request_journal'])
const SKIPPED_SEQUENCES = new Set(['journal'])

/** Every row of every table, read straight from the SQLite file next to the server. */
export function snapshot(dataDir: string): Snapshot {
  const db = new Database(join(dataDir, 'wxcoupon.db'), { readonly: true, fileMustExist: true })
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .pluck()
      .all() as string[]
    const out: Snapshot = {}
    for (const table of tables.filter((x) => !SKIPPED_TABLES.has(x)).sort()) {
      const rows = db.prepare(`select * from "${table}"`).all() as Row[]
      const kept =
        table === 'sequences' ? rows.filter((r) => !SKIPPED_SEQUENCES.has(String(r.name))) : rows
      out[table] = kept.map((row) => {
        const copy = { ...row }
        for (const col of WORKER_OWNED[table] ?? []) delete copy[col]
        return copy
      })
    }
    return out
  } finally {
    db.close()
  }
}

/** Takes out of `after` what accepted schema-valid creates added, so the rest must be equal. */
export function withoutCreated(after: Snapshot, before: Snapshot, created: Set<string>): Snapshot {
  const out: Snapshot = {}
  for (const [table, rows] of Object.entries(after)) {
    out[table] = rows.filter((r) => {
      if (table === 'product_coupons' || table === 'stocks') {
        return !created.has(String(r.product_coupon_id))
      }
      if (table === 'idempotency') {
        return !created.has(String(r.resource_id).split('/')[0] ?? '')
      }
      if (table === 'sequences') return !created.has(String(r.name).replace(/^stock:/, ''))
      return true
    })
  }
  // Each accepted create took one product coupon number.
  const seq = (snap: Snapshot) =>
    (snap.sequences ?? []).find((r) => r.name === 'product_coupon') as Row | undefined
  const now = seq(out)
  const was = seq(before)
  if (now && created.size > 0 && Number(now.value) === Number(was?.value ?? 0) + created.size) {
    if (was) now.value = was.value
    else out.sequences = (out.sequences ?? []).filter((r) => r !== now)
  }
  return out
}

export function diff(a: Snapshot, b: Snapshot): string[] {
  const lines: string[] = []
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = new Set((a[table] ?? []).map((r) => JSON.stringify(r)))
    const y = new Set((b[table] ?? []).map((r) => JSON.stringify(r)))
    const gone = [...x].filter((r) => !y.has(r))
    const added = [...y].filter((r) => !x.has(r))
    for (const r of gone.slice(0, 3)) lines.push(`${table} - ${r.slice(0, 300)}`)
    for (const r of added.slice(0, 3)) lines.push(`${table} + ${r.slice(0, 300)}`)
  }
  return lines
}
