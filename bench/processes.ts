import { type ChildProcess, fork, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadJob, LoadResult } from './load-types.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A server under test in its own process tree (a cluster primary and its workers). */
export interface ServerUnderTest {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts a process and waits for its ready line (`… listening on http://…`). */
async function ready(child: ChildProcess, what: string): Promise<string> {
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  return new Promise<string>((ok, fail) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1]) ok(m[1])
    })
    child.once('exit', (code) => fail(new Error(`${what} exited with ${code}: ${err.slice(-500)}`)))
  })
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

/**
 * The bench's environment without DATABASE_URL and WXCOUPON_*: a CLI the bench runs does what
 * its flags say, whatever the shell that started the bench has set.
 */
export function cliEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('WXCOUPON_')),
  )
}

/** `wxcoupon serve` on a free port; without `workers`, no `--workers` flag: users' default. */
export async function startWxcoupon(o: {
  dataDir: string
  workers?: number
  settingsFile: string
  db?: string
}): Promise<ServerUnderTest> {
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : []
  const args = [
    ...profile,
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    join(ROOT, 'dist/cli/main.js'),
    'serve',
    '--port',
    '0',
    '--data-dir',
    o.dataDir,
    '--settings',
    o.settingsFile,
    ...(o.workers === undefined ? [] : ['--workers', String(o.workers)]),
    ...(o.db ? ['--db', o.db] : []),
  ]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return { url: await ready(child, 'wxcoupon'), child, stop: stopper(child) }
}

export async function startFloor(o: {
  workers: number
  partnerPublicKeyFile: string
  platformPrivateKeyFile: string
}): Promise<ServerUnderTest> {
  const args = [
    '--conditions=wxcoupon-source',
    '--import',
    'tsx',
    join(ROOT, 'bench/floor-server.ts'),
    '0',
    String(o.workers),
    o.partnerPublicKeyFile,
    o.platformPrivateKeyFile,
  ]
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  return { url: await ready(child, 'floor server'), child, stop: stopper(child) }
}

/** The process and its descendants (cluster workers), from /proc. */
function tree(root: number): number[] {
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [root]
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid)
  }
  return out
}

/** Processes serving a started server: its cluster workers, or itself when it has none. */
export function servingProcesses(server: ServerUnderTest): number {
  return Math.max(1, tree(server.child.pid as number).length - 1)
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

const TICKS_PER_SECOND = 100

/**
 * CPU seconds (user + system) used so far by the process and its descendants. Unlike req/s
 * it does not move when a neighbour on a shared host takes the cores for a while.
 */
export function cpuSeconds(root: number): number {
  let ticks = 0
  for (const pid of tree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12])
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks / TICKS_PER_SECOND
}

/** Samples the RSS of every process of the tree until stopped; the largest single process. */
export function sampleRss(root: number): () => number {
  let max = 0
  const timer = setInterval(() => {
    for (const pid of tree(root)) max = Math.max(max, rssMb(pid))
  }, 200)
  return () => {
    clearInterval(timer)
    for (const pid of tree(root)) max = Math.max(max, rssMb(pid))
    return max
  }
}

/** Runs the load generator in its own process. */
export async function load(job: LoadJob): Promise<LoadResult> {
  const child = fork(join(ROOT, 'bench/loader.ts'), [], {
    execArgv: ['--conditions=wxcoupon-source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise<LoadResult>((ok, fail) => {
    child.once('message', (m: { ok?: LoadResult; error?: string }) =>
      m.ok ? ok(m.ok) : fail(new Error(m.error)),
    )
    child.once('exit', (code) => code !== 0 && fail(new Error(`loader exited with ${code}`)))
    child.send(job)
  })
}
