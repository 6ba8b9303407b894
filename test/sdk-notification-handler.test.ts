import assert from 'node:assert/strict'
import { createServer, type RequestListener, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, test } from 'node:test'
import {
  createNotificationHandler,
  MemoryNotificationDedupe,
  type Notification,
  type NotificationHandlerOptions,
  NotificationSignatureError,
} from '../packages/sdk/src/index.ts'
import { type Callback, callback, KEYS, SEND } from './helpers/notifications.fixture.ts'

const servers: Server[] = []
after(() => {
  for (const s of servers) {
    s.closeAllConnections()
    s.close()
  }
})

interface Receiver {
  url: string
  events: Notification[]
  errors: unknown[]
  /** Resolves once `n` request bodies have reached the handler and it has acted on them. */
  bodiesRead(n: number): Promise<void>
}

/** A real node:http server on a loopback port running the handler. */
async function receiver(
  o: Partial<NotificationHandlerOptions> & { onEvent?: (n: Notification) => unknown } = {},
): Promise<Receiver> {
  const events: Notification[] = []
  const errors: unknown[] = []
  const handler = createNotificationHandler({
    ...KEYS,
    ...o,
    onEvent: async (n) => {
      events.push(n)
      await o.onEvent?.(n)
    },
    onError: (e) => errors.push(e),
  })
  let read = 0
  const waiters: { n: number; resolve: () => void }[] = []
  const listener: RequestListener = (req, res) => {
    handler(req, res)
    // Registered after the handler's own listener, and a macrotask later: by then the handler
    // has parsed the body and either started onEvent or joined a delivery in flight.
    req.once('end', () =>
      setImmediate(() => {
        read++
        for (const w of waiters) if (read >= w.n) w.resolve()
      }),
    )
  }
  const server = createServer(listener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/notify`,
    events,
    errors,
    bodiesRead: (n) =>
      new Promise((resolve) => (read >= n ? resolve() : waiters.push({ n, resolve }))),
  }
}

const post = (r: Receiver, c: Pick<Callback, 'headers' | 'body'>) =>
  fetch(r.url, { method: 'POST', headers: c.headers, body: c.body })

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

test('204 only after onEvent has resolved, with the decrypted event', async () => {
  let finished = false
  const r = await receiver({
    onEvent: async () => {
      await new Promise(setImmediate)
      finished = true
    },
  })
  const c = callback()
  const res = await post(r, c)
  assert.equal(res.status, 204)
  assert.equal(await res.text(), '')
  assert.equal(finished, true)
  assert.equal(r.events.length, 1)
  assert.deepEqual(r.events[0]?.data, SEND)
  assert.equal(r.events[0]?.id, c.id)
})

test('a notification id handled before answers 200 without a second onEvent', async () => {
  const r = await receiver()
  const first = callback()
  assert.equal((await post(r, first)).status, 204)
  // A retry is a fresh envelope (new nonce, new signature) with the same id.
  const again = callback({ id: first.id })
  assert.notEqual(again.body, first.body)
  assert.equal((await post(r, again)).status, 200)
  assert.equal((await post(r, first)).status, 200)
  assert.equal(r.events.length, 1)
  assert.equal((await post(r, callback())).status, 204)
  assert.equal(r.events.length, 2)
})

test('concurrent deliveries of one id: onEvent runs once and both answer as it did', async () => {
  const g = gate()
  const r = await receiver({ onEvent: () => g.promise })
  const c = callback()
  const answers = [post(r, c), post(r, callback({ id: c.id }))]
  await r.bodiesRead(2)
  assert.equal(r.events.length, 1, 'the second delivery waits for the first')
  g.open()
  assert.deepEqual(
    (await Promise.all(answers)).map((a) => a.status),
    [204, 204],
  )
  assert.equal(r.events.length, 1)
})

test('onEvent throws → 500 {"code":"FAIL"}, the id is not remembered, the retry is handled', async () => {
  let fail = true
  const r = await receiver({
    onEvent: () => {
      if (fail) throw new Error('database down')
    },
  })
  const c = callback()
  const res = await post(r, c)
  assert.equal(res.status, 500)
  const body = await res.json()
  assert.equal(body.code, 'FAIL')
  assert.doesNotMatch(JSON.stringify(body), /database down/, 'internals stay internal')
  assert.equal((r.errors[0] as Error).message, 'database down')
  fail = false
  assert.equal((await post(r, callback({ id: c.id }))).status, 204)
  assert.equal(r.events.length, 2)
  assert.equal((await post(r, c)).status, 200)
})

test('a callback not provably from WeChat Pay → 401, an unreadable one → 400; no onEvent', async () => {
  const r = await receiver()
  const c = callback()
  const tampered = { ...c, body: c.body.replace('encrypt-resource', 'encrypt-resourcE') }
  const res = await post(r, tampered)
  assert.equal(res.status, 401)
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  const body = await res.json()
  assert.equal(body.code, 'FAIL')
  assert.equal(typeof body.message, 'string')
  assert.ok(r.errors[0] instanceof NotificationSignatureError)

  const probe = { ...c.headers, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/AAAA' }
  assert.equal((await post(r, { ...c, headers: probe })).status, 401)
  const { 'Wechatpay-Serial': _s, ...noSerial } = c.headers
  assert.equal((await post(r, { ...c, headers: noSerial })).status, 401)
  assert.equal((await post(r, callback({ payload: 'not json' }))).status, 400)
  assert.equal((await post(r, callback({ apiv3Key: 'A'.repeat(32) }))).status, 400)
  assert.equal(r.events.length, 0)
  // A refused delivery leaves the id free for the genuine one.
  assert.equal((await post(r, c)).status, 204)
})

test('bodies over maxBodyBytes → 413, declared or streamed', async () => {
  const r = await receiver({ maxBodyBytes: 1000 })
  const c = callback()
  const big = { headers: c.headers, body: `${c.body}${' '.repeat(2000)}` }
  assert.equal((await post(r, big)).status, 413)
  // Chunked: no Content-Length to judge by, so the count while reading decides.
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(r.url, { method: 'POST', headers: c.headers }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('error', reject)
    for (let i = 0; i < 4; i++) req.write(' '.repeat(500))
    req.end()
  })
  assert.equal(status, 413)
  assert.equal(r.events.length, 0)
  assert.equal((await post(r, c)).status, 204, 'the same callback without padding is fine')
})

test('only POST: GET → 405 with Allow: POST', async () => {
  const r = await receiver()
  const res = await fetch(r.url)
  assert.equal(res.status, 405)
  assert.equal(res.headers.get('allow'), 'POST')
  assert.equal((await res.json()).code, 'FAIL')
})

test('a custom dedupe store is consulted and fed; a failing has() answers 500', async () => {
  const seen = new Set<string>()
  let broken = false
  const dedupe = {
    has: async (id: string) => {
      if (broken) throw new Error('redis down')
      return seen.has(id)
    },
    add: async (id: string) => {
      seen.add(id)
    },
  }
  const r = await receiver({ dedupe })
  const c = callback()
  assert.equal((await post(r, c)).status, 204)
  assert.deepEqual([...seen], [c.id])
  broken = true
  assert.equal((await post(r, callback())).status, 500)
  assert.equal(r.events.length, 1)
})

test('MemoryNotificationDedupe keeps the most recent ids', () => {
  const d = new MemoryNotificationDedupe(2)
  d.add('a')
  d.add('b')
  d.add('a')
  d.add('c')
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => d.has(id)),
    [true, false, true],
  )
  assert.throws(() => new MemoryNotificationDedupe(0), TypeError)
})

test('bad options are TypeErrors at creation, before any callback arrives', () => {
  assert.throws(() => createNotificationHandler({ ...KEYS, apiv3Key: 'x', onEvent: () => {} }))
  assert.throws(() => createNotificationHandler({ ...KEYS, maxBodyBytes: 0, onEvent: () => {} }))
  assert.throws(() =>
    createNotificationHandler({ ...KEYS, onEvent: undefined as unknown as () => void }),
  )
})
