import type { TSchema } from 'typebox'
import { type ErrorName, wxError } from '../domain/errors.ts'
import type { BehaviourSettings } from '../domain/settings.ts'
import type { IdempotencyRecord, StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { fingerprint } from './fingerprint.ts'

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

/** The body field carrying the request number: E8's send_request_no, every other write's out_request_no. */
export type RequestNoField = 'out_request_no' | 'send_request_no'

/** What makes one operation idempotent; fixed per operation. */
export interface IdempotentOp<F extends RequestNoField> {
  /** The ledger's key together with brand_id and the number. */
  readonly operation: string
  /** Only the fields this schema declares count toward the fingerprint. */
  readonly schema: TSchema
  readonly requestNo: F
  /** The error for a number reused with other data; REQUEST_NO_CONFLICT unless this says. */
  readonly conflict?: (settings: BehaviourSettings) => ErrorName
  /**
   * How a replay answers. 'rebuild': from the entity as it is now (`replay`), unless the
   * replayResponse setting is 'snapshot'. 'snapshot': always the first answer verbatim, for
   * results the stored entity cannot give back (the lists of a code upload).
   */
  readonly replay: 'rebuild' | 'snapshot'
}

export type WriteBody<F extends RequestNoField> = { readonly brand_id: string } & {
  readonly [K in F]: string
}

/** One call of a write: the request, and who made it. */
export interface WriteRequest<F extends RequestNoField> {
  readonly deps: ServiceDeps
  readonly caller: Caller
  readonly body: WriteBody<F>
}

/** Fields outside the body that tell two requests apart: always the caller, then path ids. */
export type FingerprintScope = { readonly mchid: string } & Readonly<Record<string, string>>

/**
 * One write with a request number. Built once per operation (no closure is made per
 * request); `q` carries the request. In one transaction, in this order: `load` (authorisation
 * and ownership, E15 steps 4–6), the request number (a replay or a conflict ends here),
 * `apply` (the domain decides, the store persists), then the number is remembered.
 */
export interface IdempotentWrite<F extends RequestNoField, Q extends WriteRequest<F>, C, R> {
  readonly op: IdempotentOp<F>
  scope(q: Q): FingerprintScope
  /** Reads and locks what the write works on; throws the first guard that fails. */
  load(tx: StoreTx, now: number, q: Q): Promise<C>
  /** The answer to a replay when no snapshot was kept; not needed for 'snapshot' operations. */
  replay?(tx: StoreTx, now: number, q: Q, c: C, record: IdempotencyRecord): R | Promise<R>
  apply(tx: StoreTx, now: number, q: Q, c: C): Promise<{ result: R; resourceId: string }>
  /** The write may have queued callbacks: wake the outbox after the commit. */
  wakes?(q: Q): boolean
}

/** Runs `w` for the request `q`: the shape every write with a request number shares. */
export async function idempotentWrite<F extends RequestNoField, Q extends WriteRequest<F>, C, R>(
  w: IdempotentWrite<F, Q, C, R>,
  q: Q,
): Promise<R> {
  const { deps } = q
  const { op } = w
  const answer = await deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const c = await w.load(tx, now, q)
    const key: RequestKey = {
      brandId: q.body.brand_id,
      operation: q.caller.brandDirect === undefined ? op.operation : `brand_${op.operation}`,
      requestNo: q.body[op.requestNo],
      fingerprint: fingerprint(op.schema, q.body, w.scope(q)),
    }
    const conflict = op.conflict ? op.conflict(deps.settings) : 'REQUEST_NO_CONFLICT'
    const record = await findReplay(tx, key, conflict)
    if (record) {
      if (record.snapshot !== undefined) return JSON.parse(record.snapshot) as R
      if (!w.replay) throw new Error(`${op.operation} ${key.requestNo} was kept without a snapshot`)
      return w.replay(tx, now, q, c, record)
    }
    const { result, resourceId } = await w.apply(tx, now, q, c)
    const snapshot = op.replay === 'snapshot' || deps.settings.replayResponse === 'snapshot'
    await remember(tx, key, resourceId, snapshot ? result : undefined)
    return result
  })
  if (w.wakes?.(q)) deps.outbox?.wake()
  return answer
}
