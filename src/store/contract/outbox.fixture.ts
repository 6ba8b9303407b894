import assert from 'node:assert/strict'
import type { NotificationRecord, Store, StoreTx } from '../store.ts'
import type { ContractTest } from './suite.fixture.ts'

/**
 * The outbox: which notifications a worker claims (due, pending, of a partner with a notify
 * URL, earliest first, at most `limit`), how long a claim keeps other workers off (its lease),
 * and what an attempt records. Times: `dueBy` and `nextAttemptAt` are sandbox-clock ms,
 * `realNow` and `leaseUntil` real ms.
 */
export function outboxContract(it: ContractTest): void {
  it('a claim takes due, pending notifications of partners with a notify URL, earliest first, at most limit', async (store) => {
    await fresh(store, ['m-claim'])
    await add(store, 'm-claim', { n1: 300, n2: 100, n3: 200, late: 1000 })
    await add(store, 'm-no-url', { quiet: 50 })
    const claim = (limit: number) => claimAt(store, { dueBy: 500, realNow: 10_000, limit })

    const first = await claim(2)
    assert.deepEqual(ids(first), ['n2', 'n3'], 'the earliest two, earliest first')
    assert.deepEqual(first[0], await store.read.getNotification('n2'), 'the record as stored')
    assert.deepEqual(ids(await claim(10)), ['n1'], 'not the leased, the not yet due, the URL-less')
    assert.deepEqual(await claim(10), [])

    await store.transaction((tx) => tx.setNotifyConfig('m-no-url', 'https://p/notify', 1))
    assert.deepEqual(ids(await claim(10)), ['quiet'], 'a notify URL releases what waited for one')
    assert.deepEqual(ids(await claimAt(store, { dueBy: 1000, realNow: 10_000, limit: 10 })), [
      'late',
    ])
  })

  it('a fair claim deals places round-robin, at most perPartner leased per partner', async (store) => {
    await fresh(store, ['m-big', 'm-small', 'm-mid'])
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`big${i}`, i]))
    await add(store, 'm-big', big)
    await add(store, 'm-small', { s0: 100, s1: 101 })
    await add(store, 'm-mid', { m0: 60, m1: 61, m2: 62, m3: 63, m4: 64 })
    const fair = (limit: number, realNow = 10_000) =>
      claimAt(store, { dueBy: 1_000, realNow, limit, perPartner: 3 })
    const first = ids(await fair(7))
    // Dealt in turn, the partner waiting longest first: big, mid, small, big, mid, small, big.
    assert.deepEqual(
      [...first].sort(),
      ['big0', 'big1', 'big2', 'm0', 'm1', 's0', 's1'].sort(),
      'each partner its earliest',
    )
    const second = ids(await fair(10))
    assert.deepEqual(second, ['m2'], 'big and small at their cap; mid gets its third')
    assert.deepEqual(await fair(10), [], 'every partner at its cap (or out of work)')
    // Recording an attempt frees a place for that partner only.
    await store.transaction((tx) =>
      tx.recordAttempt(
        { notificationId: 'big0', at: 1, status: 200, latencyMs: 1, kind: 'scheduled' },
        { state: 'DELIVERED', nextAttemptAt: 0, countsTowardSchedule: true },
      ),
    )
    assert.deepEqual(ids(await fair(10)), ['big3'])
    // Leases that lapsed no longer count: all caps are free again at the lease's end.
    assert.equal((await fair(100, 70_001)).length, 3 + 3 + 2)
  })

  it('negative control: the earliest-first claim gives a backlog every place, starving the others', async (store) => {
    await fresh(store, ['m-backlog', 'm-late'])
    const backlog = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`bl${i}`, i]))
    await add(store, 'm-backlog', backlog)
    await add(store, 'm-late', { late0: 500, late1: 501 })
    const unfair = ids(await claimAt(store, { dueBy: 1_000, realNow: 10_000, limit: 16 }))
    assert.equal(unfair.filter((id) => id.startsWith('late')).length, 0, 'the old order: none')
    await fresh(store, ['m-backlog', 'm-late'])
    await add(store, 'm-backlog', backlog)
    await add(store, 'm-late', { late0: 500, late1: 501 })
    const fair = ids(
      await claimAt(store, { dueBy: 1_000, realNow: 10_000, limit: 16, perPartner: 4 }),
    )
    assert.deepEqual(fair.filter((id) => id.startsWith('late')).sort(), ['late0', 'late1'])
    assert.equal(fair.length, 6, 'the backlog at its cap of 4, the latecomer with both')
  })

  it('a claim holds a notification until its lease ends, then it can be claimed again', async (store) => {
    await fresh(store, ['m-lease'])
    await add(store, 'm-lease', { leased: 0 })
    const claim = (realNow: number) =>
      claimAt(store, { dueBy: 0, realNow, leaseUntil: realNow + 60_000, limit: 10 })
    assert.deepEqual(ids(await claim(1_000)), ['leased'])
    assert.deepEqual(await claim(1_001), [], 'just after the claim')
    assert.deepEqual(await claim(60_999), [], 'the last moment of the lease')
    assert.deepEqual(ids(await claim(61_000)), ['leased'], 'the lease has lapsed')
    assert.deepEqual(await claim(61_001), [], 'claimed again, leased again')
    assert.equal((await store.read.getNotification('leased'))?.attempts, 0, 'a claim is no attempt')
  })

  it('attempts are numbered from 1 and record the next state; recording releases the lease', async (store) => {
    await fresh(store, ['m-att'])
    await add(store, 'm-att', { a: 0, b: 0 })
    await claimAt(store, { dueBy: 0, realNow: 1_000, leaseUntil: 61_000, limit: 10 })
    const record = (tx: StoreTx, id: string, at: number, status: number, kind: string) =>
      tx.recordAttempt(
        {
          notificationId: id,
          at,
          status,
          latencyMs: 7,
          ...(status === 200 ? {} : { error: `HTTP ${status}` }),
          kind,
        },
        {
          state: status === 200 ? 'DELIVERED' : 'PENDING',
          nextAttemptAt: status === 200 ? 0 : 5_000,
          countsTowardSchedule: kind === 'scheduled',
        },
      )

    const first = await store.transaction((tx) => record(tx, 'a', 1_500, 500, 'scheduled'))
    assert.equal(first, 1)
    assert.deepEqual(pick(await store.read.getNotification('a')), {
      state: 'PENDING',
      attempts: 1,
      nextAttemptAt: 5_000,
    })
    // Still inside the claim's lease (real 1 000 < 61 000), but the attempt ended it.
    const before = { realNow: 1_000, leaseUntil: 61_000, limit: 10 }
    assert.deepEqual(await claimAt(store, { ...before, dueBy: 4_999 }), [], 'retry not yet due')
    assert.deepEqual(ids(await claimAt(store, { ...before, dueBy: 5_000 })), ['a'])

    const second = await store.transaction((tx) => record(tx, 'a', 1_600, 401, 'wrong_serial'))
    assert.equal(second, 2)
    assert.equal(
      (await store.read.getNotification('a'))?.attempts,
      1,
      'a faulty kind is off-schedule',
    )
    const third = await store.transaction((tx) => record(tx, 'a', 1_700, 200, 'scheduled'))
    assert.equal(third, 3)
    assert.deepEqual(pick(await store.read.getNotification('a')), {
      state: 'DELIVERED',
      attempts: 2,
      nextAttemptAt: 0,
    })
    assert.equal(await store.transaction((tx) => record(tx, 'b', 1_800, 500, 'scheduled')), 1)

    const [listed] = await store.read.listNotifications({
      mchid: 'm-att',
      state: 'DELIVERED',
      limit: 10,
    })
    assert.deepEqual(listed?.attemptList, [
      {
        notificationId: 'a',
        attemptNo: 1,
        at: 1_500,
        status: 500,
        latencyMs: 7,
        error: 'HTTP 500',
        kind: 'scheduled',
      },
      {
        notificationId: 'a',
        attemptNo: 2,
        at: 1_600,
        status: 401,
        latencyMs: 7,
        error: 'HTTP 401',
        kind: 'wrong_serial',
      },
      {
        notificationId: 'a',
        attemptNo: 3,
        at: 1_700,
        status: 200,
        latencyMs: 7,
        kind: 'scheduled',
      },
    ])
    // Neither a delivered nor a failed notification is claimed, however late it is.
    await store.transaction((tx) =>
      tx.recordAttempt(
        { notificationId: 'b', at: 1_900, latencyMs: 7, error: 'gave up', kind: 'scheduled' },
        { state: 'FAILED', nextAttemptAt: 0, countsTowardSchedule: true },
      ),
    )
    assert.deepEqual(await claimAt(store, { dueBy: 1e12, realNow: 1e12, limit: 10 }), [])
  })
}

