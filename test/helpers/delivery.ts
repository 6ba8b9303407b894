import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Cluster } from './cluster.ts'
import { API, createProductCoupon, reqNo } from './fixtures.ts'

/**
 * A loopback notify URL that answers 204 after `delayMs`, identifies each delivery by the
 * envelope's notification id, and records what a partner would worry about: ids delivered
 * more than once, and deliveries of one id that overlapped in time (two senders at once).
 */
export async function deliveryRecorder(delayMs: number) {
  const count = new Map<string, number>()
  const inFlight = new Map<string, number>()
  let overlaps = 0
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => {
      text += c.toString()
    })
    req.on('end', async () => {
      let id = ''
      try {
        id = String(JSON.parse(text).id)
      } catch {}
      count.set(id, (count.get(id) ?? 0) + 1)
      const now = (inFlight.get(id) ?? 0) + 1
      inFlight.set(id, now)
      if (now > 1) overlaps++
      await sleep(delayMs)
      inFlight.set(id, (inFlight.get(id) ?? 1) - 1)
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/wxcoupon/notify`,
    /** Distinct ids delivered. */
    get distinct() {
      return count.size
    },
    get duplicates() {
      return [...count.values()].reduce((a, n) => a + n - 1, 0)
    },
    get overlaps() {
      return overlaps
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Sends made by sendAll: one coupon each to as many fresh users, spread over the instances. */
export const SENDS = 30

export async function sendAll(c: Cluster): Promise<void> {
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

/** Waits until every notification is DELIVERED (bounded); their number and attempt counts. */
export async function settled(c: Cluster): Promise<{ delivered: number; attempts: number[] }> {
  for (let i = 0; i < 200; i++) {
    const all = await c.store.read.listNotifications({ limit: 1000 })
    if (all.length >= SENDS && all.every((n) => n.state === 'DELIVERED')) {
      return { delivered: all.length, attempts: all.map((n) => n.attemptList.length) }
    }
    await sleep(50)
  }
  throw new Error('notifications not delivered in time')
}

/**
 * The outbox promise after sendAll: every SEND callback delivered, each exactly once (one
 * attempt, one receipt) and never by two senders at the same time.
 */
export async function assertDeliveredOnce(
  c: Cluster,
  rx: Awaited<ReturnType<typeof deliveryRecorder>>,
  t: { diagnostic(message: string): void },
): Promise<void> {
  const { delivered, attempts } = await settled(c)
  t.diagnostic(
    `${delivered} notifications, ${rx.distinct} ids received, ${rx.duplicates} duplicates, ${rx.overlaps} overlaps`,
  )
  assert.equal(delivered, SENDS)
  assert.equal(rx.distinct, SENDS)
  assert.equal(rx.overlaps, 0)
  assert.equal(rx.duplicates, 0)
  assert.deepEqual(attempts, Array(SENDS).fill(1))
}
