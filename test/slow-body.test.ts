import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type RunningServer, startServer } from '../src/server/start.ts'

/**
 * A body trickled in slower than the deadline (60,000 bytes at 100 B/s, as the probe sent it)
 * is answered and closed when the deadline after its headers passes, whatever is still to
 * come. The deadline is shortened here so the test takes seconds; it is 30 s by default.
 * Negative control: without the per-request deadline (Node's requestTimeout alone, checked
 * only every 30 s) the same trickle is still being read at three times the deadline.
 */
const DEADLINE_MS = 1_500

interface Outcome {
  /** ms from the headers to the first byte of an answer (undefined: none while we watched). */
  answeredAfter?: number
  /** ms from the headers until the server closed the connection. */
  closedAfter?: number
  head: string
  body: string
}

/** Sends headers for `length` bytes, then 100 bytes every 100 ms, watching for `watchMs`. */
function trickle(url: string, length: number, watchMs: number): Promise<Outcome> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    const out: Outcome = { head: '', body: '' }
    let text = ''
    let started = 0
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    const finish = () => {
      clearInterval(timer)
      clearTimeout(watch)
      socket.destroy()
      const [head = '', body = ''] = text.split('\r\n\r\n')
      resolve({ ...out, head, body })
    }
    const watch = setTimeout(finish, watchMs)
    socket.on('connect', () => {
      socket.write(
        `POST /v3/marketing/partner/product-coupon/product-coupons HTTP/1.1\r\nHost: ${hostname}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
      )
      started = Date.now()
      timer = setInterval(() => {
        if (sent >= length || socket.destroyed) return
        const n = Math.min(100, length - sent)
        sent += n
        socket.write(' '.repeat(n))
      }, 100)
    })
    socket.on('data', (d: Buffer) => {
      out.answeredAfter ??= Date.now() - started
      text += d.toString()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      out.closedAfter = Date.now() - started
      finish()
    })
  })
}

describe('a body that does not arrive in time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-slow-body-'))
  let server: RunningServer
  let unguarded: RunningServer
  before(async () => {
    server = await startServer({ port: 0, dataDir: join(dir, 'a'), bodyTimeoutMs: DEADLINE_MS })
    unguarded = await startServer({ port: 0, dataDir: join(dir, 'b'), bodyTimeoutMs: 0 })
  })
  after(async () => {
    await server?.close()
    await unguarded?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('is answered 400 in the WeChat envelope, signed, and closed at the deadline', async () => {
    const r = await trickle(server.baseUrl, 60_000, DEADLINE_MS * 6)
    assert.ok(r.answeredAfter !== undefined, 'answered')
    assert.ok(r.answeredAfter >= DEADLINE_MS - 50, `answered after ${r.answeredAfter} ms`)
    assert.ok(r.answeredAfter < DEADLINE_MS * 3, `answered after ${r.answeredAfter} ms`)
    assert.ok(r.closedAfter !== undefined && r.closedAfter < DEADLINE_MS * 3, 'closed')
    assert.match(r.head, /^HTTP\/1\.1 400 /)
    assert.match(r.head, /\r\nconnection: close/i)
    assert.match(r.head, /\r\nwechatpay-signature: /i)
    assert.equal(JSON.parse(r.body).code, 'INVALID_REQUEST')
    assert.match(JSON.parse(r.body).detail.issue, /did not arrive within/)
  })

  test('a small body is held to the same deadline, and the server still answers afterwards', async () => {
    const r = await trickle(server.baseUrl, 2_000, DEADLINE_MS * 6)
    assert.ok(r.answeredAfter !== undefined && r.answeredAfter < DEADLINE_MS * 3)
    assert.match(r.head, /^HTTP\/1\.1 400 /)
    const health = await fetch(`${server.baseUrl}/healthz`)
    assert.equal(health.status, 200)
  })

  test('a body that completes before the deadline is not cut off', async () => {
    // 500 bytes at 100 B/0.1 s: complete after 0.5 s, then answered by the API (unsigned: 401).
    const r = await trickle(server.baseUrl, 500, DEADLINE_MS * 2)
    assert.ok(r.answeredAfter !== undefined && r.answeredAfter < DEADLINE_MS)
    assert.doesNotMatch(r.body, /did not arrive within/)
  })

  test('negative control: without the deadline the trickle is still being read at 3× it', async () => {
    const r = await trickle(unguarded.baseUrl, 60_000, DEADLINE_MS * 3)
    assert.equal(r.answeredAfter, undefined, `answered: ${r.head}`)
  })
})
