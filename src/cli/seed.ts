import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings'
import { DEFAULT_BEHAVIOUR } from '../domain/settings.ts'
import { bootstrap } from '../service/bootstrap.ts'
import { pageCodec } from '../service/page-token.ts'
import { SandboxClock } from '../service/sandbox-clock.ts'
import {
  DEFAULT_BATCH,
  SEED_STATES,
  type SeedState,
  type SeedSummary,
  seedCoupons,
} from '../service/seed.ts'
import { openPostgresStore } from '../store/postgres.ts'
import { openSqliteStore } from '../store/sqlite.ts'

/**
 * `wxcoupon seed`: bulk user coupons for benchmarks, written straight into the database a
 * server uses (bootstrapping it first if new, as `serve` would). Safe beside a running server:
 * each batch is its own short transaction. Progress goes to stderr, the summary to stdout.
 */
export function addSeedCommand(program: Command, databaseUrl: (value: string) => string): void {
  program
    .command('seed')
    .description('bulk-create user coupons in the database, for benchmarks')
    .requiredOption('--coupons <n>', 'how many coupons', count)
    .addOption(
      new Option(
        '--state <states>',
        `${SEED_STATES.join(', ')} (SENT = CONFIRMING); a comma list is dealt in turn, e.g. USED,USED,EFFECTIVE`,
      )
        .argParser(states)
        .default(['USED'] as SeedState[], 'USED'),
    )
    .option('--users <m>', 'users to spread the coupons over (default: one per 10 coupons)', count)
    .option('--max-count <n>', "the stock's max_count (default: --coupons)", count)
    .option('--batch <n>', 'coupons per transaction', count, DEFAULT_BATCH)
    .option(
      '--ledger',
      "also remember each coupon's send/confirm/use request numbers (≈2× slower)",
      false,
    )
    .option('--brand <brand_id>', 'brand (default: the bootstrap brand)')
    .option(
      '--appid <appid>',
      "a partner AppID; its partner creates the coupons (default: bootstrap's)",
    )
    .option('--data-dir <dir>', 'where the SQLite database lives (as for serve)', '.wxcoupon')
    .option(
      '--db <url>',
      'PostgreSQL URL (default: $DATABASE_URL, else SQLite in the data dir)',
      databaseUrl,
    )
    .option('--json', 'print the summary as JSON', false)
    .action(async (opts) => {
      const db =
        opts.db ?? (process.env.DATABASE_URL ? databaseUrl(process.env.DATABASE_URL) : undefined)
      const summary = await runSeed({ ...opts, db })
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `${describe(summary)}\n`)
    })
}

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
  const dir = resolve(opts.dataDir)
  if (!opts.db) await mkdir(dir, { recursive: true, mode: 0o700 })
  // One connection at a time does the work; don't take a server's share of the pool.
  const store = opts.db ? openPostgresStore(opts.db, 2) : openSqliteStore(join(dir, 'wxcoupon.db'))
  try {
    await store.migrate()
    const boot = await bootstrap(store, randomBytes)
    const clock = await SandboxClock.load(store, { shared: store.kind === 'postgres' })
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

function describe(s: SeedSummary): string {
  const last = s.code_base + s.count - 1
  return [
    `product_coupon_id ${s.product_coupon_id}, stock_id ${s.stock_id} (brand ${s.brand_id}, appid ${s.appid})`,
    `${s.count} coupons, codes ${s.code_base}–${last}, over ${s.users} users (${s.openids[0]} …)`,
    'coupon i: code code_base + i, user openids[floor(i * users / count)], state states[i % states.length]; --json lists the users',
  ].join('\n')
}

function count(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a whole number ≥ 1')
  }
  return n
}

function states(value: string): SeedState[] {
  return value.split(',').map((raw) => {
    const s = raw.trim().toUpperCase()
    const state = s === 'SENT' ? 'CONFIRMING' : s
    if (!(SEED_STATES as readonly string[]).includes(state)) {
      throw new InvalidArgumentError(`states are ${SEED_STATES.join(', ')} or SENT`)
    }
    return state as SeedState
  })
}
