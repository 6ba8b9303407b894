import { type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings'
import { DEFAULT_BATCH, SEED_STATES, type SeedState } from '../service/seed-options.ts'

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
      const { describe, runSeed } = await import('./seed-run.ts')
      const summary = await runSeed({ ...opts, db })
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `${describe(summary)}\n`)
    })
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
