// Test databases on the machine's PostgreSQL: one fresh database per store, dropped afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PG_ADMIN_URL =
  process.env.WXCOUPON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** CI sets WXCOUPON_REQUIRE_PG=1: there a missing PostgreSQL fails the run instead of skipping. */
export const PG_REQUIRED = process.env.WXCOUPON_REQUIRE_PG === '1'

/** Which databases the store and race tests run on: `sqlite`, `postgres` or `both` (default). */
export const TEST_DB = (() => {
  const v = process.env.WXCOUPON_TEST_DB ?? 'both'
  if (v !== 'sqlite' && v !== 'postgres' && v !== 'both') {
    throw new Error(`WXCOUPON_TEST_DB must be sqlite, postgres or both (got ${v})`)
  }
  return v
})()

export function sqliteSkipReason(): string | undefined {
  return TEST_DB === 'postgres' ? 'WXCOUPON_TEST_DB=postgres selects PostgreSQL only' : undefined
}

let available: Promise<boolean> | undefined

export function pgAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 })
    try {
      await client.connect()
      await client.query('select 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => {})
    }
  })()
  return available
}

/** The reason to skip PostgreSQL tests, or undefined when they run (or must run). */
export async function pgSkipReason(): Promise<string | undefined> {
  if (TEST_DB === 'sqlite') return 'WXCOUPON_TEST_DB=sqlite selects SQLite only'
  if (PG_REQUIRED || (await pgAvailable())) return undefined
  return `PostgreSQL not reachable at ${PG_ADMIN_URL}; start it (pg_ctlcluster … main start) or set WXCOUPON_TEST_PG_URL to run these`
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wxcoupon_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}
