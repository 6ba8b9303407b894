import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { DEFAULT_BEHAVIOUR } from '../domain/settings.ts'
import { bootstrap } from '../service/bootstrap.ts'
import { pageCodec } from '../service/page-token.ts'
import { SandboxClock } from '../service/sandbox-clock.ts'
import { type SeedState, type SeedSummary, seedCoupons } from '../service/seed.ts'
import { openStore } from '../store/open.ts'

/**
 * The seeding behind `wxcoupon seed` (cli/seed.ts loads it only when the command runs: it
 * brings the whole store and service stack).
 */

/** Opens (bootstrapping if new) the database of a data dir or URL and seeds it. */
export async function runSeed(opts: {
  coupons: number
  state: SeedState[]
  users?: number
  maxCount?: number
  batch: number
  ledger: boolean
  brand?: string
  appid?: string
  dataDir: string
  db: string | undefined
}): Promise<SeedSummary> {
  // One connection at a time does the work; don't take a server's share of the pool.
  const store = openStore({ databaseUrl: opts.db, dataDir: resolve(opts.dataDir), poolSize: 2 })
  try {
    await store.migrate()
    const boot = await bootstrap(store, randomBytes)
    const clock = await SandboxClock.load(store, { shared: store.sharedByInstances })
    const appid = opts.appid ?? boot.tenant.appid
    const mchid = opts.appid ? (await store.read.getAppId(opts.appid))?.mchid : boot.tenant.mchid
    if (!mchid) throw new Error(`AppID ${appid} is not bound to a partner`)
    const progress = progressBar(opts.coupons)
    const summary = await seedCoupons(
      {
        store,
        settings: DEFAULT_BEHAVIOUR,
        clock,
        random: randomBytes,
        pages: pageCodec(boot.pageTokenKey),
      },
      { mchid, brandId: opts.brand ?? boot.tenant.brand_id, appid },
      {
        coupons: opts.coupons,
        states: opts.state,
        batchSize: opts.batch,
        ledger: opts.ledger,
        ...(opts.users === undefined ? {} : { users: opts.users }),
        ...(opts.maxCount === undefined ? {} : { maxCount: opts.maxCount }),
        onProgress: progress.update,
      },
    )
    progress.done(summary)
    return summary
  } finally {
    await store.close()
  }
}

/** A redrawn bar on a terminal; elsewhere (logs, pipes) a line per tenth. */
function progressBar(total: number) {
  const err = process.stderr
  const started = Date.now()
  let shownTenth = 0
  let lastDraw = 0
  const rate = (done: number) => Math.round((done * 1000) / Math.max(1, Date.now() - started))
  return {
    update(done: number) {
      if (err.isTTY) {
        if (Date.now() - lastDraw < 100 && done < total) return
        lastDraw = Date.now()
        const width = 30
        const filled = Math.round((done / total) * width)
        const pct = ((done / total) * 100).toFixed(0).padStart(3)
        err.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total} ${rate(done)}/s `,
        )
        return
      }
      const tenth = Math.floor((done * 10) / total)
      if (tenth > shownTenth && done < total) {
        shownTenth = tenth
        err.write(`seed: ${done}/${total} coupons, ${rate(done)}/s\n`)
      }
    },
    done(s: SeedSummary) {
      const seconds = s.elapsed_ms / 1000
      const rows = Math.round(s.rows / Math.max(0.001, seconds))
      err.write(
        `${err.isTTY ? '\n' : ''}seeded ${s.count} coupons (${s.states.join(',')}) in ${seconds.toFixed(1)} s: ${s.rate} coupons/s, ${rows} rows/s\n`,
      )
    },
  }
}

export function describe(s: SeedSummary): string {
  const last = s.code_base + s.count - 1
  return [
    `product_coupon_id ${s.product_coupon_id}, stock_id ${s.stock_id} (brand ${s.brand_id}, appid ${s.appid})`,
    `${s.count} coupons, codes ${s.code_base}–${last}, over ${s.users} users (${s.openids[0]} …)`,
    'coupon i: code code_base + i, user openids[floor(i * users / count)], state states[i % states.length]; --json lists the users',
  ].join('\n')
}
