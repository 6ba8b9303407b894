import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Wechatpay } from 'wechatpay-axios-plugin'
import { signRequest } from '../packages/sdk/src/protocol/authorization.ts'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import { type RunningServer, startServer } from '../src/server/start.ts'
import { CLI, ROOT } from './helpers/built-cli.ts'
import { body, reqNo } from './helpers/fixtures.ts'
import { TEST_SETTINGS } from './helpers/harness.ts'
import { usedCouponVia } from './helpers/seed-samples.ts'

/**
 * `serve --tls` and `serve --proxy-port` (issue 12) with clients not written here: curl (with
 * the official signing rules in openssl, test/clients/openssl-curl.sh) trusting only the
 * sandbox CA, through the proxy with the host left as https://api.mch.weixin.qq.com, and
 * wechatpay-axios-plugin sending absolute-form requests through it. The proxy refuses every
 * other host with 403 and never opens a connection; a broken handshake closes only itself.
 */

const script = fileURLToPath(new URL('./clients/openssl-curl.sh', import.meta.url))
const run = promisify(execFile)

let server: RunningServer
let dir: string
let sb: SandboxFile
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-tls-'))
  server = await startServer({
    port: 0,
    proxyPort: 0,
    tls: true,
    dataDir: dir,
    settings: TEST_SETTINGS,
  })
  sb = server.sandbox
})
after(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The openssl + curl client: prints the status, then the body; exit 3 = bad response signature. */
async function curlClient(
  base: string,
  method: string,
  path: string,
  payload: string,
  env: Record<string, string>,
  from: SandboxFile = sb,
): Promise<{ status: number; body: string }> {
  const r = await run(
    script,
    [
      base,
      from.partner.mchid,
      from.partner.serial_no,
      from.partner.private_key_file,
      from.platform.public_key_file,
      method,
      path,
      payload,
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    },
  )
  const [status = '', ...rest] = r.stdout.split('\n')
  return { status: Number(status), body: rest.join('\n') }
}

const usedCoupon = () => usedCouponVia(sb)

const returnPath = (c: { openid: string; coupon_code: string }) =>
  `/v3/marketing/partner/product-coupon/users/${c.openid}/coupons/${c.coupon_code}/return`

describe('serve --tls', () => {
  test('sandbox.json: an https base_url and the CA file; the CA issued the served certificate', async () => {
    assert.match(sb.base_url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const ca = new X509Certificate(readFileSync(sb.ca_file ?? '', 'utf8'))
    assert.ok(ca.ca)
    assert.deepEqual(
      JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')),
      JSON.parse(JSON.stringify(sb)),
    )
    const url = new URL(sb.base_url)
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect(
        { host: url.hostname, port: Number(url.port), ca: readFileSync(sb.ca_file ?? '') },
        () => {
          const cert = socket.getPeerX509Certificate()
          socket.end()
          if (cert) resolve(cert)
          else reject(new Error('no certificate'))
        },
      )
      socket.on('error', reject)
    })
    assert.ok(peer.checkIssued(ca))
    assert.ok(peer.checkHost('api.mch.weixin.qq.com') && peer.checkIP('127.0.0.1'))
  })

  test('curl trusting the CA completes a signed return; without the CA it refuses to connect', async () => {
    const c = await usedCoupon()
    const payload = JSON.stringify(body(c, { out_request_no: reqNo('RET') }))
    const r = await curlClient(sb.base_url, 'POST', returnPath(c), payload, {
      CURL_CA_BUNDLE: sb.ca_file ?? '',
    })
    assert.equal(r.status, 200, r.body)
    assert.equal(JSON.parse(r.body).coupon_state, 'EFFECTIVE')
    await assert.rejects(
      curlClient(sb.base_url, 'GET', '/v3/certificates', '', { CURL_CA_BUNDLE: '/dev/null' }),
      (e: { code?: number }) => e.code === 60 || e.code === 77,
    )
  })
})

