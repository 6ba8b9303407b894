import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import type { Store, StoreTx } from '../src/store/store.ts'
import { type Cluster, startCluster } from './helpers/cluster.ts'
import { API, createProductCoupon, reqNo } from './helpers/fixtures.ts'
import { deliveryRecorder } from './helpers/notify-receiver.ts'

/**
 * Three instances on one PostgreSQL database share the outbox: every SEND callback is
 * delivered, once, and never by two instances at the same time. The receiver answers slowly
 * (longer than the instances' poll interval) so that every instance sees each pending
 * notification while another is delivering it — only the lease keeps them apart, as the
 * negative control (a store that ignores leases) shows.
 */
const skip = await pgSkipReason()
const SENDS = 30

async function sendAll(c: Cluster): Promise<void> {
  const s = c.at(0)
  const pc = await createProductCoupon(s)
  const { appid, brand_id } = s.sandbox
  const rs = await Promise.all(
    Array.from({ length: SENDS }, async (_, i) => {
      const user = await s.admin('POST', '/sandbox/openids', { appid })
      return c.at(i).call('POST', `${API}/users/${user.json.openid}/coupons`, {
        ...pc,
        appid,
        brand_id,
        send_request_no: reqNo('SEND'),
      })
    }),
  )
  assert.deepEqual(
    rs.map((r) => r.status),
    Array(SENDS).fill(200),
  )
}

async function settled(c: Cluster): Promise<{ delivered: number; attempts: number[] }> {
  for (let i = 0; i < 200; i++) {
    const all = await c.store.read.listNotifications({ limit: 1000 })
    if (all.length >= SENDS && all.every((n) => n.state === 'DELIVERED')) {
      return { delivered: all.length, attempts: all.map((n) => n.attemptList.length) }
    }
    await sleep(50)
  }
  throw new Error('notifications not delivered in time')
}

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
    const { delivered, attempts } = await settled(c)
    t.diagnostic(
      `${delivered} notifications, ${rx.distinct} ids received, ${rx.duplicates} duplicates, ${rx.overlaps} overlaps`,
    )
    assert.equal(delivered, SENDS)
    assert.equal(rx.distinct, SENDS)
    assert.equal(rx.overlaps, 0)
    assert.equal(rx.duplicates, 0)
    assert.deepEqual(attempts, Array(SENDS).fill(1))
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
