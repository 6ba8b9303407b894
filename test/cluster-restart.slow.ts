import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CLI, ROOT } from './helpers/built-cli.ts'

/**
 * `serve --workers 2`: both workers SIGKILLed at once (before: the primary logged "starting
 * another in 250 ms" and exited 0, leaving nothing listening). The primary must restart both
 * and the port serve again within seconds; it leaves with a non-zero code only when no worker
 * can start for the give-up bound (shortened here), saying why on stderr.
 */
interface Primary {
  child: ChildProcess
  baseUrl: string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: string | null }>
}

async function startPrimary(dataDir: string, env: Record<string, string> = {}): Promise<Primary> {
  const { DATABASE_URL: _, WXCOUPON_WORKERS: __, ...rest } = process.env
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--workers', '2', '--data-dir', dataDir],
    { cwd: ROOT, env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  )
  const baseUrl = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`not ready: ${err}`)), 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        ok(m[1] as string)
      }
    })
    void exit.then(() => fail(new Error(`exited: ${err}`)))
  })
  return { child, baseUrl, stderr: () => err, exit }
}

function workersOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

async function answers(baseUrl: string): Promise<boolean> {
  try {
    const r = await fetch(`${baseUrl}/openapi.json`, {
      headers: { Connection: 'close' },
      signal: AbortSignal.timeout(2_000),
    })
    await r.arrayBuffer()
    return r.status === 200
  } catch {
    return false
  }
}

describe('serve --workers 2: every worker dies at once', {
  skip: !existsProc() && 'needs /proc',
}, () => {
  const dirs: string[] = []
  const children: ChildProcess[] = []
  after(() => {
    for (const c of children) {
      if (c.exitCode === null) c.kill('SIGKILL')
      c.stdout?.destroy()
      c.stderr?.destroy()
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  test('both SIGKILLed together: the primary restarts them and the port serves again within seconds', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cluster-'))
    dirs.push(dir)
    const p = await startPrimary(dir)
    children.push(p.child)
    const pid = p.child.pid as number
    let before: number[] = []
    for (let i = 0; i < 100 && before.length < 2; i++) {
      before = workersOf(pid)
      if (before.length < 2) await sleep(50)
    }
    assert.equal(before.length, 2, 'two workers')
    assert.ok(await answers(p.baseUrl))
    for (const w of before) process.kill(w, 'SIGKILL')
    const killedAt = Date.now()
    let firstDown: number | undefined
    let backAt: number | undefined
    while (Date.now() - killedAt < 20_000) {
      const ok = await answers(p.baseUrl)
      if (!ok) firstDown ??= Date.now()
      else if (Date.now() - killedAt > 50) {
        backAt = Date.now()
        break
      }
      await sleep(20)
    }
    assert.equal(p.child.exitCode, null, `the primary is still running; stderr: ${p.stderr()}`)
    assert.ok(backAt !== undefined, `serving again; stderr: ${p.stderr()}`)
    const after = workersOf(pid)
    t.diagnostic(
      `serving again ${backAt - killedAt} ms after both workers were killed` +
        (firstDown === undefined
          ? ' (no refused request seen)'
          : `; refused for ${backAt - firstDown} ms`),
    )
    assert.ok(backAt - killedAt < 10_000)
    assert.equal(after.filter((w) => before.includes(w)).length, 0, 'new workers')
    // Twice in a row: the back-off does not leave the port dead for long either.
    for (const w of workersOf(pid)) process.kill(w, 'SIGKILL')
    let again = false
    for (let i = 0; i < 200 && !again; i++) {
      await sleep(50)
      again = await answers(p.baseUrl)
    }
    assert.ok(again, `serving after a second mass death; stderr: ${p.stderr()}`)
    p.child.kill('SIGTERM')
    assert.deepEqual(await p.exit, { code: 0, signal: null }, 'a signal: exit 0')
  })

  test('when no worker can start for the give-up bound, the primary exits 1 and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cluster-'))
    dirs.push(dir)
    const p = await startPrimary(dir, { WXCOUPON_GIVE_UP_MS: '2000' })
    children.push(p.child)
    const pid = p.child.pid as number
    let workers: number[] = []
    for (let i = 0; i < 100 && workers.length < 2; i++) {
      workers = workersOf(pid)
      if (workers.length < 2) await sleep(50)
    }
    // The database replaced by something that is not one: every new worker fails to start.
    for (const f of ['wxcoupon.db-wal', 'wxcoupon.db-shm']) rmSync(join(dir, f), { force: true })
    writeFileSync(join(dir, 'wxcoupon.db'), Buffer.alloc(8192, 0x5a))
    for (const w of workers) process.kill(w, 'SIGKILL')
    const exit = await Promise.race([p.exit, sleep(30_000, undefined, { ref: false })])
    assert.ok(exit, 'the primary gave up within the bound and its back-off')
    assert.equal(exit.code, 1, p.stderr())
    assert.match(p.stderr(), /no worker has listened for \d+ s \(last: .+\); giving up/)
  })
})

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat')
    return true
  } catch {
    return false
  }
}
