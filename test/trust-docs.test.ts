import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import { ROOT } from './helpers/built-cli.ts'
import { reqNo } from './helpers/fixtures.ts'
import {
  goEnv,
  goSample,
  javaSample,
  run,
  skipUnless,
  toolchains,
  usedCouponVia,
} from './helpers/seed-samples.ts'

/**
 * docs/trust-and-https.md, run as written: every `sh` and `ts` block is marked
 * `<!-- check: run-by test/trust-docs.test.ts name -->` and run here in the order a reader would — start the server with
 * `--tls --proxy-port`, curl through the proxy, create a certificate-mode partner, rotate its
 * certificates, then wechatpay-axios-plugin, the SDK, and the seed's Go and Java samples
 * against it. Shell blocks run with bash in the repository (as the README's do), with
 * `$WXCOUPON_DIR` the data dir; the Go and Java blocks in a copy of the sample.
 */

const DOC = readFileSync(new URL('../docs/trust-and-https.md', import.meta.url), 'utf8')

function blocks(): Map<string, { lang: string; code: string }> {
  const out = new Map<string, { lang: string; code: string }>()
  for (const m of DOC.matchAll(
    /<!-- check: run-by test\/trust-docs\.test\.ts ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g,
  )) {
    out.set(m[1] ?? '', { lang: m[2] ?? '', code: `${m[3] ?? ''}\n` })
  }
  return out
}

const SNIPPETS = blocks()
const snippet = (name: string) => {
  const b = SNIPPETS.get(name)
  assert.ok(b, `docs/trust-and-https.md has the block ${name}`)
  return b.code
}

let dir: string
let work: string
let server: ChildProcess | undefined
let sb: SandboxFile

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? work,
  WXCOUPON_DIR: dir,
  WXCOUPON_WORKERS: '1',
  ...extra,
})

const sh = (code: string, o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  run('bash', ['-euo', 'pipefail', '-c', code], {
    cwd: o.cwd ?? ROOT,
    env: o.env ?? env(),
    encoding: 'utf8',
    timeout: 180_000,
  })

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-docs-'))
  work = mkdtempSync(join(tmpdir(), 'wxcoupon-docs-work-'))
  const child = spawn('bash', ['-c', `exec ${snippet('serve').trim()}`], {
    cwd: ROOT,
    env: env(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server = child
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 60_000)
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (/listening on https:\/\/.*proxy for api\.mch\.weixin\.qq\.com/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on('exit', () => reject(new Error(`the server exited: ${out}`)))
  })
  sb = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'))
})

after(async () => {
  if (server?.pid) {
    const exited = new Promise((r) => server?.on('exit', r))
    process.kill(-server.pid, 'SIGTERM')
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

test('every sh and ts block of the guide is one this test runs', () => {
  const fenced = [
    ...DOC.matchAll(/(<!-- check: run-by test\/trust-docs\.test\.ts [\w-]+ -->\n)?```(sh|ts)\n/g),
  ]
  assert.ok(fenced.length >= 9)
  assert.deepEqual(
    fenced.filter((m) => !m[1]).map((m) => m.index),
    [],
    'untested sh/ts blocks',
  )
  assert.deepEqual([...SNIPPETS.keys()].sort(), [
    'axios',
    'create-partner',
    'curl-proxy',
    'curl-signed',
    'go',
    'java',
    'rotate',
    'sdk',
    'serve',
  ])
})

describe('the guide, in order', () => {
  test('serve: sandbox.json has the https base URL, the CA and the proxy', () => {
    assert.match(sb.base_url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.match(sb.proxy_url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(sb.ca_file)
  })

  test('curl through the proxy reaches the sandbox', async () => {
    const r = await sh(snippet('curl-proxy'))
    assert.equal(JSON.parse(r.stdout).code, 'SIGN_ERROR')
  })

  test('curl + openssl, signed, through the proxy; the answer verified', async () => {
    const r = await sh(snippet('curl-signed'))
    const [status, body = ''] = r.stdout.split('\n')
    assert.equal(status, '404', r.stdout)
    assert.equal(JSON.parse(body).code, 'NOT_FOUND')
  })

  test('create a certificate-mode partner', async () => {
    const r = await sh(snippet('create-partner'))
    const j = JSON.parse(r.stdout)
    assert.equal(j.key_mode, 'certificate')
    assert.equal(j.serials.length, 1)
  })

  test('a rotation', async () => {
    const lines = (await sh(snippet('rotate'))).stdout.trim().split('\n')
    assert.equal(JSON.parse(lines[0] ?? '').state, 'PENDING')
    assert.equal(JSON.parse(lines[1] ?? ''), 'EXPIRED')
    assert.deepEqual(JSON.parse(lines[2] ?? ''), [
      { state: 'EXPIRED', signing: false },
      { state: 'ACTIVE', signing: true },
    ])
  })

  const ts = async (name: string) => {
    const snippets = join(ROOT, 'test', '.doc-snippets')
    mkdirSync(snippets, { recursive: true })
    const file = join(snippets, `${name}-${process.pid}.ts`)
    writeFileSync(file, snippet(name))
    try {
      return await run(
        process.execPath,
        ['--conditions=wxcoupon-source', '--import', 'tsx', file],
        { cwd: ROOT, env: env(), encoding: 'utf8', timeout: 120_000 },
      )
    } finally {
      rmSync(file, { force: true })
    }
  }

  test('wechatpay-axios-plugin with its certs map refreshed from a download', async () => {
    // The initial certificate (expired now) and the new one the download brought.
    assert.equal((await ts('axios')).stdout.trim(), '200 2')
  })

  test('the SDK with only the APIv3 key', async () => {
    const serials = JSON.parse((await ts('sdk')).stdout.replace(/'/g, '"'))
    assert.equal(serials.length, 1)
    assert.match(serials[0], /^[0-9A-F]{40}$/)
  })

  async function filled() {
    const certs = join(work, `pub-${reqNo('K')}.pem`)
    writeFileSync(certs, readFileSync(sb.platform.public_key_file))
    return {
      mchid: sb.partner.mchid,
      serial: sb.partner.serial_no,
      keyFile: sb.partner.private_key_file,
      platformKeyId: sb.platform.public_key_id,
      platformKeyFile: certs,
      coupon: await usedCouponVia(sb, { mode: 'SEQUENTIAL' }),
      outRequestNo: reqNo('DOC'),
    }
  }

  test('the seed Go sample through the proxy', {
    skip: skipUnless(toolchains.go, 'go'),
  }, async () => {
    const cwd = goSample(work, await filled())
    const r = await sh(snippet('go'), { cwd, env: { ...env(), ...goEnv(work), WXCOUPON_DIR: dir } })
    assert.match(r.stdout, /^请求成功: /, r.stdout)
  })

  test('the seed Java sample through the proxy', {
    skip: skipUnless(toolchains.java, 'javac or the OkHttp/Gson jars'),
  }, async () => {
    const cwd = javaSample(work, await filled())
    const r = await sh(snippet('java'), { cwd })
    assert.match(r.stdout, /UserProductCouponEntity@/, r.stdout + r.stderr)
  })
})
