import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { claimRace, lockOrder } from './contract/concurrency.fixture.ts'
import { createTestDatabase, pgSkipReason } from './pg-test-db.fixture.ts'
import { openPostgresStore } from './postgres.ts'
import type { Store, StoreTx } from './store.ts'
import { storeContract } from './store-contract.ts'

const skip = await pgSkipReason()
const drops: (() => Promise<void>)[] = []
after(async () => {
  for (const drop of drops) await drop()
})

async function open(): Promise<Store> {
  const db = await createTestDatabase()
  drops.push(db.drop)
  return openPostgresStore(db.url)
}

if (skip) {
  test('store contract: postgres', { skip }, () => {})
} else {
  storeContract('postgres', open)

  test('negative control: without the advisory lock the second taker gets in at once', async () => {
    const store = await open()
    await store.migrate()
    // Transactions run concurrently here; only the lock keeps the second out.
    const unlocked: Store = {
      ...store,
      transaction: (fn) =>
        store.transaction((tx) => {
          const noLock: StoreTx = Object.create(tx)
          noLock.lockNamed = async () => {}
          return fn(noLock)
        }),
    }
    try {
      // Held far longer than the second needs, so it surely gets in while the first holds.
      assert.deepEqual(await lockOrder(unlocked, 'contract-lock', 30_000), [
        'first locked',
        'second asks',
        'second locked',
        'first ends',
      ])
    } finally {
      await store.close()
    }
  })

  test('a second claimer passes over a claim in flight instead of waiting for it', async () => {
    const store = await open()
    await store.migrate()
    try {
      // Workers on several instances claim at once; each must not queue behind the others.
      const { events } = await claimRace(store, 30_000)
      assert.deepEqual(events, ['second claimed', 'first ends'])
    } finally {
      await store.close()
    }
  })
}
