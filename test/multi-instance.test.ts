import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { behaviour } from '../src/domain/settings.ts'
import { pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import type { Store, StoreTx } from '../src/store/store.ts'
import { type Cluster, startCluster } from './helpers/cluster.ts'
import {
  assertDeliveredOnce,
  deliveryRecorder,
  SENDS,
  sendAll,
  settled,
} from './helpers/delivery.ts'
import { API } from './helpers/fixtures.ts'

/**
 * Three instances on one PostgreSQL database share the outbox: every SEND callback is
 * delivered, once, and never by two instances at the same time. The receiver answers slowly
 * (longer than the instances' poll interval) so that every instance sees each pending
 * notification while another is delivering it — only the lease keeps them apart, as the
 * negative control (a store that ignores leases) shows.
 */
const skip = await pgSkipReason()
/** A store whose outbox claims ignore leases (claim as if every lease had lapsed). */
function leaseIgnoring(inner: Store): Store {
  const tx = (t: StoreTx): StoreTx =>
    new Proxy(t, {
      get(target, prop, receiver) {
        if (prop === 'claimDueNotifications') {
          return (p: Parameters<StoreTx['claimDueNotifications']>[0]) =>
            target.claimDueNotifications({ ...p, realNow: Number.MAX_SAFE_INTEGER })
        }
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
  return { ...inner, transaction: (fn) => inner.transaction((t) => fn(tx(t))) }
}

describe('three instances on one PostgreSQL database', { skip }, () => {
  let c: Cluster
  let rx: Awaited<ReturnType<typeof deliveryRecorder>>
  before(async () => {
    c = await startCluster('postgres ×3')
    rx = await deliveryRecorder(400)
    const r = await c.at(1).call('POST', `${API}/notify-configs`, { notify_url: rx.url })
    assert.equal(r.status, 200, r.text)
  })
  after(async () => {
    await c?.close()
    await rx?.close()
  })

  test(`${SENDS} sends spread over 3 instances → each SEND callback delivered once, never by two at once`, async (t) => {
    await sendAll(c)
    await assertDeliveredOnce(c, rx, t)
  })
})

describe('negative control: instances that ignore leases', { skip }, () => {
  test('the same check sees deliveries of one id by two instances at once', async (t) => {
    const c = await startCluster('postgres ×3', { wrap: leaseIgnoring })
    const rx = await deliveryRecorder(400)
    try {
      const r = await c.at(1).call('POST', `${API}/notify-configs`, { notify_url: rx.url })
      assert.equal(r.status, 200, r.text)
      await sendAll(c)
      await settled(c)
      t.diagnostic(`${rx.duplicates} duplicates, ${rx.overlaps} overlapping deliveries`)
      assert.ok(rx.overlaps > 0)
    } finally {
      await c.close()
      await rx.close()
    }
  })
})

/**
 * Rate limits hold across instances: the counters live in the shared database, so a limit of
 * L per window admits L calls in all, not L per instance. A one-day window keeps the burst
 * inside one window; a burst that straddles midnight UTC is simply fired again. No notify URL
 * is set, so an admitted call answers 404: anything but 429 got past the limiter.
 */
const LIMIT = 6
const limited = behaviour({
  rateLimits: {
    enabled: true,
    per: 'partner',
    overrides: { get_notify_config: { limit: LIMIT, perSeconds: 86_400 } },
  },
})
const DAY_MS = 86_400_000

async function burst(c: Cluster, calls: number): Promise<number[]> {
  for (;;) {
    const day = Math.floor(Date.now() / DAY_MS)
    const rs = await Promise.all(
      Array.from({ length: calls }, (_, i) => c.at(i).call('GET', `${API}/notify-configs`)),
    )
    if (Math.floor(Date.now() / DAY_MS) === day) return rs.map((r) => r.status)
  }
}

describe('rate limits shared by three instances', { skip }, () => {
  test(`a limit of ${LIMIT} admits ${LIMIT} calls over all instances, the rest get 429`, async () => {
    const c = await startCluster('postgres ×3', { settings: limited })
    try {
      const statuses = await burst(c, LIMIT * 3)
      assert.equal(statuses.filter((s) => s !== 429).length, LIMIT, statuses.join(' '))
      assert.equal(statuses.filter((s) => s === 429).length, LIMIT * 2, statuses.join(' '))
    } finally {
      await c.close()
    }
  })

  test('negative control: per-process limits would admit the limit once per instance', async () => {
    // A store that does not say instances share it gets the in-memory limiter of one process.
    const c = await startCluster('postgres ×3', {
      settings: limited,
      wrap: (s) => ({ ...s, sharedByInstances: false }),
    })
    try {
      const statuses = await burst(c, LIMIT * 3)
      assert.equal(statuses.filter((s) => s !== 429).length, LIMIT * 3, statuses.join(' '))
    } finally {
      await c.close()
    }
  })
})