/** No notification left from an earlier test; the partners named have a notify URL. */
export async function fresh(store: Store, withUrl: string[]): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.deleteCouponData()
    for (const mchid of withUrl) await tx.setNotifyConfig(mchid, `https://${mchid}/notify`, 1)
  })
}

/** One pending notification per id, due at the sandbox-clock ms given. */
export async function add(store: Store, mchid: string, due: Record<string, number>): Promise<void> {
  await store.transaction(async (tx) => {
    for (const [id, nextAttemptAt] of Object.entries(due)) {
      await tx.insertNotification({
        id,
        mchid,
        eventType: 'COUPON.SEND',
        createTime: 1_700_000_000,
        payload: `{"id":"${id}"}`,
        nextAttemptAt,
      })
    }
  })
}

export function claimAt(
  store: Store,
  p: { dueBy: number; realNow: number; limit: number; leaseUntil?: number; perPartner?: number },
): Promise<NotificationRecord[]> {
  const leaseUntil = p.leaseUntil ?? p.realNow + 60_000
  return store.transaction((tx) => tx.claimDueNotifications({ ...p, leaseUntil }))
}

export const ids = (ns: readonly NotificationRecord[]) => ns.map((n) => n.id)

const pick = (n: NotificationRecord | undefined) =>
  n && { state: n.state, attempts: n.attempts, nextAttemptAt: n.nextAttemptAt }
