import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { CLI, ROOT, tempDirs } from './helpers/built-cli.ts'

/**
 * The external contract of the command line, against the built package (`npm ci` builds it):
 * `npm start` / `npx wxcoupon serve` print one ready line with the base URL, `wxcoupon demo`
 * walks the life cycle, and SIGINT/SIGTERM — to the server alone or to its whole process
 * group — stop it with exit code 0 and the database closed.
 */

const dataDir = tempDirs('wxcoupon-cli-')

interface Started {
  child: ChildProcess
  baseUrl: string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts in its own process group (detached) so the test can signal the whole group. */
async function start(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line in 30 s: ${out} ${err}`)),
      30_000,
    )
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    void exit.then(() => reject(new Error(`exited before ready: ${out} ${err}`)))
  })
  assert.equal(
    out
      .trim()
      .split('\n')
      .filter((l) => l.includes('http://')).length,
    1,
  )
  return { child, baseUrl, exit }
}

test('npm start serves, the demo completes the life cycle, SIGTERM to the group exits 0', async () => {
  const d = dataDir()
  const s = await start('npm', ['start', '--', '--port', '0', '--data-dir', d])
  const sandbox = JSON.parse(readFileSync(join(d, 'sandbox.json'), 'utf8'))
  assert.equal(sandbox.base_url, s.baseUrl)
  const demo = await promisify(execFile)(process.execPath, [CLI, 'demo', '--data-dir', d], {
    cwd: ROOT,
  })
  for (const step of ['1. create', '2. send', '3. confirm', '4. use', '5. return', '6. query']) {
    assert.ok(demo.stdout.includes(step), `${step} missing in:\n${demo.stdout}`)
  }
  assert.match(demo.stdout, /5\. return +→ EFFECTIVE/)
  // The same walk by the brand itself, on /brand/… under the brand scheme.
  const brand = await promisify(execFile)(
    process.execPath,
    [CLI, 'demo', '--brand', '--data-dir', d],
    {
      cwd: ROOT,
    },
  )
  assert.match(brand.stdout, /demo --brand .*brand \d+ calling \/brand/)
  assert.match(brand.stdout, /5\. return +→ EFFECTIVE/)
  process.kill(-(s.child.pid ?? 0), 'SIGTERM')
  assert.deepEqual(await s.exit, { code: 0, signal: null })
  assert.equal(existsSync(join(d, 'wxcoupon.db-wal')), false, 'database closed (WAL checkpointed)')
})

test('npx wxcoupon serve stops with 0 on a group SIGINT (a terminal Ctrl-C)', async () => {
  const d = dataDir()
  // On an empty npx cache npx links this project into the cache and runs its `prepare` (a full
  // tsc build into dist/) while other test files execute dist/: ignore-scripts keeps it away.
  const s = await start('npx', ['wxcoupon', 'serve', '--port', '0', '--data-dir', d], {
    ...process.env,
    npm_config_ignore_scripts: 'true',
  })
  const res = await fetch(`${s.baseUrl}/sandbox/clock`)
  assert.equal(res.status, 401)
  process.kill(-(s.child.pid ?? 0), 'SIGINT')
  assert.deepEqual(await s.exit, { code: 0, signal: null })
})

test('the server alone receiving SIGTERM exits 0; a restart on the same dir keeps its keys', async () => {
  const d = dataDir()
  const first = await start(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', d])
  const before = readFileSync(join(d, 'sandbox.json'), 'utf8')
  first.child.kill('SIGTERM')
  assert.deepEqual(await first.exit, { code: 0, signal: null })
  const second = await start(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', d])
  const afterRestart = JSON.parse(readFileSync(join(d, 'sandbox.json'), 'utf8'))
  assert.deepEqual({ ...afterRestart, base_url: '' }, { ...JSON.parse(before), base_url: '' })
  second.child.kill('SIGINT')
  assert.deepEqual(await second.exit, { code: 0, signal: null })
})

test('a port in use is reported as an error, not a stack trace', async () => {
  const d = dataDir()
  const s = await start(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', d])
  const port = new URL(s.baseUrl).port
  const clash = await promisify(execFile)(process.execPath, [
    CLI,
    'serve',
    '--port',
    port,
    '--data-dir',
    dataDir(),
  ])
    .then(() => ({ code: 0, stderr: '' }))
    .catch((e: { code: number; stderr: string }) => e)
  assert.equal(clash.code, 1)
  assert.match(clash.stderr, /^wxcoupon: .*EADDRINUSE/)
  assert.doesNotMatch(clash.stderr, /\n\s+at /)
  s.child.kill('SIGTERM')
  await s.exit
})
