import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import { CLI, ROOT, tempDirs } from './helpers/built-cli.ts'

/**
 * What a new user hits first on the command line: --version, `call`, the data dir lock,
 * settings from the environment named in errors, start-up errors that name the file and the
 * setting (alike in every worker mode), and failures while serving logged on stderr.
 */
const run = promisify(execFile)
const dataDir = tempDirs('wxcoupon-paper-')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

interface Result {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return run(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, WXCOUPON_WORKERS: '1', ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: Result) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

interface Served {
  child: ChildProcess
  stderr: () => string
  baseUrl: string
}

function serve(dir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--data-dir', dir, ...extra],
    {
      cwd: ROOT,
      env: { ...process.env, WXCOUPON_WORKERS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1]) resolve({ child, stderr: () => err, baseUrl: m[1] })
    })
    child.on('exit', () => reject(new Error(`exited: ${err}`)))
  })
}

let dir: string
let server: Served
before(async () => {
  dir = dataDir()
  server = await serve(dir, ['--log'])
})
after(() => {
  server?.child.kill('SIGTERM')
})

test('--version prints the package version', async () => {
  const r = await cli(['--version'])
  assert.equal(r.stdout.trim(), pkg.version)
})

test('call: the JSON body on stdout, exit 0 on a 2xx and 1 otherwise', async () => {
  const set = await cli([
    'call',
    'POST',
    '/notify-configs',
    '--data',
    '{"notify_url":"http://127.0.0.1:9/wxcoupon/notify"}',
    '--data-dir',
    dir,
  ])
  assert.equal(set.code, 0, set.stderr)
  const got = await cli([
    'call',
    'GET',
    '/v3/marketing/partner/product-coupon/notify-configs',
    '--data-dir',
    dir,
  ])
  assert.equal(got.code, 0)
  assert.equal(JSON.parse(got.stdout).notify_url, 'http://127.0.0.1:9/wxcoupon/notify')
  assert.match(got.stderr, /^HTTP 200 GET /)
  assert.match(got.stderr, /Request-ID: [0-9A-F]{42}\n/)
  assert.match(got.stderr, /response signature verified/)
  const missing = await cli([
    'call',
    'GET',
    '/product-coupons/1000000000999?brand_id=1',
    '--data-dir',
    dir,
  ])
  assert.equal(missing.code, 1)
  assert.equal(JSON.parse(missing.stdout).code, 'NO_AUTH')
})

test('call with a malformed JSON file names the file, the line and the column', async () => {
  const file = join(dataDir(), 'body.json')
  writeFileSync(file, '{\n  "notify_url": "http://127.0.0.1:9/x",\n  "oops": }\n')
  const r = await cli(['call', 'POST', '/notify-configs', '--data', `@${file}`, '--data-dir', dir])
  assert.equal(r.code, 1)
  assert.match(
    r.stderr,
    new RegExp(
      `^wxcoupon: ${file} is not valid JSON \\(syntax at \\/oops\\) at line 3, column 11\\n$`,
    ),
  )
})

test('a second serve on a data dir in use exits non-zero at once and leaves sandbox.json alone', async () => {
  const before = readFileSync(join(dir, 'sandbox.json'), 'utf8')
  const t0 = Date.now()
  const r = await cli(['serve', '--port', '0', '--data-dir', dir])
  assert.equal(r.code, 1)
  assert.ok(Date.now() - t0 < 10_000)
  assert.match(
    r.stderr,
    new RegExp(
      `is in use by another wxcoupon server \\(PID ${server.child.pid}, listening on ${server.baseUrl}\\)`,
    ),
  )
  assert.equal(readFileSync(join(dir, 'sandbox.json'), 'utf8'), before)
})

test('--log writes request lines on stderr, each with its Request-ID and error code', async () => {
  await cli(['call', 'GET', '/product-coupons/1000000000999?brand_id=1', '--data-dir', dir])
  const lines = server
    .stderr()
    .split('\n')
    .filter((l) => l.includes('request completed'))
  const failed = lines.map((l) => JSON.parse(l)).find((l) => l.res?.code === 'NO_AUTH')
  assert.ok(failed, 'a line with the error code')
  assert.match(failed.res.request_id, /^[0-9A-F]{42}-\d+$/)
})

