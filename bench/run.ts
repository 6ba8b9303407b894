/**
 * `npm run bench`: wxcoupon against the floor server on this machine, in one run.
 *
 *   npm run bench                         # sizes 10k, 100k, 1M; 10 s per run; table
 *   npm run bench -- --json               # the same as JSON
 *   npm run bench -- --quick              # 10k only, 0.5 s warm-up + 2 s per run (a smoke run)
 *   npm run bench -- --sizes 10000 --duration 5 --warmup 1 --workers 2 --connections 16
 *   npm run bench -- --pg postgres://user@host:5432/postgres   # where the PostgreSQL rows go
 *
 * Rows: the floor server (1 worker, `--workers`, one per core; paced at 500/s); on SQLite at
 * each size return, query, mixed and return@500/s with 1 worker, return with `--workers`, and
 * `return (default serve)`: `serve` with no --workers flag, its workers counted from /proc and
 * its ratio to the floor with one worker per core. On PostgreSQL (a database
 * `wxcoupon_bench_<pid>` created on the `--pg` server, default postgres://postgres@127.0.0.1:5432,
 * dropped afterwards; skipped with a line on stderr when unreachable) return on 1 and on 2
 * instances of `serve --workers 1` sharing it, and on one instance with no --workers flag.
 * Last, `callbacks`: a backlog of callbacks delivered to a local receiver, per second.
 *
 * Not a test: nothing here passes or fails. Loopback only; every run is bounded in time.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measureCallbacks } from './callbacks.ts'
import { measureFloor, measureRun, type RunFigure, rsaSignRate, type Timing } from './measure.ts'
import { PG_ADMIN_URL, postgresRuns } from './postgres.ts'
import { servingProcesses, startWxcoupon } from './processes.ts'
import { type BenchReport, table } from './report.ts'
import { settingsFile, signerOf } from './sandbox-files.ts'
import {
  confirmRequest,
  interleave,
  queryRequest,
  returnRequest,
  sendRequest,
  useRequest,
} from './scenarios.ts'
import { sdkSpeed } from './sdk-speed.ts'
import { type Seeded, seed } from './seed-data.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    workers: { type: 'string' },
    connections: { type: 'string' },
    pg: { type: 'string' },
  },
})
const quick = args.quick ?? false
const sizes = (args.sizes ?? (quick ? '10000' : '10000,100000,1000000')).split(',').map(Number)
const timing: Timing = {
  durationSeconds: Number(args.duration ?? (quick ? 2 : 10)),
  warmupSeconds: Number(args.warmup ?? (quick ? 0.5 : 2)),
  connections: Number(args.connections ?? 16),
}
const allWorkers = Number(args.workers ?? availableParallelism())
const adminUrl = args.pg ?? PG_ADMIN_URL
const log = (s: string) => process.stderr.write(`${s}\n`)
const window = timing.warmupSeconds + timing.durationSeconds
/** WeChat Pay's per-brand limit on returns: the rate the latency target is set at. */
const WECHAT_RATE = 500

/** Coupons `from` … `from + n` of a seeded set. */
const slice = (s: Seeded, from: number, n: number) =>
  Array.from({ length: Math.min(n, s.count - from) }, (_, i) => s.coupon(from + i))

