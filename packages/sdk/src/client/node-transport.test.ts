import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { nodeFetch } from './node-transport.ts'

let server: Server
let base = ''
const seen: {
  method?: string | undefined
  url?: string | undefined
  body: string
  headers: Record<string, unknown>
}[] = []

before(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => {
      body += d.toString()
    })
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body, headers: req.headers })
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/elsewhere' }).end()
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000)
      } else {
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Two': ['a', 'b'] })
        res.end('{"ok":true}')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

test('sends the request-target byte for byte (what was signed), with method, headers and body', async () => {
  const target = "/v3/a%2Fb/o'k?q=it's%20x&r=(1)"
  const res = await nodeFetch(`${base}${target}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'X' },
    body: '{"a":1}',
  })
  const last = seen.at(-1)
  assert.equal(last?.url, target)
  assert.equal(last?.method, 'POST')
  assert.equal(last?.body, '{"a":1}')
  assert.equal(last?.headers.authorization, 'X')
  assert.equal(res.status, 201)
  assert.equal(res.headers.get('content-type'), 'application/json')
  assert.equal(res.headers.get('x-two'), 'a, b')
  assert.deepEqual(await res.json(), { ok: true })
})

test('a redirect is returned, not followed', async () => {
  const before = seen.length
  const res = await nodeFetch(`${base}/redirect`)
  assert.equal(res.status, 302)
  assert.equal(seen.length, before + 1)
})

test('an aborted signal fails with its reason (TimeoutError for AbortSignal.timeout)', async () => {
  await assert.rejects(nodeFetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }), {
    name: 'TimeoutError',
  })
})

test('a refused connection rejects', async () => {
  await assert.rejects(nodeFetch('http://127.0.0.1:1/x'))
})
