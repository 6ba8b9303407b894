import { execFile, execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PG_REQUIRED } from '../../src/store/pg-test-db.fixture.ts'

/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl into a temporary directory, on a free
 * port), for tests that stop and start the database: the machine's shared server at 5432 serves
 * other test files running at the same time and must never be stopped. As root, PostgreSQL's
 * tools run as the `postgres` user (initdb refuses root).
 */
const run = promisify(execFile)
const BIN = process.env.WXCOUPON_PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it (if running) and removes its files. Always call it. */
  destroy(): Promise<void>
}

/** Why the private server cannot run here (undefined: it can, or WXCOUPON_REQUIRE_PG=1). */
export function privatePgSkipReason(): string | undefined {
  if (existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'))) return undefined
  if (PG_REQUIRED) return undefined
  return `PostgreSQL's initdb/pg_ctl not found in ${BIN} (set WXCOUPON_PG_BIN)`
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-pg-'))
  const data = join(dir, 'data')
  const log = join(dir, 'log')
  if (root) chownSync(dir, pgUid(), pgGid())
  const tool = (name: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', join(BIN, name), ...args], { cwd: dir })
      : run(join(BIN, name), args, { cwd: dir })
  const port = await freePort()
  await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`
  let running = false
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await tool('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start'])
      running = true
    },
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'])
      running = false
    },
    async destroy() {
      try {
        if (running) await pg.stop()
      } catch {
        await tool('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {})
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await pg.start()
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  return pg
}

let ids: { uid: number; gid: number } | undefined
function pgIds() {
  if (!ids) {
    ids = {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
    }
  }
  return ids
}
const pgUid = () => pgIds().uid
const pgGid = () => pgIds().gid
