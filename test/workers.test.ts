import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import { DEFAULT_BEHAVIOUR } from '../src/domain/settings.ts'
import { openStore } from '../src/store/open.ts'
import { createTestDatabase, pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import type { Store } from '../src/store/store.ts'
import { CLI, ROOT } from './helpers/built-cli.ts'
import type { Cluster } from './helpers/cluster.ts'
import { API, confirmed, couponPath, createProductCoupon } from './helpers/fixtures.ts'
import { type CallOptions, type Reply, TestServer } from './helpers/harness.ts'
import {
  budgetSends,
  competingReturns,
  identicalReturns,
  identicalSends,
  interleavings,
  prng,
  rounds,
  type Violations,
} from './helpers/race-scenarios.ts'
import { settingsFile } from './helpers/server-process.ts'

/**
 * `wxcoupon serve --workers 2` (the built CLI): two worker processes behind one port must
 * behave as one server — the race checks hold across them, and a fault, a clock move or a rate
 * limit set or spent through one worker applies to calls the other answers. Each call goes on
 * a new connection, which the primary hands to the workers in turn; the request log (`--log`,
 * one JSON line per request with its pid and Request-ID) tells which worker answered.
 */
const ROUNDS = Number(process.env.WXCOUPON_RACE_ROUNDS ?? 1)
const SEED = Number(process.env.WXCOUPON_SEED ?? Math.floor(Math.random() * 2 ** 31))
const N = 16
const RATE_LIMITED = 3

class ClusterProcess {
  readonly child: ChildProcess
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly baseUrl: Promise<string>
  stdout = ''
  stderr = ''
  readonly #pidOf = new Map<string, number>()

  constructor(args: string[]) {
    const { DATABASE_URL: _, WXCOUPON_WORKERS: __, ...env } = process.env
    this.child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const child = this.child
    this.exit = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })))
    let partial = ''
    child.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString()
    })
    // --log writes its JSON lines on stderr.
    child.stderr?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith('{')) continue
        const entry = JSON.parse(line) as { reqId?: string; pid?: number }
        if (entry.reqId && entry.pid) this.#pidOf.set(entry.reqId, entry.pid)
      }
    })
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString()
    })
    this.baseUrl = new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready: ${this.stderr}`)), 30_000)
      child.stdout?.on('data', () => {
        const m = /^wxcoupon sandbox listening on (\S+) \(.*, 2 workers\)$/m.exec(this.stdout)
        if (m) {
          clearTimeout(timer)
          ok(m[1] as string)
        }
      })
      void this.exit.then(() => fail(new Error(`exited: ${this.stderr}`)))
    })
  }

  /** Pids of the workers seen answering so far. */
  get workers(): Set<number> {
    return new Set(this.#pidOf.values())
  }

  /** The pid of the worker that answered (its log line may trail the answer a little). */
  async pidOf(r: Reply): Promise<number> {
    const id = (r.headers.get('request-id') ?? '').replace(/-\d+$/, '')
    for (let i = 0; i < 100; i++) {
      const pid = this.#pidOf.get(id)
      if (pid) return pid
      await sleep(20)
    }
    throw new Error(`no log line for request ${id}`)
  }
}

/** The harness's signing, checking client, with one new connection per call. */
class FreshConnections extends TestServer {
  constructor(dataDir: string, baseUrl: string, store: Store, close: () => Promise<void>) {
    super(dataDir)
    const sandbox = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as SandboxFile
    this.attach({ app: undefined as never, store, baseUrl, sandbox, close })
  }

  override call(method: string, path: string, body?: unknown, o: CallOptions = {}) {
    return super.call(method, path, body, { ...o, headers: { Connection: 'close', ...o.headers } })
  }

  /** A sandbox control on a new connection (admin() keeps one connection, so one worker). */
  async control(method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      signal: AbortSignal.timeout(10_000),
      headers: {
        Connection: 'close',
        Authorization: `Bearer ${this.sandbox.admin_token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : {} }
  }
}

interface Running {
  proc: ClusterProcess
  client: FreshConnections
  cluster: Cluster
  dataDir: string
}

async function startWorkers(databaseUrl?: string): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-workers-'))
  const rateLimits = {
    ...DEFAULT_BEHAVIOUR.rateLimits,
    overrides: { get_stock: { limit: RATE_LIMITED, perSeconds: 3600 } },
  }
  const args = ['--workers', '2', '--data-dir', dataDir, '--settings', settingsFile({ rateLimits })]
  if (databaseUrl) args.push('--db', databaseUrl)
  const proc = new ClusterProcess(args)
  const baseUrl = await proc.baseUrl
  const store = openStore({ databaseUrl, dataDir, poolSize: 2 })
  let closing: Promise<void> | undefined
  const closeStore = () => {
    closing ??= store.close()
    return closing
  }
  const client = new FreshConnections(dataDir, baseUrl, store, closeStore)
  const cluster: Cluster = {
    deployment: 'serve --workers 2',
    servers: [client],
    at: () => client,
    store,
    ...(databaseUrl ? { databaseUrl } : {}),
    close: closeStore,
  }
  return { proc, client, cluster, dataDir }
}

