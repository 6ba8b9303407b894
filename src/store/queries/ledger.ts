import * as hot from '../hot-queries.ts'
import { idempotencyRow, nowSeconds } from '../rows.ts'
import type { IdempotencyRecord } from '../store.ts'
import { Executor } from './executor.ts'

/** The request-number ledger: what each (brand, operation, request number) first produced. */
export class LedgerQueries extends Executor {
  async getIdempotency(
    brandId: string,
    operation: string,
    requestNo: string,
  ): Promise<IdempotencyRecord | undefined> {
    const { rows } = await hot.selectIdempotency(
      this.db,
      this.dialect.name,
      brandId,
      operation,
      requestNo,
    )
    const r = rows[0]
    if (!r) return undefined
    const rec: IdempotencyRecord = {
      brandId: r.brand_id,
      operation: r.operation,
      requestNo: r.request_no,
      fingerprint: r.fingerprint,
      resourceId: r.resource_id,
    }
    if (r.snapshot !== null) rec.snapshot = r.snapshot
    return rec
  }

  async insertIdempotency(rec: IdempotencyRecord): Promise<void> {
    const values = hot.idempotencyValues(idempotencyRow(rec, nowSeconds()))
    await this.guardUnique(hot.insertIdempotency(this.db, this.dialect.name, ...values))
  }

  async insertIdempotencyRecords(records: readonly IdempotencyRecord[]): Promise<void> {
    const t = nowSeconds()
    await this.insertMany(
      'idempotency',
      records.map((rec) => idempotencyRow(rec, t)),
    )
  }
}