async function main(): Promise<void> {
  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    rsaSignPerSecond: rsaSignRate(),
  }
  log(`RSA-2048 sign: ${machine.rsaSignPerSecond.toFixed(0)}/s on one core`)
  const workerCounts = [...new Set([1, allWorkers])]
  const floor: RunFigure[] = []
  // One floor per core too: the target of `serve` with its default workers.
  for (const w of new Set([...workerCounts, machine.cores])) {
    floor.push(await measureFloor(w, machine.rsaSignPerSecond, timing))
    log(`floor, ${w} worker(s): ${floor.at(-1)?.rps.toFixed(0)} req/s`)
  }
  // The same paced rate as the return@500/s run: the tail this machine and sender give anyway.
  floor.push(await measureFloor(1, machine.rsaSignPerSecond, timing, WECHAT_RATE))
  log(`floor, 1 worker at ${WECHAT_RATE}/s: p99 ${floor.at(-1)?.p99.toFixed(1)} ms`)
  const floorRps = (w: number) =>
    floor.find((f) => f.workers === w && f.offered === undefined)?.rps ?? 1
  /**
   * Requests enough for a run: wxcoupon does not outrun the fastest floor (10% margin). Not the
   * floor of as many workers: one process signs in the thread pool, so it may use every core.
   */
  const perRun = Math.ceil(Math.max(...floor.map((f) => f.rps)) * window * 1.1)

  const report: BenchReport = {
    machine,
    timing,
    floor,
    runs: [],
    seeding: [],
    sdk: [],
    callbacks: [],
  }
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-'))
    try {
      // The database: `size` coupons, then the working sets the runs consume.
      // Room in the background stock for the mixed runs' sends.
      const background = await seed(dir, {
        coupons: size,
        state: 'EFFECTIVE',
        maxCount: size * 2 + 100_000,
      })
      report.seeding.push({
        coupons: size,
        seconds: background.seconds,
        perSecond: size / background.seconds,
      })
      log(`seeded ${size} coupons in ${background.seconds.toFixed(1)} s`)
      const mixedEach = Math.ceil(perRun / 5)
      // A return run per worker count and one for the default serve.
      const usedCount = perRun * (workerCounts.length + 1) + mixedEach
      const used = await seed(dir, { coupons: usedCount + WECHAT_RATE * window, state: 'USED' })
      const effective = await seed(dir, { coupons: mixedEach, state: 'EFFECTIVE' })
      const sent = await seed(dir, { coupons: mixedEach, state: 'CONFIRMING' })
      const coupons = size + used.count + effective.count + sent.count
      const settings = settingsFile(dir)
      let next = 0
      const takeUsed = (n: number) => {
        const out = slice(used, next, n)
        next += n
        return out
      }
      const random = (n: number) =>
        Array.from({ length: n }, () => background.coupon(Math.floor(Math.random() * size)))

      // undefined: no --workers flag, the configuration users run.
      for (const flag of [...workerCounts, undefined]) {
        const server = await startWxcoupon({
          dataDir: dir,
          settingsFile: settings,
          ...(flag === undefined ? {} : { workers: flag }),
        })
        const w = servingProcesses(server)
        // The default's target is the floor with one worker per core, whatever it picked.
        const target = floorRps(flag === undefined ? machine.cores : w)
        // The server writes sandbox.json (keys, tenant) when it starts.
        const { signer, sandbox } = signerOf(dir)
        const run = async (
          scenario: string,
          requests: ReturnType<typeof returnRequest>[],
          rate?: number,
        ) => {
          const f = await measureRun([server], signer, requests, timing, {
            scenario,
            workers: w,
            coupons,
            db: 'sqlite',
            instances: 1,
            ...(rate ? { rate } : {}),
          })
          report.runs.push({ ...f, ratioToFloor: f.rps / target })
          log(
            `${size} coupons, ${w} worker(s), ${scenario}: ${f.rps.toFixed(0)} req/s, p99 ${f.p99.toFixed(1)} ms`,
          )
        }
        try {
          await run(
            flag === undefined ? 'return (default serve)' : 'return',
            takeUsed(perRun).map((c) => returnRequest(used.stock, c)),
          )
          if (flag === 1) {
            await run(
              'query',
              random(perRun).map((c) => queryRequest(background.stock, c)),
            )
            await run(
              'mixed',
              interleave([
                random(mixedEach).map((c) => sendRequest(background.stock, c.openid)),
                slice(sent, 0, mixedEach).map((c) => confirmRequest(sent.stock, c)),
                slice(effective, 0, mixedEach).map((c) => useRequest(effective.stock, c)),
                takeUsed(mixedEach).map((c) => returnRequest(used.stock, c)),
                random(mixedEach).map((c) => queryRequest(background.stock, c)),
              ]),
            )
            await run(
              'return',
              takeUsed(WECHAT_RATE * window).map((c) => returnRequest(used.stock, c)),
              WECHAT_RATE,
            )
            if (size === sizes[0]) {
              report.sdk = await sdkSpeed({
                url: server.url,
                sandbox,
                stock: background.stock,
                coupon: background.coupon(0),
                seconds: timing.durationSeconds / 2,
                inFlight: timing.connections,
              })
            }
          }
        } finally {
          await server.stop()
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  report.runs.push(...(await postgresRuns({ timing, perRun, floorRps, adminUrl, log })))
  const callbacks = await measureCallbacks({ timing, returns: perRun })
  report.callbacks.push(callbacks)
  log(
    `callbacks: ${callbacks.delivered} of ${callbacks.pending} delivered at ${callbacks.perSecond.toFixed(0)}/s`,
  )
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${table(report)}\n`)
}

await main()
