import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Type } from 'typebox'
import { type ErrorName, isWxError, wxError } from '../domain/errors.ts'
import { behaviour } from '../domain/settings.ts'
import type { IdempotencyRecord, Store, StoreTx } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'
import { type IdempotentWrite, idempotentWrite, type WriteRequest } from './idempotency.ts'

/**
 * The one idempotent-write shape against a store that keeps request numbers in memory and
 * rolls a failed transaction back, as the real ones do.
 */
function memoryDeps(settings = behaviour()) {
  const ledger = new Map<string, IdempotencyRecord>()
  const log: string[] = []
  let wakes = 0
  const k = (b: string, o: string, n: string) => `${b}|${o}|${n}`
  const store = {
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      const written: IdempotencyRecord[] = []
      const tx = {
        async getIdempotency(b: string, o: string, n: string) {
          log.push('lookup')
          return ledger.get(k(b, o, n))
        },
        async insertIdempotency(r: IdempotencyRecord) {
          written.push(r)
        },
      } as unknown as StoreTx
      const result = await fn(tx)
      for (const r of written) ledger.set(k(r.brandId, r.operation, r.requestNo), r)
      return result
    },
  } as unknown as Store
  const deps = {
    store,
    settings,
    clock: { seconds: () => 1_754_272_800 },
    outbox: { wake: () => wakes++ },
  } as unknown as ServiceDeps
  return { deps, ledger, log, wakes: () => wakes }
}

const Body = Type.Object({
  brand_id: Type.String(),
  out_request_no: Type.String(),
  n: Type.Number(),
})
type Body = { brand_id: string; out_request_no: string; n: number }

interface Q extends WriteRequest<'out_request_no'> {
  readonly body: Body
  /** What apply does: answer `n * 10`, or fail. */
  readonly fail?: ErrorName
  readonly denied?: boolean
}

function write(
  log: string[],
  over: Partial<IdempotentWrite<'out_request_no', Q, string, { v: number; at: string }>> = {},
): IdempotentWrite<'out_request_no', Q, string, { v: number; at: string }> {
  let applied = 0
  return {
    op: { operation: 'demo', schema: Body, requestNo: 'out_request_no', replay: 'rebuild' },
    scope: (q) => ({ mchid: q.caller.mchid }),
    async load(_tx, _now, q) {
      log.push('load')
      if (q.denied) throw wxError('NO_AUTH')
      return 'entity'
    },
    replay: (_tx, _now, q) => ({ v: q.body.n * 10, at: 'rebuilt' }),
    async apply(_tx, _now, q) {
      log.push('apply')
      if (q.fail) throw wxError(q.fail)
      applied++
      return { result: { v: q.body.n * 10, at: `first#${applied}` }, resourceId: `r${q.body.n}` }
    },
    wakes: () => true,
    ...over,
  }
}

async function rejects(p: Promise<unknown>, name: ErrorName): Promise<void> {
  await assert.rejects(p, (e: unknown) => isWxError(e) && e.errorName === name)
}

test('a new number applies and is remembered; a replay answers without applying', async () => {
  const m = memoryDeps()
  const w = write(m.log)
  const q = {
    deps: m.deps,
    caller: { mchid: '1' },
    body: { brand_id: 'B', out_request_no: 'N1', n: 1 },
  }
  assert.deepEqual(await idempotentWrite(w, q), { v: 10, at: 'first#1' })
  const rec = m.ledger.get('B|demo|N1')
  assert.equal(rec?.resourceId, 'r1')
  assert.equal(rec?.snapshot, undefined, "replayResponse 'current' keeps no snapshot")
  // Same request again, its fields in another order: rebuilt, not applied again.
  const reordered = {
    deps: m.deps,
    caller: { mchid: '1' },
    body: { n: 1, out_request_no: 'N1', brand_id: 'B' },
  }
  assert.deepEqual(await idempotentWrite(w, reordered), { v: 10, at: 'rebuilt' })
  assert.deepEqual(m.log, ['load', 'lookup', 'apply', 'load', 'lookup'])
  assert.equal(m.wakes(), 2)
})

