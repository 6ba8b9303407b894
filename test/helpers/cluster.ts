import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/open.ts'
import {
  createTestDatabase,
  pgSkipReason,
  sqliteSkipReason,
} from '../../src/store/pg-test-db.fixture.ts'
import type { Store } from '../../src/store/store.ts'
import { TEST_SETTINGS, TestServer } from './harness.ts'

/**
 * The deployments the race tests run on: one process on SQLite, one instance on PostgreSQL,
 * and three instances on one PostgreSQL database (each its own pool, clock and outbox worker,
 * as three processes would have), with requests spread over them.
 */
export type Deployment = 'sqlite' | 'postgres' | 'postgres ×3'

export interface Cluster {
  /** What runs: a Deployment, or a description (e.g. server processes). */
  readonly deployment: string
  readonly servers: TestServer[]
  /** Request i goes to instance i mod n. */
  at(i: number): TestServer
  /** The first instance's store, for reading what was committed (all share one database). */
  readonly store: Store
  /** PostgreSQL deployments: the test database's URL. */
  readonly databaseUrl?: string
  close(): Promise<void>
}

/** The deployments this run covers, each with the reason it is skipped (if it is). */
export async function deployments(): Promise<{ deployment: Deployment; skip?: string }[]> {
  const sqlite = sqliteSkipReason()
  const pg = await pgSkipReason()
  return [
    { deployment: 'sqlite', ...(sqlite ? { skip: sqlite } : {}) },
    { deployment: 'postgres', ...(pg ? { skip: pg } : {}) },
    { deployment: 'postgres ×3', ...(pg ? { skip: pg } : {}) },
  ]
}

export async function startCluster(
  deployment: Deployment,
  o: { settings?: typeof TEST_SETTINGS; wrap?: (s: Store) => Store } = {},
): Promise<Cluster> {
  const settings = o.settings ?? TEST_SETTINGS
  const wrap = o.wrap ?? ((s: Store) => s)
  const dir = () => mkdtempSync(join(tmpdir(), 'wxcoupon-cluster-'))
  let servers: TestServer[]
  let drop = async () => {}
  let databaseUrl: string | undefined
  if (deployment === 'sqlite') {
    const d = dir()
    servers = [
      await new TestServer(d, {
        settings,
        openStore: () => wrap(openStore({ dataDir: d })),
      }).start(),
    ]
  } else {
    const db = await createTestDatabase()
    drop = db.drop
    databaseUrl = db.url
    const n = deployment === 'postgres' ? 1 : 3
    // Started together: they race to bootstrap one database and must agree on one sandbox.
    servers = await Promise.all(
      Array.from({ length: n }, () =>
        new TestServer(dir(), {
          settings,
          openStore: () => wrap(openStore({ databaseUrl: db.url })),
        }).start(),
      ),
    )
  }
  const first = servers[0] as TestServer
  return {
    deployment,
    servers,
    at: (i) => servers[i % servers.length] as TestServer,
    ...(databaseUrl ? { databaseUrl } : {}),
    get store() {
      return first.server.store
    },
    async close() {
      for (const s of servers) await s.close()
      await drop()
    },
  }
}
