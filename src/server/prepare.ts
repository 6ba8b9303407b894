import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import { bootstrap } from '../service/bootstrap.ts'
import { bootstrapBrandDirect } from '../service/brand-direct.ts'
import { openStore } from '../store/open.ts'
import { SharedFaultRegistry } from './traffic/shared-faults.ts'

/**
 * What must happen once before several worker processes serve one database: the schema and
 * the bootstrap (key generation included), so workers never race on an empty database. A
 * database only this server uses drops the faults an earlier run left, as a single process
 * does when it restarts; on a shared one other instances may be using them. Kept apart from
 * start.ts so that the cluster primary, which serves nothing, never loads the HTTP stack.
 * Returns how the ready line names the database.
 */
export async function prepareDatabase(opts: {
  databaseUrl?: string
  dataDir?: string
  random?: RandomBytes
  /** The bootstrap partner's revision (the `revision` setting). */
  revision?: Revision
}): Promise<{ database: string }> {
  const dataDir = resolve(opts.dataDir ?? '.wxcoupon')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const store = openStore({ databaseUrl: opts.databaseUrl, dataDir })
  try {
    await store.migrate()
    const boot = await bootstrap(store, opts.random ?? randomBytes, opts.revision)
    await bootstrapBrandDirect(
      store,
      opts.random ?? randomBytes,
      boot.tenant.brand_id,
      opts.revision,
    )
    if (store.ownedByOneServer) await new SharedFaultRegistry(store).reset()
    return { database: store.label }
  } finally {
    await store.close()
  }
}