test('settings from the environment, named in the error when wrong', async () => {
  const bad = await cli(['serve', '--data-dir', dataDir()], { WXCOUPON_PORT: 'abc' })
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /WXCOUPON_PORT/)
  const badPort = await cli(['serve', '--data-dir', dataDir()], { PORT: 'x' })
  assert.match(badPort.stderr, /^wxcoupon: PORT=x is not a port/)
  const workers = await cli(['serve', '--data-dir', dataDir()], { WXCOUPON_WORKERS: '0' })
  assert.match(workers.stderr, /^wxcoupon: WXCOUPON_WORKERS=0: must be 1–256/)
  const viaEnv = await cli(['clock'], { WXCOUPON_DATA_DIR: dir })
  assert.equal(viaEnv.code, 0, viaEnv.stderr)
  assert.match(viaEnv.stdout, /^sandbox time /)
  const sandbox = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'))
  const remote = await cli([
    'faults',
    'list',
    '--base-url',
    sandbox.base_url,
    '--token',
    sandbox.admin_token,
    '--data-dir',
    dataDir(),
  ])
  assert.equal(remote.code, 0, remote.stderr)
})

test('start-up errors name the path and the setting, the same with one worker or two', async () => {
  const file = join(dataDir(), 'not-a-dir')
  writeFileSync(file, 'x')
  const messages = []
  for (const workers of ['1', '2']) {
    const r = await cli(['serve', '--port', '0', '--data-dir', file, '--workers', workers])
    assert.equal(r.code, 1)
    messages.push(r.stderr)
  }
  assert.match(
    messages[0] ?? '',
    new RegExp(`data dir ${file} \\(--data-dir or WXCOUPON_DATA_DIR\\): .* is not a directory`),
  )
  assert.equal(messages[1], messages[0])
  const broken = dataDir()
  writeFileSync(
    join(broken, 'wxcoupon.db'),
    'this is not a database at all, just text '.repeat(200),
  )
  const corrupt = []
  for (const workers of ['1', '2']) {
    corrupt.push(
      (await cli(['serve', '--port', '0', '--data-dir', broken, '--workers', workers])).stderr,
    )
  }
  assert.match(
    corrupt[0] ?? '',
    new RegExp(
      `the database ${join(broken, 'wxcoupon.db')} is not a SQLite database or is damaged`,
    ),
  )
  assert.equal(corrupt[1], corrupt[0])
})

test('a database failure while serving is a SYSTEM_ERROR to the client and a stderr line with its Request-ID', async () => {
  const own = dataDir()
  const s = await serve(own)
  try {
    const db = new BetterSqlite3(join(own, 'wxcoupon.db'))
    db.exec('drop table notify_configs')
    db.close()
    const r = await cli(['call', 'GET', '/notify-configs', '--data-dir', own])
    assert.equal(r.code, 1)
    assert.equal(JSON.parse(r.stdout).code, 'SYSTEM_ERROR')
    const requestId = /Request-ID: (\S+)/.exec(r.stderr)?.[1] ?? ''
    await new Promise((resolve) => setTimeout(resolve, 200))
    const line = s
      .stderr()
      .split('\n')
      .find((l) => l.includes(requestId))
    assert.ok(line, `no stderr line names ${requestId}:\n${s.stderr()}`)
    assert.match(line, /no such table/)
    assert.doesNotMatch(r.stdout, /no such table/, 'the client sees no SQL')
  } finally {
    s.child.kill('SIGTERM')
  }
})

test('the demo reports the retry an injected fault causes, and still completes', async () => {
  const add = await cli([
    'faults',
    'add',
    '--operation',
    'confirm',
    '--mode',
    'SYSTEM_ERROR',
    '--count',
    '1',
    '--data-dir',
    dir,
  ])
  assert.equal(add.code, 0, add.stderr)
  const demo = await cli(['demo', '--data-dir', dir])
  assert.equal(demo.code, 0, demo.stderr)
  assert.match(
    demo.stdout,
    /retry 1 of POST \/v3\/marketing\/partner\/product-coupon\/users\/\S+\/confirm in \d+ ms after /,
  )
  assert.match(demo.stdout, /5\. return +→ EFFECTIVE/)
})
