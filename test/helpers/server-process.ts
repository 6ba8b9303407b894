import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { SandboxFile } from '../../packages/sdk/src/schemas/sandbox-file.ts'
import { DEFAULT_BEHAVIOUR } from '../../src/domain/settings.ts'
import { openStore } from '../../src/store/open.ts'
import type { Store } from '../../src/store/store.ts'
import { CLI, ROOT } from './built-cli.ts'
import { TestServer } from './harness.ts'

/**
 * `wxcoupon serve` as a real child process (the built CLI, as users run it), which a test can
 * SIGKILL and start again on the same port and data. Needs `npm run build` first (npm test
 * and the reliability script both build).
 */

/** Rate limits off: load and race tests fire bursts at one brand. */
export function settingsFile(extra: Record<string, unknown> = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wxcoupon-settings-')), 'settings.json')
  const rateLimits = { ...DEFAULT_BEHAVIOUR.rateLimits, enabled: false }
  writeFileSync(file, JSON.stringify({ rateLimits, ...extra }))
  return file
}

export class ServerProcess {
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  port = 0
  baseUrl = ''
  /** Exits this helper did not cause (kill, stop): each one a server that died by itself. */
  unexpectedExits: string[] = []
  #ending = false

  readonly o: { dataDir: string; databaseUrl?: string; settingsFile?: string; workers?: number }

  constructor(o: {
    dataDir: string
    databaseUrl?: string
    settingsFile?: string
    workers?: number
  }) {
    this.o = o
  }

  get running(): boolean {
    return this.#child !== undefined
  }

  /** Starts the process and resolves when it is listening; returns the milliseconds it took. */
  async start(): Promise<number> {
    const t0 = performance.now()
    // One process per instance: crash and multi-instance tests count and kill processes
    // (several workers per instance are workers.test.ts's subject).
    const args = [CLI, 'serve', '--port', String(this.port), '--data-dir', this.o.dataDir]
    args.push('--workers', String(this.o.workers ?? 1))
    if (this.o.databaseUrl) args.push('--db', this.o.databaseUrl)
    if (this.o.settingsFile) args.push('--settings', this.o.settingsFile)
    const { DATABASE_URL: _, ...env } = process.env
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    this.#exited = new Promise((r) =>
      child.once('exit', (code, signal) => {
        if (!this.#ending && this.#child === child)
          this.unexpectedExits.push(`${code ?? signal}: ${stderr.slice(-2000)}`)
        r()
      }),
    )
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    this.baseUrl = await new Promise<string>((ok, fail) => {
      let out = ''
      const timer = setTimeout(() => fail(new Error(`server did not start: ${stderr}`)), 30_000)
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /listening on (http:\/\/\S+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          ok(m[1] as string)
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        fail(new Error(`server exited with ${code}: ${stderr}`))
      })
    })
    this.port = Number(new URL(this.baseUrl).port)
    return performance.now() - t0
  }

  /** SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill. */
  async kill(): Promise<void> {
    this.#ending = true
    this.#child?.kill('SIGKILL')
    await this.#exited
    this.#child = undefined
    this.#ending = false
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (!child) return
    this.#ending = true
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await this.#exited
    clearTimeout(timer)
    this.#child = undefined
    this.#ending = false
  }

  sandbox(): SandboxFile {
    return JSON.parse(readFileSync(join(this.o.dataDir, 'sandbox.json'), 'utf8')) as SandboxFile
  }
}

/** A TestServer over a server process; reads go to the database directly. */
export class ProcessTestServer extends TestServer {
  readonly process: ServerProcess
  #store: Store | undefined

  constructor(o: {
    databaseUrl?: string
    settingsFile?: string
    dataDir?: string
    workers?: number
  }) {
    const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'wxcoupon-proc-'))
    super(dataDir)
    this.process = new ServerProcess({ ...o, dataDir })
  }

  override async start(): Promise<this> {
    await this.process.start()
    this.#attachProcess()
    return this
  }

  /** Whatever is already running (after a kill and start driven by the test). */
  #attachProcess(): void {
    const { databaseUrl } = this.process.o
    this.#store ??= openStore({ databaseUrl, dataDir: this.dataDir, poolSize: 2 })
    const store = this.#store
    this.attach({
      app: undefined as never,
      store,
      baseUrl: this.process.baseUrl,
      sandbox: this.process.sandbox(),
      close: async () => {
        await this.process.stop()
        await store.close()
        this.#store = undefined
      },
    })
  }

  async kill(): Promise<void> {
    await this.process.kill()
  }

  async revive(): Promise<number> {
    const ms = await this.process.start()
    this.#attachProcess()
    return ms
  }
}
