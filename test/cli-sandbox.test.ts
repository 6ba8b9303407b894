import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { CLI, ROOT } from './helpers/built-cli.ts'

/**
 * The sandbox controls on the command line, against the built package and a server started by
 * it: every command finds the server through sandbox.json, and every failure is one
 * `wxcoupon: …` line with exit code 1.
 */

const dirs: string[] = []

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-sandbox-'))
  dirs.push(d)
  return d
}

let dir: string
let server: ChildProcess
let exited: Promise<number | null>

before(async () => {
  dir = tempDir()
  server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)))
  let out = ''
  let err = ''
  server.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('listening on http://')) resolve()
    })
    void exited.then(() => reject(new Error(`server exited before ready: ${out} ${err}`)))
  })
})

after(async () => {
  server.kill('SIGTERM')
  assert.equal(await exited, 0)
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Async so the test keeps serving its own event loop while the CLI talks to the server. */
function cli(args: string[], dataDir = dir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args, '--data-dir', dataDir],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args)
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  assert.equal(r.stderr, '')
  return r.stdout
}

function assertFailure(r: Run, message: RegExp): void {
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.stderr, /^wxcoupon: [^\n]+\n$/, 'one wxcoupon: line')
  assert.match(r.stderr, message)
  assert.doesNotMatch(r.stderr, /\n\s+at /)
  assert.equal(r.stdout, '')
}

async function sandboxSeconds(): Promise<number> {
  const { now } = JSON.parse(await ok(['clock', '--json'])) as { now: string }
  const ms = Date.parse(now)
  assert.ok(Number.isFinite(ms), now)
  return ms / 1000
}

test('clock prints the sandbox time', async () => {
  assert.match(
    await ok(['clock']),
    /^sandbox time \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})\n$/,
  )
})

test('clock --advance 2h moves the sandbox time forward by at least two hours', async () => {
  const before = await sandboxSeconds()
  assert.match(await ok(['clock', '--advance', '2h']), /^sandbox time /)
  assert.ok((await sandboxSeconds()) - before >= 7200)
})

test('the clock refuses to go backwards, from the CLI and from the server', async () => {
  assertFailure(await cli(['clock', '--advance', '-5']), /only moves forward/)
  assertFailure(
    await cli(['clock', '--set', '2000-01-01T00:00:00+08:00']),
    /^wxcoupon: INVALID_REQUEST: the sandbox clock only moves forward/,
  )
  assertFailure(await cli(['clock', '--advance', '5 years']), /--advance/)
})

test('faults add, list and clear', async () => {
  assertFailure(
    await cli(['faults', 'add', '--operation', 'return', '--mode', 'SYSTEM_ERROR']),
    /--count <n> or --probability <p>/,
  )
  assert.match(
    await ok(['faults', 'add', '--operation', 'return', '--mode', 'SYSTEM_ERROR', '--count', '2']),
    /return → SYSTEM_ERROR/,
  )
  const listed = JSON.parse(await ok(['faults', 'list', '--json'])) as { faults: unknown[] }
  assert.equal(listed.faults.length, 1)
  assert.deepEqual(
    { ...(listed.faults[0] as object), fault_id: '' },
    { operation: 'return', mode: 'SYSTEM_ERROR', count: 2, fault_id: '', hits: 0 },
  )
  assert.equal(await ok(['faults', 'clear']), 'faults cleared\n')
  assert.deepEqual(JSON.parse(await ok(['faults', 'list', '--json'])), { faults: [] })
  assert.equal(await ok(['faults', 'list']), 'no faults\n')
})

test('reset needs --yes', async () => {
  assertFailure(await cli(['reset']), /--yes/)
  assert.deepEqual(JSON.parse(await ok(['reset', '--yes', '--json'])), { reset: true })
})

test('approving an unknown stock shows the server NOT_FOUND answer', async () => {
  assertFailure(
    await cli(['approve', 'stock', '1']),
    /^wxcoupon: NOT_FOUND: no such sandbox object \(stock_id=1\)/,
  )
  assertFailure(await cli(['approve', 'batch', '1']), /product-coupon, stock/)
})

test('a data dir without a usable sandbox.json, or without a server, is named clearly', async () => {
  const empty = tempDir()
  assertFailure(await cli(['clock'], empty), /^wxcoupon: no sandbox\.json in .*wxcoupon serve/)

  const sandbox = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'))
  const wrongToken = tempDir()
  writeFileSync(
    join(wrongToken, 'sandbox.json'),
    JSON.stringify({ ...sandbox, admin_token: 'not-the-token' }),
  )
  assertFailure(await cli(['clock'], wrongToken), /^wxcoupon: UNAUTHORIZED: /)

  const noServer = tempDir()
  writeFileSync(
    join(noServer, 'sandbox.json'),
    JSON.stringify({ ...sandbox, base_url: `http://127.0.0.1:${await closedPort()}` }),
  )
  assertFailure(await cli(['clock'], noServer), /^wxcoupon: cannot reach the sandbox at /)
})

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  assert.ok(address !== null && typeof address === 'object')
  await new Promise((resolve) => probe.close(resolve))
  return address.port
}

test('2025-11 controls: a partner on a revision, a store of a brand, claiming a pre-send token', async () => {
  const p = JSON.parse(await ok(['tenants', 'add-partner', '--revision', '2025-11', '--json']))
  assert.equal(p.revision, '2025-11')
  const sandbox = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as {
    brand_id: string
  }
  assert.match(
    await ok(['tenants', 'add-store', '--brand-id', sandbox.brand_id, '--closed']),
    /^store \d+ {2}closed\n$/,
  )
  assertFailure(await cli(['tenants', 'add-partner', '--revision', '2024']), /--revision/)
  assertFailure(await cli(['claim', 'no-such-token']), /^wxcoupon: NOT_FOUND: /)
})
