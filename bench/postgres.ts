/**
 * The PostgreSQL rows: `return` on one fresh database, served by 1 and by 2 separate
 * `serve --db <url> --workers 1` instances (each with its own data dir and port, the load dealt
 * to them round-robin), and by one instance with no `--workers` flag (the default there).
 * The database is created for the run and dropped after it, also when the run fails.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { RunFigure, Timing } from './measure.ts'
import { measureRun } from './measure.ts'
import { type ServerUnderTest, servingProcesses, startWxcoupon } from './processes.ts'
import { settingsFile, signerOf } from './sandbox-files.ts'
import { returnRequest } from './scenarios.ts'
import { seed } from './seed-data.ts'

/** Where the bench creates its database unless `--pg` says otherwise. */
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

interface BenchDatabase {
  url: string
  drop(): Promise<void>
}

async function admin<T>(adminUrl: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** A fresh database, or why there is none (PostgreSQL unreachable). */
async function createDatabase(adminUrl: string): Promise<BenchDatabase | { unreachable: string }> {
  const name = `wxcoupon_bench_${process.pid}`
  try {
    await admin(adminUrl, (c) => c.query(`create database ${name}`))
  } catch (e) {
    return { unreachable: e instanceof Error ? e.message : String(e) }
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      admin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(),
  }
}

/** One configuration: `instances` servers, each with `workers` (undefined: no flag). */
interface Shape {
  scenario: string
  instances: number
  workers?: number
}

const SHAPES: Shape[] = [
  { scenario: 'return', instances: 1, workers: 1 },
  { scenario: 'return', instances: 2, workers: 1 },
  { scenario: 'return (default serve)', instances: 1 },
]

export async function postgresRuns(o: {
  timing: Timing
  /** Requests enough for a run. */
  perRun: number
  floorRps: (processes: number) => number
  /** A database on the server to create the bench's own database from. */
  adminUrl: string
  log: (s: string) => void
}): Promise<(RunFigure & { ratioToFloor: number })[]> {
  const database = await createDatabase(o.adminUrl)
  if ('unreachable' in database) {
    o.log(`PostgreSQL rows skipped: ${o.adminUrl} unreachable (${database.unreachable})`)
    return []
  }
  // Ctrl-C reaches the servers too (one process group); the database must not outlive it.
  const interrupted = () => {
    const exit = () => process.exit(130)
    database.drop().then(exit, exit)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const dirs = Array.from({ length: Math.max(...SHAPES.map((s) => s.instances)) }, () =>
    mkdtempSync(join(tmpdir(), 'wxcoupon-bench-pg-')),
  )
  const servers: ServerUnderTest[] = []
  try {
    const settings = settingsFile(dirs[0] as string)
    const used = await seed(dirs[0] as string, {
      coupons: o.perRun * SHAPES.length,
      state: 'USED',
      db: database.url,
    })
    o.log(`seeded ${used.count} coupons on PostgreSQL in ${used.seconds.toFixed(1)} s`)
    const out: (RunFigure & { ratioToFloor: number })[] = []
    let next = 0
    for (const shape of SHAPES) {
      for (let n = 0; n < shape.instances; n++) {
        servers.push(
          await startWxcoupon({
            dataDir: dirs[n] as string,
            settingsFile: settings,
            db: database.url,
            ...(shape.workers === undefined ? {} : { workers: shape.workers }),
          }),
        )
      }
      const signer = sameTenant(dirs.slice(0, shape.instances))
      const workers = servingProcesses(servers[0] as ServerUnderTest)
      const requests = Array.from({ length: o.perRun }, (_, k) =>
        returnRequest(used.stock, used.coupon(next + k)),
      )
      next += o.perRun
      const f = await measureRun(servers, signer, requests, o.timing, {
        scenario: shape.scenario,
        workers,
        coupons: used.count,
        db: 'postgres',
        instances: shape.instances,
      })
      out.push({ ...f, ratioToFloor: f.rps / o.floorRps(workers * shape.instances) })
      o.log(
        `PostgreSQL, ${shape.instances} instance(s) × ${workers} worker(s), ${shape.scenario}: ${f.rps.toFixed(0)} req/s, p99 ${f.p99.toFixed(1)} ms`,
      )
      await Promise.all(servers.splice(0).map((s) => s.stop()))
    }
    return out
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await database.drop()
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
  }
}

/**
 * The signer of the instances' shared tenant. The keys live in the database, so every
 * instance's sandbox.json must name the same partner and key; a request signed once is then
 * good at any of them.
 */
function sameTenant(dataDirs: string[]) {
  const all = dataDirs.map(signerOf)
  const [first] = all
  if (!first) throw new Error('no instance')
  for (const s of all) {
    if (
      s.signer.mchid !== first.signer.mchid ||
      s.signer.privateKeyPem !== first.signer.privateKeyPem
    ) {
      throw new Error('the instances on one database wrote different tenants in sandbox.json')
    }
  }
  return first.signer
}
