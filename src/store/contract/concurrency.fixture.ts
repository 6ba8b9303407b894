import assert from 'node:assert/strict'
import type { NotificationRecord, Store } from '../store.ts'
import { add, claimAt, fresh, ids } from './outbox.fixture.ts'
import { sample } from './sample.fixture.ts'
import { type ContractTest, holdUntil, signal } from './suite.fixture.ts'

/**
 * Transactions at the same time. PostgreSQL runs them concurrently and must exclude by locks;
 * SQLite runs one writer at a time, which must give the same outcomes. No assertion is on
 * time: a transaction that holds something waits for the other to get past it or for a
 * while, and the checks are on the order things happened in and on what each got.
 */
export function concurrencyContract(it: ContractTest): void {
  it('a named lock is held until the transaction ends: a second taker waits for it', async (store) => {
    assert.deepEqual(await lockOrder(store, 'contract-lock', HOLD_MS), [
      'first locked',
      'second asks',
      'first ends',
      'second locked',
    ])
  })

  it('two claimers at once never get the same notification', async (store) => {
    const { first, second } = await claimRace(store, HOLD_MS)
    assert.equal(first.length, 4)
    assert.equal(second.length, 4, 'the second takes others rather than nothing')
    assert.deepEqual(
      ids(first).filter((id) => ids(second).includes(id)),
      [],
      `both claimed: ${ids(first)} / ${ids(second)}`,
    )
    // Many at once share out the rest, each notification once.
    const rest = await Promise.all(Array.from({ length: 4 }, () => claimFour(store)))
    assert.deepEqual(
      [...ids(first), ...ids(second), ...rest.flatMap(ids)].sort(),
      Array.from({ length: 10 }, (_, i) => `r${i}`).sort(),
    )
  })

  it('read-modify-write under lockStock loses no update, however many race', async (store) => {
    const { pc, stock } = sample('race')
    await store.transaction(async (tx) => {
      await tx.insertProductCoupon(pc)
      await tx.insertStock({ ...stock, sentTotal: 0 })
    })
    const seen = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction(async (tx) => {
          const s = await tx.lockStock(stock.id)
          assert.ok(s)
          await new Promise((r) => setTimeout(r, 1))
          await tx.updateStock({ ...s, sentTotal: s.sentTotal + 1 })
          return s.sentTotal + 1
        }),
      ),
    )
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    assert.equal((await store.read.getStock(stock.id))?.sentTotal, 20)
  })
}

/**
 * How long a transaction holding a lock waits for a second one to get past it. A working lock
 * keeps the second out for all of it; a missing one lets it in within milliseconds.
 */
export const HOLD_MS = 300

/**
 * Two transactions take the lock `name`: the first holds it until the second has it too or
 * `holdMs` have passed. Returns what happened, in order.
 */
export async function lockOrder(store: Store, name: string, holdMs: number): Promise<string[]> {
  const events: string[] = []
  const firstLocked = signal()
  const secondLocked = signal()
  const first = store.transaction(async (tx) => {
    await tx.lockNamed(name)
    events.push('first locked')
    firstLocked.fire()
    await holdUntil(secondLocked.promise, holdMs)
    events.push('first ends')
  })
  await firstLocked.promise
  events.push('second asks')
  const second = store.transaction(async (tx) => {
    await tx.lockNamed(name)
    events.push('second locked')
    secondLocked.fire()
  })
  await Promise.all([first, second])
  return events
}

/**
 * Ten due notifications; a first claimer takes four and keeps its claim uncommitted until a
 * second has claimed four too, or `holdMs` have passed. Returns what each got and the order in
 * which the first ended and the second claimed.
 */
export async function claimRace(
  store: Store,
  holdMs: number,
): Promise<{ first: NotificationRecord[]; second: NotificationRecord[]; events: string[] }> {
  await fresh(store, ['m-race'])
  const due = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`r${i}`, i]))
  await add(store, 'm-race', due)
  const events: string[] = []
  const firstClaimed = signal()
  const secondClaimed = signal()
  const first = store.transaction(async (tx) => {
    const got = await tx.claimDueNotifications({ ...CLAIM, leaseUntil: 61_000 })
    firstClaimed.fire()
    await holdUntil(secondClaimed.promise, holdMs)
    events.push('first ends')
    return got
  })
  await firstClaimed.promise
  const second = claimFour(store).then((got) => {
    events.push('second claimed')
    secondClaimed.fire()
    return got
  })
  const [a, b] = await Promise.all([first, second])
  return { first: a, second: b, events }
}

const CLAIM = { dueBy: 100, realNow: 1_000, limit: 4 }
const claimFour = (store: Store) => claimAt(store, CLAIM)
