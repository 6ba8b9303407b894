import { type ErrorName, wxError } from '../domain/errors.ts'
import type { IdempotencyRecord, StoreTx } from '../store/store.ts'

/**
 * Request numbers (protocol §8). Key = (brand_id, operation, number); the record is written in
 * the same transaction as the change it made, so a request that failed never consumes its
 * number, and a concurrent duplicate either waits for it or loses the insert and is retried.
 */
export interface RequestKey {
  brandId: string
  operation: string
  requestNo: string
  fingerprint: string
}

/**
 * Undefined for a new number; the stored record for a replay of the same request; a
 * `conflict` error when the number was used with other data.
 */
export async function findReplay(
  tx: StoreTx,
  key: RequestKey,
  conflict: ErrorName,
): Promise<IdempotencyRecord | undefined> {
  const rec = await tx.getIdempotency(key.brandId, key.operation, key.requestNo)
  if (!rec) return undefined
  if (rec.fingerprint !== key.fingerprint) throw wxError(conflict)
  return rec
}

export function remember(
  tx: StoreTx,
  key: RequestKey,
  resourceId: string,
  snapshot?: unknown,
): Promise<void> {
  const rec: IdempotencyRecord = { ...key, resourceId }
  if (snapshot !== undefined) rec.snapshot = JSON.stringify(snapshot)
  return tx.insertIdempotency(rec)
}

/**
 * The shape of every write with a request number: a replay answers without changing anything
 * (the stored snapshot, or `replay` rebuilding the current entity); a new number runs `apply`
 * and is remembered in the same transaction.
 */
export async function once<T>(
  tx: StoreTx,
  key: RequestKey,
  o: {
    conflict: ErrorName
    /** Keep the first answer verbatim (replayResponse 'snapshot', or results that cannot be rebuilt). */
    snapshot: boolean
    replay: (record: IdempotencyRecord) => Promise<T>
    apply: () => Promise<{ result: T; resourceId: string }>
  },
): Promise<T> {
  const record = await findReplay(tx, key, o.conflict)
  if (record) {
    return record.snapshot !== undefined ? (JSON.parse(record.snapshot) as T) : o.replay(record)
  }
  const { result, resourceId } = await o.apply()
  await remember(tx, key, resourceId, o.snapshot ? result : undefined)
  return result
}
