import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { SEND_EVENT } from '../src/domain/notification.ts'
import { DEFAULT_BEHAVIOUR } from '../src/domain/settings.ts'
import { PER_PARTNER } from '../src/notify/worker.ts'
import { createTestDatabase, pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import { startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * The probe of one partner's dead receiver: partner A's notify URL accepts connections and
 * never answers, with 2,000 of its callbacks pending; partner B's receiver is healthy. B's
 * callbacks issued meanwhile must arrive within 5 s (before fair claiming: 0 of 20 in 60 s),
 * and A must hold no more than its share of delivery slots. The claim order that starved B is
 * shown by the store contract (outbox.fixture.ts, "negative control").
 */
const PENDING_A = 2_000
const B_CALLBACKS = 20

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notify`
}

/** Accepts, reads, never answers; counts the connections it holds open at once. */
async function hangingReceiver() {
  const open = new Set<Socket>()
  let most = 0
  const server = createServer((req) => req.resume())
  server.on('connection', (s) => {
    open.add(s)
    most = Math.max(most, open.size)
    s.on('close', () => open.delete(s))
  })
  const url = await listen(server)
  return {
    url,
    get mostAtOnce() {
      return most
    },
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** Answers 204 and notes when each notification id first arrived. */
async function healthyReceiver() {
  const arrived = new Map<string, number>()
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => {
      text += c.toString()
    })
    req.on('end', () => {
      try {
        const id = String(JSON.parse(text).id)
        if (!arrived.has(id)) arrived.set(id, Date.now())
      } catch {}
      res.writeHead(204).end()
    })
  })
  const url = await listen(server)
  return {
    url,
    arrived,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((r) => server.close(() => r()))
    },
  }
}

async function scenario(s: TestServer, t: { diagnostic(m: string): void }) {
  const dead = await hangingReceiver()
  const healthy = await healthyReceiver()
  try {
    const a = s.sandbox.partner.mchid
    const b = (await s.admin('POST', '/sandbox/partners', {})).json.mchid as string
    assert.ok(b)
    const store = s.server.store
    // A's backlog goes in directly: 2,000 sends through the API would only make the test slow.
    await store.transaction(async (tx) => {
      await tx.setNotifyConfig(a, dead.url, 1)
      await tx.setNotifyConfig(b, healthy.url, 1)
      for (let i = 0; i < PENDING_A; i++) {
        await tx.insertNotification({
          id: `A-${i}`,
          mchid: a,
          eventType: SEND_EVENT,
          createTime: 1_700_000_000,
          payload: JSON.stringify({ id: i }),
          nextAttemptAt: 0,
        })
      }
    })
    // A's receiver is now holding every slot it may have.
    for (let i = 0; i < 100 && dead.mostAtOnce < PER_PARTNER; i++) await sleep(50)
    const issued = Date.now()
    await store.transaction(async (tx) => {
      for (let i = 0; i < B_CALLBACKS; i++) {
        await tx.insertNotification({
          id: `B-${i}`,
          mchid: b,
          eventType: SEND_EVENT,
          createTime: 1_700_000_000,
          payload: JSON.stringify({ id: i }),
          nextAttemptAt: 0,
        })
      }
    })
    for (let i = 0; i < 100 && healthy.arrived.size < B_CALLBACKS; i++) await sleep(50)
    const latest = Math.max(...healthy.arrived.values()) - issued
    t.diagnostic(
      `B: ${healthy.arrived.size} of ${B_CALLBACKS} callbacks within ${latest} ms of being issued; ` +
        `A's hanging receiver held at most ${dead.mostAtOnce} connections`,
    )
    assert.equal(healthy.arrived.size, B_CALLBACKS, 'every one of B’s callbacks arrived')
    assert.ok(latest < 5_000, `the last of B's arrived ${latest} ms after being issued`)
    assert.ok(dead.mostAtOnce <= PER_PARTNER, `A held ${dead.mostAtOnce} slots`)
  } finally {
    await dead.close()
    await healthy.close()
  }
}

const settings = {
  ...TEST_SETTINGS,
  notify: { ...DEFAULT_BEHAVIOUR.notify, schedule: 'fast' as const, timeoutMs: 5_000 },
}

describe('callback fairness: one partner’s hanging receiver', () => {
  let s: TestServer | undefined
  after(() => s?.close())
  test(`on SQLite: another partner's callbacks arrive within 5 s with ${PENDING_A} of the hanging partner's pending`, async (t) => {
    s = await startTestServer(settings)
    await scenario(s, t)
  })
})

const pgSkip = await pgSkipReason()
describe('callback fairness on PostgreSQL', { skip: pgSkip }, () => {
  let s: TestServer | undefined
  let drop = async () => {}
  after(async () => {
    await s?.close()
    await drop()
  })
  test(`another partner's callbacks arrive within 5 s with ${PENDING_A} of the hanging partner's pending`, async (t) => {
    const db = await createTestDatabase()
    drop = db.drop
    s = await startTestServer(settings, { databaseUrl: db.url })
    await scenario(s, t)
  })
})
