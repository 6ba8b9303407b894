import type { Database } from '../schema.ts'
import type { JournalFilter, JournalRecord } from '../store.ts'
import { Executor } from './executor.ts'
import { nextSequence } from './meta.ts'

type Row = Database['request_journal']

/**
 * The request journal (server/journal/): appended in batches off the request path, pruned per
 * tenant, read newest first. Entries are numbered from the shared sequence inside the batch's
 * transaction, so numbers follow commit order across instances and a reader that follows the
 * numbers misses none.
 */
export class JournalQueries extends Executor {
  async insertJournal(entries: readonly Omit<JournalRecord, 'seq'>[]): Promise<void> {
    if (entries.length === 0) return
    const last = await nextSequence(this.db, 'journal', entries.length)
    const first = last - entries.length + 1
    await this.insertMany(
      'request_journal',
      entries.map((e, i) => journalRow(e, first + i)),
    )
  }

  async pruneJournal(mchid: string, keep: number, limit: number): Promise<number> {
    const edge = await this.db
      .selectFrom('request_journal')
      .select('seq')
      .where('mchid', '=', mchid)
      .orderBy('seq', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst()
    if (!edge) return 0
    const r = await this.db
      .deleteFrom('request_journal')
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('request_journal')
          .select('seq')
          .where('mchid', '=', mchid)
          .where('seq', '<=', Number(edge.seq))
          .orderBy('seq')
          .limit(limit),
      )
      .executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  async clearJournal(): Promise<void> {
    await this.db.deleteFrom('request_journal').execute()
  }

  async listJournal(f: JournalFilter): Promise<JournalRecord[]> {
    let q = this.db.selectFrom('request_journal').selectAll()
    if (f.mchid !== undefined) q = q.where('mchid', '=', f.mchid)
    if (f.status !== undefined) {
      q = q.where('status', '>=', f.status.min).where('status', '<=', f.status.max)
    }
    if (f.operation !== undefined) q = q.where('operation', '=', f.operation)
    if (f.couponCode !== undefined) q = q.where('coupon_code', '=', f.couponCode)
    if (f.stockId !== undefined) q = q.where('stock_id', '=', f.stockId)
    if (f.requestId !== undefined) q = q.where('request_id', '=', f.requestId)
    if (f.afterSeq !== undefined) q = q.where('seq', '>', f.afterSeq)
    if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq)
    const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute()
    return rows.map(toJournal)
  }
}

function journalRow(e: Omit<JournalRecord, 'seq'>, seq: number): Row {
  return {
    seq,
    request_id: e.requestId,
    mchid: e.mchid,
    at: e.at,
    sandbox_time: e.sandboxTime,
    method: e.method,
    url: e.url,
    operation: e.operation ?? null,
    status: e.status,
    code: e.code ?? null,
    duration_us: Math.round(e.durationMs * 1000),
    stock_id: e.stockId ?? null,
    coupon_code: e.couponCode ?? null,
    out_request_no: e.outRequestNo ?? null,
    verification: e.verification,
    doc: e.doc,
  }
}

function toJournal(r: Row): JournalRecord {
  return {
    seq: Number(r.seq),
    requestId: r.request_id,
    mchid: r.mchid,
    at: Number(r.at),
    sandboxTime: Number(r.sandbox_time),
    method: r.method,
    url: r.url,
    ...(r.operation === null ? {} : { operation: r.operation }),
    status: Number(r.status),
    ...(r.code === null ? {} : { code: r.code }),
    durationMs: Number(r.duration_us) / 1000,
    ...(r.stock_id === null ? {} : { stockId: r.stock_id }),
    ...(r.coupon_code === null ? {} : { couponCode: r.coupon_code }),
    ...(r.out_request_no === null ? {} : { outRequestNo: r.out_request_no }),
    verification: r.verification,
    doc: r.doc,
  }
}