test('the same number with other data, or from another partner, is the conflict error', async () => {
  const m = memoryDeps()
  const w = write(m.log)
  const body = { brand_id: 'B', out_request_no: 'N1', n: 1 }
  await idempotentWrite(w, { deps: m.deps, caller: { mchid: '1' }, body })
  await rejects(
    idempotentWrite(w, { deps: m.deps, caller: { mchid: '1' }, body: { ...body, n: 2 } }),
    'REQUEST_NO_CONFLICT',
  )
  await rejects(
    idempotentWrite(w, { deps: m.deps, caller: { mchid: '2' }, body }),
    'REQUEST_NO_CONFLICT',
  )
  const own = write(m.log, {
    op: { ...w.op, conflict: () => 'ALREADY_EXISTS' },
  })
  await rejects(
    idempotentWrite(own, { deps: m.deps, caller: { mchid: '1' }, body: { ...body, n: 3 } }),
    'ALREADY_EXISTS',
  )
  // Another brand's number space is its own.
  const other = { deps: m.deps, caller: { mchid: '1' }, body: { ...body, brand_id: 'C', n: 2 } }
  assert.equal((await idempotentWrite(w, other)).v, 20)
})

test('a request that fails does not consume its number', async () => {
  const m = memoryDeps()
  const w = write(m.log)
  const body = { brand_id: 'B', out_request_no: 'N1', n: 1 }
  await rejects(
    idempotentWrite(w, {
      deps: m.deps,
      caller: { mchid: '1' },
      body,
      fail: 'STOCK_BUDGET_EXHAUSTED',
    }),
    'STOCK_BUDGET_EXHAUSTED',
  )
  assert.equal(m.ledger.size, 0)
  assert.equal(m.wakes(), 0, 'nothing committed, nothing to deliver')
  // The same number with other data now simply applies.
  const retry = { deps: m.deps, caller: { mchid: '1' }, body: { ...body, n: 5 } }
  assert.equal((await idempotentWrite(w, retry)).v, 50)
})

test('guards run before the number is looked up', async () => {
  const m = memoryDeps()
  const w = write(m.log)
  const body = { brand_id: 'B', out_request_no: 'N1', n: 1 }
  await idempotentWrite(w, { deps: m.deps, caller: { mchid: '1' }, body })
  m.log.length = 0
  await rejects(
    idempotentWrite(w, {
      deps: m.deps,
      caller: { mchid: '1' },
      body: { ...body, n: 9 },
      denied: true,
    }),
    'NO_AUTH',
  )
  assert.deepEqual(m.log, ['load'])
})

test('snapshots: kept when the setting asks, or always for answers that cannot be rebuilt', async () => {
  const body = { brand_id: 'B', out_request_no: 'N1', n: 1 }
  const snap = memoryDeps(behaviour({ replayResponse: 'snapshot' }))
  const w = write(snap.log)
  const first = await idempotentWrite(w, { deps: snap.deps, caller: { mchid: '1' }, body })
  assert.equal(snap.ledger.get('B|demo|N1')?.snapshot, JSON.stringify(first))
  assert.deepEqual(
    await idempotentWrite(w, { deps: snap.deps, caller: { mchid: '1' }, body }),
    first,
  )

  const plain = memoryDeps()
  const { replay: _r, ...rest } = write(plain.log)
  const always = { ...rest, op: { ...rest.op, replay: 'snapshot' as const } }
  const kept = await idempotentWrite(always, { deps: plain.deps, caller: { mchid: '1' }, body })
  assert.deepEqual(
    await idempotentWrite(always, { deps: plain.deps, caller: { mchid: '1' }, body }),
    kept,
  )
  assert.equal(plain.log.filter((s) => s === 'apply').length, 1)
})