describe('serve --proxy-port', () => {
  const viaProxy = () => ({ https_proxy: sb.proxy_url ?? '', CURL_CA_BUNDLE: sb.ca_file ?? '' })

  test('curl through the proxy, host left as https://api.mch.weixin.qq.com (and api2)', async () => {
    assert.match(sb.proxy_url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    const c = await usedCoupon()
    const payload = JSON.stringify(body(c, { out_request_no: reqNo('RET') }))
    const r = await curlClient(
      'https://api.mch.weixin.qq.com',
      'POST',
      returnPath(c),
      payload,
      viaProxy(),
    )
    assert.equal(r.status, 200, r.body)
    assert.equal(JSON.parse(r.body).coupon_state, 'EFFECTIVE')
    const certs = await curlClient(
      'https://api2.mch.weixin.qq.com',
      'GET',
      '/v3/certificates',
      '',
      viaProxy(),
    )
    assert.equal(certs.status, 404)
    assert.equal(JSON.parse(certs.body).code, 'RESOURCE_NOT_EXISTS')
  })

  test('wechatpay-axios-plugin through the proxy: a CONNECT tunnel (axios 1.x for https), or absolute-form for http', async () => {
    const proxy = new URL(sb.proxy_url ?? '')
    const plugin = (extra: Record<string, unknown>) =>
      (
        new Wechatpay({
          mchid: sb.partner.mchid,
          serial: sb.partner.serial_no,
          privateKey: readFileSync(sb.partner.private_key_file, 'utf8'),
          certs: {
            [sb.platform.public_key_id]: readFileSync(sb.platform.public_key_file, 'utf8'),
          },
          proxy: { protocol: 'http', host: proxy.hostname, port: Number(proxy.port) },
          ...extra,
        } as never) as Chain
      ).v3.marketing.partner.productCoupon.notifyConfigs
    // The default baseURL, https://api.mch.weixin.qq.com/, and the CA trusted.
    const tunnelled = plugin({ httpsAgent: new HttpsAgent({ ca: readFileSync(sb.ca_file ?? '') }) })
    const set = await tunnelled.post({ notify_url: 'https://example.com/wxcoupon/notify' })
    assert.equal(set.status, 200)
    // Plain http: axios writes `GET http://api.mch.weixin.qq.com/v3/… HTTP/1.1` to the proxy.
    const plain = plugin({ baseURL: 'http://api.mch.weixin.qq.com/' })
    assert.equal((await plain.get()).data.notify_url, 'https://example.com/wxcoupon/notify')
  })

  test('an absolute-form https:// request in plain text (older axios) is served as signed', async () => {
    const path = '/v3/marketing/partner/product-coupon/notify-configs'
    const { authorization } = signRequest({
      method: 'GET',
      url: path,
      body: '',
      mchid: sb.partner.mchid,
      serialNo: sb.partner.serial_no,
      privateKey: readFileSync(sb.partner.private_key_file, 'utf8'),
    })
    const proxy = new URL(sb.proxy_url ?? '')
    const socket = connect(Number(proxy.port), proxy.hostname)
    let text = ''
    socket.on('data', (c: Buffer) => {
      text += c.toString('utf8')
    })
    socket.write(
      `GET https://api.mch.weixin.qq.com${path} HTTP/1.1\r\nHost: api.mch.weixin.qq.com\r\nAuthorization: ${authorization}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
    )
    await new Promise<void>((r) => socket.on('close', () => r()))
    assert.match(text, /^HTTP\/1\.1 200 /)
    assert.match(text, /"notify_url":"https:\/\/example\.com\/wxcoupon\/notify"/)
  })

  describe('no other host, and no outbound connection ever', () => {
    let decoy: ReturnType<typeof createServer>
    let decoyPort = 0
    let decoyConnections = 0
    before(async () => {
      decoy = createServer((socket) => {
        decoyConnections++
        socket.destroy()
      })
      await new Promise<void>((r) => decoy.listen(0, '127.0.0.1', r))
      const a = decoy.address()
      decoyPort = typeof a === 'object' && a ? a.port : 0
    })
    after(() => decoy.close())

    /** Raw bytes to the proxy; the first line of its answer. */
    async function ask(bytes: string): Promise<string> {
      const proxy = new URL(sb.proxy_url ?? '')
      const socket: Socket = connect(Number(proxy.port), proxy.hostname)
      let text = ''
      socket.on('data', (c: Buffer) => {
        text += c.toString('latin1')
      })
      socket.write(bytes)
      await new Promise<void>((r) => {
        socket.on('close', () => r())
        socket.on('error', () => r())
        setTimeout(() => socket.destroy(), 2000).unref()
      })
      return text.split('\r\n')[0] ?? ''
    }

    test('CONNECT to any other host or port is 403', async () => {
      for (const target of [
        `127.0.0.1:${decoyPort}`,
        `localhost:${decoyPort}`,
        'example.com:443',
        'api.mch.weixin.qq.com:80',
        'api.mch.weixin.qq.com.evil.example:443',
        `[::1]:${decoyPort}`,
      ]) {
        const line = await ask(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`)
        assert.equal(line, 'HTTP/1.1 403 Forbidden', target)
      }
    })

    test('absolute-form requests for other hosts are 403; origin-form ones too', async () => {
      for (const target of [
        `http://127.0.0.1:${decoyPort}/v3/certificates`,
        `https://localhost:${decoyPort}/`,
        'http://api.mch.weixin.qq.com:8080/v3/certificates',
        '/v3/certificates',
      ]) {
        const line = await ask(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
        assert.equal(line, 'HTTP/1.1 403 Forbidden', target)
      }
    })

    test('control: the decoy does accept connections, and none came from the proxy', async () => {
      assert.equal(decoyConnections, 0, 'the proxy contacted nothing')
      await new Promise<void>((resolve, reject) => {
        const s = connect(decoyPort, '127.0.0.1', () => {
          s.destroy()
          resolve()
        })
        s.on('error', reject)
      })
      for (let i = 0; i < 50 && decoyConnections === 0; i++) {
        await new Promise((r) => setTimeout(r, 10))
      }
      assert.equal(decoyConnections, 1)
    })
  })

  test('a TLS handshake that fails closes that connection; the proxy and the server keep serving', async () => {
    const proxy = new URL(sb.proxy_url ?? '')
    // Garbage where a ClientHello should be, inside a granted tunnel.
    const socket = connect(Number(proxy.port), proxy.hostname)
    let text = ''
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1')
    })
    socket.write(
      'CONNECT api.mch.weixin.qq.com:443 HTTP/1.1\r\nHost: api.mch.weixin.qq.com\r\n\r\n',
    )
    await new Promise((r) => setTimeout(r, 100))
    socket.write('this is not TLS\r\n\r\n')
    await new Promise<void>((r) => socket.on('close', () => r()))
    assert.ok(text.startsWith('HTTP/1.1 200 Connection Established'), text)
    // A client that does not trust the CA fails its handshake too.
    const base = new URL(sb.base_url)
    await new Promise<void>((resolve) => {
      const t = tlsConnect({ host: base.hostname, port: Number(base.port) }, () => resolve())
      t.on('error', () => resolve())
    })
    const after = await curlClient(
      'https://api.mch.weixin.qq.com',
      'GET',
      '/v3/certificates',
      '',
      viaProxy(),
    )
    assert.equal(after.status, 404)
    const direct = await curlClient(sb.base_url, 'GET', '/v3/certificates', '', {
      CURL_CA_BUNDLE: sb.ca_file ?? '',
    })
    assert.equal(direct.status, 404)
  })
})

