import assert from 'node:assert/strict'
import { verify } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { signBytes, wire } from './helpers/fuzz/transport.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * A client that writes its request and then closes its half of the connection (a raw socket,
 * `curl -T -`, a proxy that shuts down its write side) still gets the whole signed answer.
 * Answers are signed in the thread pool, so the FIN is read before the answer is ready; Node's
 * default then ends the socket and the answer is lost. Negative control: with that default
 * restored, the same exchange ends with no answer.
 */
const API = '/v3/marketing/partner/product-coupon'

interface Answer {
  status: number
  headers: Map<string, string>
  body: string
}

/** Every HTTP/1.1 answer in `raw` (Content-Length framed, as this server always sends). */
function answers(raw: string): Answer[] {
  const out: Answer[] = []
  let rest = raw
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    const lines = rest.slice(0, end).split('\r\n')
    const headers = new Map<string, string>()
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':')
      headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim())
    }
    const length = Number(headers.get('content-length') ?? 0)
    const bodyBytes = Buffer.from(rest.slice(end + 4), 'latin1').subarray(0, length)
    out.push({
      status: Number(lines[0]?.split(' ')[1]),
      headers,
      body: bodyBytes.toString('utf8'),
    })
    rest = rest.slice(end + 4 + length)
  }
  return out
}

function signedBy(s: TestServer, a: Answer): boolean {
  const message = `${a.headers.get('wechatpay-timestamp')}\n${a.headers.get('wechatpay-nonce')}\n${a.body}\n`
  const signature = Buffer.from(a.headers.get('wechatpay-signature') ?? '', 'base64')
  return verify('sha256', Buffer.from(message), s.platformKey, signature)
}

function get(s: TestServer, target: string, signed: boolean): string {
  const auth = signed ? `Authorization: ${signBytes(s, 'GET', target, Buffer.alloc(0))}\r\n` : ''
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n${auth}\r\n`
}

describe('a client that half-closes right after its request', () => {
  let s: TestServer
  before(async () => {
    s = await startTestServer()
  })
  after(() => s.server.close())

  const target = `${API}/product-coupons/1000000013?brand_id=120344`

  test('gets the signed answer to an unsigned request', async () => {
    const [a, ...more] = answers(await wire(s, Buffer.from(get(s, target, false))))
    assert.ok(a, 'no answer')
    assert.equal(a.status, 401)
    assert.equal(JSON.parse(a.body).code, 'SIGN_ERROR')
    assert.ok(signedBy(s, a))
    assert.equal(more.length, 0)
  })

  test('gets the signed answer to a signed request that reads the database', async () => {
    const [a] = answers(await wire(s, Buffer.from(get(s, target, true))))
    assert.ok(a, 'no answer')
    assert.equal(a.status, 403, a.body)
    assert.equal(JSON.parse(a.body).code, 'NO_AUTH')
    assert.ok(signedBy(s, a))
  })

  test('gets every answer of requests pipelined before the close, in order', async () => {
    const raw = await wire(s, Buffer.from(get(s, target, true) + get(s, target, false)))
    const got = answers(raw)
    assert.deepEqual(
      got.map((a) => a.status),
      [403, 401],
    )
    for (const a of got) assert.ok(signedBy(s, a))
  })

  test("negative control: with Node's default the answer is lost", async () => {
    const server = s.server.app.server as { httpAllowHalfOpen?: boolean }
    server.httpAllowHalfOpen = false
    try {
      const raw = await wire(s, Buffer.from(get(s, target, true)))
      assert.equal(answers(raw).length, 0, raw)
    } finally {
      server.httpAllowHalfOpen = true
    }
  })
})