/** Calls `n` times, one after another, and groups the answers by the worker that gave them. */
async function spread(
  r: Running,
  n: number,
  call: () => Promise<Reply>,
): Promise<{ replies: Reply[]; pids: Map<number, number[]> }> {
  const replies: Reply[] = []
  const pids = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const reply = await call()
    replies.push(reply)
    const pid = await r.proc.pidOf(reply)
    pids.set(pid, [...(pids.get(pid) ?? []), reply.status])
  }
  return { replies, pids }
}

const couponQuery = (c: Awaited<ReturnType<typeof confirmed>>) =>
  `${couponPath(c)}?product_coupon_id=${c.product_coupon_id}&stock_id=${c.stock_id}&appid=${c.appid}&brand_id=${c.brand_id}`

const allRounds = (round: () => Promise<Violations>) => rounds(ROUNDS, round)

/** A zombie (exited, not yet reaped by whoever inherited it) serves nothing: not alive. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    if (existsSync('/proc/self/stat')) return false
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const pgSkip = await pgSkipReason()

for (const deployment of ['SQLite', 'PostgreSQL'] as const) {
  const skip = deployment === 'PostgreSQL' ? pgSkip : undefined
  describe(`serve --workers 2 on ${deployment}`, { skip }, () => {
    let r: Running
    let drop = async () => {}
    before(async () => {
      let url: string | undefined
      if (deployment === 'PostgreSQL') {
        const db = await createTestDatabase()
        url = db.url
        drop = db.drop
      }
      r = await startWorkers(url)
    })
    after(async () => {
      if (r?.proc.child.exitCode === null && r.proc.child.signalCode === null) {
        r.proc.child.kill('SIGKILL')
      }
      await r?.proc.exit
      await r?.cluster.close()
      await drop()
      if (r) rmSync(r.dataDir, { recursive: true, force: true })
    })

    test('both workers answer on the one port that sandbox.json names', async () => {
      const { pids } = await spread(r, 6, () => r.client.control('GET', '/sandbox/clock'))
      assert.equal(pids.size, 2, `answered by ${[...pids.keys()]}`)
      assert.ok(!pids.has(r.proc.child.pid ?? 0), 'the primary serves nothing itself')
      assert.equal(r.client.sandbox.base_url, await r.proc.baseUrl)
    })

    test(`races across workers: identical and competing returns, sends, budget, interleavings (×${ROUNDS}, seed ${SEED})`, async () => {
      const c = r.cluster
      assert.deepEqual(await allRounds(() => identicalReturns(c, N)), [])
      assert.deepEqual(await allRounds(() => competingReturns(c, N)), [])
      assert.deepEqual(await allRounds(() => identicalSends(c, N)), [])
      assert.deepEqual(await allRounds(() => budgetSends(c, 10, 5)), [])
      const random = prng(SEED)
      assert.deepEqual(await allRounds(() => interleavings(c, 8, random)), [])
    })

    test('a fault set through one worker: N failures in all, from every worker; cleared for all', async () => {
      const c = await confirmed(r.client)
      const query = () => r.client.call('GET', couponQuery(c))
      const f = await r.client.control('POST', '/sandbox/faults', {
        operation: 'get_user_coupon',
        mode: 'SYSTEM_ERROR',
        count: 4,
      })
      assert.equal(f.status, 200, f.text)
      const counted = await spread(r, 8, query)
      assert.deepEqual(
        counted.replies.map((x) => x.status),
        [500, 500, 500, 500, 200, 200, 200, 200],
      )
      const failedOn = [...counted.pids].filter(([, s]) => s.includes(500))
      assert.equal(failedOn.length, 2, 'both workers drew from the one count')
      for (let i = 0; i < 2; i++) {
        const listed = await r.client.control('GET', '/sandbox/faults')
        assert.deepEqual(listed.json, { faults: [] }, 'used up, as every worker sees')
      }
      await r.client.control('POST', '/sandbox/faults', {
        operation: '*',
        mode: 'RATELIMIT_EXCEEDED',
        probability: 1,
      })
      const always = await spread(r, 4, query)
      assert.deepEqual([...always.pids.values()].flat(), [429, 429, 429, 429])
      assert.equal(always.pids.size, 2)
      assert.equal((await r.client.control('DELETE', '/sandbox/faults')).status, 200)
      const cleared = await spread(r, 4, query)
      assert.deepEqual([...cleared.pids.values()].flat(), [200, 200, 200, 200])
      assert.equal(cleared.pids.size, 2)
    })

    test(`a rate limit (${RATE_LIMITED} per hour) holds across workers`, async () => {
      const pc = await createProductCoupon(r.client)
      const path = `${API}/product-coupons/${pc.product_coupon_id}/stocks/${pc.stock_id}?brand_id=${r.client.sandbox.brand_id}`
      const { replies, pids } = await spread(r, 8, () => r.client.call('GET', path))
      assert.equal(replies.filter((x) => x.status === 200).length, RATE_LIMITED)
      assert.equal(replies.filter((x) => x.status === 429).length, 8 - RATE_LIMITED)
      assert.equal(pids.size, 2)
      for (const statuses of pids.values()) assert.ok(statuses.includes(429), 'both refuse')
    })

    test("the clock moved through one worker is every worker's clock", async () => {
      const c = await confirmed(r.client)
      const moved = await r.client.control('POST', '/sandbox/clock', {
        advance_seconds: 40 * 86_400,
      })
      assert.equal(moved.status, 200, moved.text)
      const now = Date.parse(moved.json.now)
      const clocks = await spread(r, 4, () => r.client.control('GET', '/sandbox/clock'))
      assert.equal(clocks.pids.size, 2)
      for (const x of clocks.replies) assert.ok(Date.parse(x.json.now) >= now, x.text)
      // The stock's window ends 30 days from real now: the coupon has expired for everyone.
      const states = await spread(r, 4, () => r.client.call('GET', couponQuery(c)))
      assert.equal(states.pids.size, 2)
      for (const x of states.replies) assert.equal(x.json.coupon_state, 'EXPIRED', x.text)
    })

    // Restarts are the primary's business, the same on either database.
    const sqliteOnly = deployment === 'SQLite' ? {} : { skip: 'shown on SQLite' }
    const pgOnly = deployment === 'PostgreSQL' ? {} : { skip: 'SIGTERM ends this suite' }

    test(
      'a worker that dies is replaced; the port keeps answering meanwhile',
      sqliteOnly,
      async () => {
        const before = r.proc.workers
        const victim = [...before][0] as number
        process.kill(victim, 'SIGKILL')
        // A connection handed to a worker in the instant it dies is lost with it (node:cluster
        // forgets it), as with any crash: calls start once the primary has seen the death.
        const noticed = new RegExp(`worker ${victim} exited with signal SIGKILL`)
        for (let i = 0; i < 250 && !noticed.test(r.proc.stderr); i++) await sleep(20)
        assert.match(r.proc.stderr, noticed)
        let replacement: number | undefined
        for (let i = 0; i < 200 && replacement === undefined; i++) {
          const reply = await r.client.control('GET', '/sandbox/clock')
          assert.equal(reply.status, 200, reply.text)
          const pid = await r.proc.pidOf(reply)
          assert.notEqual(pid, victim)
          if (!before.has(pid)) replacement = pid
          else await sleep(50)
        }
        assert.ok(replacement, `no new worker answered; stderr: ${r.proc.stderr}`)
      },
    )

    test(
      'SIGTERM stops every worker and exits 0 with the database closed',
      sqliteOnly,
      async () => {
        const workers = [...r.proc.workers].filter(alive)
        assert.equal(workers.length, 2)
        // This test's own connection would keep the WAL: only the server's may be open.
        await r.cluster.close()
        r.proc.child.kill('SIGTERM')
        assert.deepEqual(await r.proc.exit, { code: 0, signal: null })
        assert.deepEqual(workers.filter(alive), [])
        assert.equal(existsSync(join(r.dataDir, 'wxcoupon.db-wal')), false, 'WAL checkpointed')
        assert.equal(r.proc.stdout.match(/listening on/g)?.length, 1, 'one ready line')
      },
    )

    test('SIGKILL of the primary leaves no worker serving', pgOnly, () => killPrimary(r))
  })
}

/** SIGKILL of the primary: its workers must not go on serving (nor holding the database). */
async function killPrimary(r: Running): Promise<void> {
  const { pids } = await spread(r, 4, () => r.client.control('GET', '/sandbox/clock'))
  assert.equal(pids.size, 2)
  r.proc.child.kill('SIGKILL')
  await r.proc.exit
  let left = [...pids.keys()]
  for (let i = 0; i < 100 && left.length; i++) {
    await sleep(30)
    left = left.filter(alive)
  }
  assert.deepEqual(left, [], 'workers exit when the primary is gone')
  await assert.rejects(fetch(`${await r.proc.baseUrl}/sandbox/clock`))
}

// Shown on PostgreSQL when it is there (its suite ends that way), else on a SQLite server.
describe('SIGKILL of the primary', { skip: pgSkip ? undefined : 'shown on PostgreSQL' }, () => {
  test('leaves no worker serving', async () => {
    const r = await startWorkers()
    try {
      await killPrimary(r)
    } finally {
      await r.cluster.close()
      rmSync(r.dataDir, { recursive: true, force: true })
    }
  })
})
