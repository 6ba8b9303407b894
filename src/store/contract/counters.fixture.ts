import assert from 'node:assert/strict'
import type { Store } from '../store.ts'
import type { ContractTest } from './suite.fixture.ts'

/** Shared rate limits: a count per key and fixed window, and pruning of the windows gone by. */
export function countersContract(it: ContractTest): void {
  const bump = (store: Store, key: string, window: number) => store.bumpCounter(key, window)

  it('a counter counts per key and per window', async (store) => {
    const counts = []
    for (let i = 0; i < 3; i++) counts.push(await bump(store, 'get_stock|m-1', 100))
    counts.push(await bump(store, 'send|m-1', 100))
    counts.push(await bump(store, 'get_stock|m-2', 100))
    counts.push(await bump(store, 'get_stock|m-1', 101))
    counts.push(await bump(store, 'get_stock|m-1', 100))
    assert.deepEqual(counts, [1, 2, 3, 1, 1, 1, 4])
  })

  it('pruning removes the windows that started before the bound, and only those', async (store) => {
    for (const window of [200, 260, 320]) {
      await bump(store, 'prune', window)
      await bump(store, 'prune', window)
    }
    await store.pruneCounters(260)
    assert.equal(await bump(store, 'prune', 200), 1, 'an old window starts again from nothing')
    assert.equal(await bump(store, 'prune', 260), 3, 'the window at the bound is kept')
    assert.equal(await bump(store, 'prune', 320), 3, 'a later window is kept')
  })

  // No transaction serialises the counts: the upsert alone must count every concurrent call once,
  // or instances sharing a database would let more through a window than its limit.
  it('concurrent counts of one window are each counted once: 1 to N', async (store) => {
    const n = 24
    const counts = await Promise.all(Array.from({ length: n }, () => bump(store, 'race', 500)))
    assert.deepEqual(
      [...counts].sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i + 1),
    )
    assert.equal(await bump(store, 'race', 500), n + 1)
  })

  it('the journal is pruned per tenant, oldest first, at most `limit` rows a call', async (store) => {
    const entry = (mchid: string, i: number) => ({
      requestId: `r-${mchid}-${i}`,
      mchid,
      at: i,
      sandboxTime: i,
      method: 'GET',
      url: '/v3/x',
      status: 200,
      durationMs: 1,
      verification: 'verified',
      doc: '{}',
    })
    await store.transaction((tx) =>
      tx.insertJournal([
        ...Array.from({ length: 10 }, (_, i) => entry('m-1', i)),
        ...Array.from({ length: 4 }, (_, i) => entry('m-2', i)),
      ]),
    )
    const prune = () => store.transaction((tx) => tx.pruneJournal('m-1', 3, 4))
    assert.deepEqual([await prune(), await prune(), await prune()], [4, 3, 0])
    const left = await store.read.listJournal({ mchid: 'm-1', limit: 50 })
    assert.deepEqual(
      left.map((e) => e.requestId),
      ['r-m-1-9', 'r-m-1-8', 'r-m-1-7'],
    )
    assert.equal((await store.read.listJournal({ mchid: 'm-2', limit: 50 })).length, 4)
  })
}