// biome-ignore lint/suspicious/noExplicitAny: the plugin builds its URL chain dynamically
type Chain = any

describe('--proxy-port without --tls', () => {
  let plain: RunningServer
  let plainDir: string
  before(async () => {
    plainDir = mkdtempSync(join(tmpdir(), 'wxcoupon-proxy-'))
    plain = await startServer({ port: 0, proxyPort: 0, dataDir: plainDir, settings: TEST_SETTINGS })
  })
  after(async () => {
    await plain.close()
    rmSync(plainDir, { recursive: true, force: true })
  })

  test('base_url stays http; the tunnels are TLS with the CA certificate; ca_file is always there', async () => {
    const p = plain.sandbox
    assert.match(p.base_url, /^http:\/\//)
    assert.ok(readFileSync(p.ca_file ?? '', 'utf8').startsWith('-----BEGIN CERTIFICATE-----'))
    const r = await curlClient(
      'https://api.mch.weixin.qq.com',
      'GET',
      '/v3/certificates?algorithm_type=RSA',
      '',
      { https_proxy: p.proxy_url ?? '', CURL_CA_BUNDLE: p.ca_file ?? '' },
      p,
    )
    assert.equal(r.status, 404)
    assert.equal(JSON.parse(r.body).code, 'RESOURCE_NOT_EXISTS')
  })
})

test('the CLI: serve --tls --proxy-port 0 with two workers prints both URLs and writes them to sandbox.json', async () => {
  const d = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-tls-'))
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--tls', '--proxy-port', '0', '--port', '0', '--workers', '2', '--data-dir', d],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  try {
    let out = ''
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 60_000)
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('\n')) {
          clearTimeout(timer)
          resolve(out)
        }
      })
      void exit.then(() => reject(new Error(`exited: ${out}`)))
    })
    const m =
      /listening on (https:\/\/127\.0\.0\.1:\d+) .*proxy for api\.mch\.weixin\.qq\.com on (http:\/\/127\.0\.0\.1:\d+)/.exec(
        line,
      )
    assert.ok(m, line)
    const file = JSON.parse(readFileSync(join(d, 'sandbox.json'), 'utf8')) as SandboxFile
    assert.equal(file.proxy_url, m[2])
    assert.match(file.base_url, /^https:\/\//)
    const r = await curlClient(
      'https://api.mch.weixin.qq.com',
      'GET',
      '/v3/certificates',
      '',
      { https_proxy: file.proxy_url ?? '', CURL_CA_BUNDLE: file.ca_file ?? '' },
      file,
    )
    assert.equal(r.status, 404)
  } finally {
    child.kill('SIGTERM')
    assert.equal(await exit, 0)
    rmSync(d, { recursive: true, force: true })
  }
})
