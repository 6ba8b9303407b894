import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
// The built package, as a consumer imports it (package.json "exports").
import { WxCouponClient } from 'wxcoupon'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import { CLI, ROOT } from './helpers/built-cli.ts'
import { productCouponBody, reqNo } from './helpers/fixtures.ts'
import type { TestServer } from './helpers/harness.ts'

/**
 * `wxcoupon listen` next to `wxcoupon serve`, both as separate processes on one data dir: the
 * receiver registers itself, prints the SEND event of a coupon sent through the SDK, reports a
 * refused delivery on stderr, and both stop with exit 0 on SIGTERM.
 */

const dirs: string[] = []
const children: ChildProcess[] = []
after(() => {
  // Only if a test failed half-way: nothing is left running.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

type Exit = { code: number | null; signal: NodeJS.Signals | null }

interface Proc {
  child: ChildProcess
  exit: Promise<Exit>
  /** Resolves with the first match in stdout/stderr; a guard only against a hung process. */
  waitFor(stream: 'stdout' | 'stderr', re: RegExp): Promise<RegExpExecArray>
  text(stream: 'stdout' | 'stderr'): string
}

function run(args: string[]): Proc {
  // Its own process group (detached), as `wxcoupon serve` runs from a terminal.
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const buf = { stdout: '', stderr: '' }
  const exit = new Promise<Exit>((resolve) =>
    // 'close' rather than 'exit': by then stdout and stderr have been read to the end.
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  const waitFor = (stream: 'stdout' | 'stderr', re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(buf[stream])
        if (!m) return false
        clearTimeout(timer)
        child[stream]?.off('data', check)
        resolve(m)
        return true
      }
      const timer = setTimeout(
        () => reject(new Error(`no ${re} in 30 s:\n${buf.stdout}\n${buf.stderr}`)),
        30_000,
      )
      if (check()) return
      child[stream]?.on('data', check)
      void exit.then(() => {
        if (!check()) reject(new Error(`exited without ${re}:\n${buf.stdout}\n${buf.stderr}`))
      })
    })
  for (const stream of ['stdout', 'stderr'] as const) {
    // Registered first, so every check sees the chunk that triggered it.
    child[stream]?.on('data', (d: Buffer) => {
      buf[stream] += d.toString()
    })
  }
  return { child, exit, waitFor, text: (stream) => buf[stream] }
}

test('listen registers itself, prints the SEND event, refuses a probe; SIGTERM → 0', async () => {
  const d = mkdtempSync(join(tmpdir(), 'wxcoupon-listen-'))
  dirs.push(d)
  const serve = run(['serve', '--port', '0', '--data-dir', d])
  await serve.waitFor('stdout', /listening on http:\/\/127\.0\.0\.1:\d+/)
  const listen = run(['listen', '--port', '0', '--data-dir', d])
  const [, url] = await listen.waitFor('stdout', /(http:\/\/127\.0\.0\.1:\d+\/wxcoupon\/notify)\b/)
  assert.match(listen.text('stdout'), /registered as notify_url/)

  const sb = JSON.parse(readFileSync(join(d, 'sandbox.json'), 'utf8')) as SandboxFile
  const wx = new WxCouponClient({
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: sb.partner.private_key_file,
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: sb.base_url,
  })
  assert.equal((await wx.getNotifyConfig()).notify_url, url)

  // productCouponBody only reads the ids from the harness's sandbox.
  const pc = await wx.createProductCoupon(productCouponBody({ sandbox: sb } as TestServer))
  const sent = await wx.sendCoupon({
    openid: sb.openid,
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid: sb.appid,
    brand_id: sb.brand_id,
    send_request_no: reqNo('SEND'),
  })
  const [line] = await listen.waitFor(
    'stdout',
    new RegExp(`^PRODUCT_COUPON_SP\\.SEND coupon_code=${sent.coupon_code} .*$`, 'm'),
  )
  assert.match(line, new RegExp(` openid=${sb.openid} send_channel=API id=[0-9a-f-]{36}$`))

  // A deliberately faulty delivery is answered 401 and reported on stderr, not printed.
  const admin = (method: string, path: string, body?: object) =>
    fetch(`${sb.base_url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${sb.admin_token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then((r) => r.json())
  const id = /id=([0-9a-f-]{36})$/.exec(line)?.[1]
  const faulty = await admin('POST', `/sandbox/notifications/${id}/faulty`, {
    kind: 'signature_probe',
  })
  assert.equal(faulty.attempts[0].status, 401)
  await listen.waitFor('stderr', /refused a callback \(401 signature_probe\)/)
  assert.equal(listen.text('stdout').match(/PRODUCT_COUPON_SP\.SEND/g)?.length, 1)

  for (const p of [listen, serve]) process.kill(-(p.child.pid ?? 0), 'SIGTERM')
  assert.deepEqual(await listen.exit, { code: 0, signal: null })
  assert.deepEqual(await serve.exit, { code: 0, signal: null })
})

test('listen --no-register --json: a JSON ready line, nothing registered; a bad --path is refused', async () => {
  const d = mkdtempSync(join(tmpdir(), 'wxcoupon-listen-'))
  dirs.push(d)
  const serve = run(['serve', '--port', '0', '--data-dir', d])
  await serve.waitFor('stdout', /listening on http:\/\//)
  const args = ['listen', '--port', '0', '--data-dir', d, '--path', '/cb', '--no-register']
  const listen = run([...args, '--json'])
  const [ready] = await listen.waitFor('stdout', /^\{.*\}$/m)
  const parsed = JSON.parse(ready)
  assert.match(parsed.listening, /^http:\/\/127\.0\.0\.1:\d+\/cb$/)
  assert.equal(parsed.registered, false)
  assert.equal((await fetch(parsed.listening)).status, 405)
  assert.equal((await fetch(parsed.listening.replace(/\/cb$/, '/other'))).status, 404)

  const bad = run(['listen', '--port', '0', '--data-dir', d, '--path', '/a?b=1'])
  assert.deepEqual(await bad.exit, { code: 1, signal: null })
  assert.match(bad.text('stderr'), /^wxcoupon: .*--path/)

  listen.child.kill('SIGINT')
  serve.child.kill('SIGTERM')
  assert.deepEqual(await listen.exit, { code: 0, signal: null })
  assert.deepEqual(await serve.exit, { code: 0, signal: null })
})
