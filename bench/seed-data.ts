import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { SeedState, SeedSummary } from '../src/service/seed.ts'
import { cliEnv, ROOT } from './processes.ts'
import type { CouponRef, StockRef } from './scenarios.ts'

/** A set of coupons made by `wxcoupon seed`, addressable by index. */
export interface Seeded {
  count: number
  stock: StockRef
  coupon(i: number): CouponRef
  seconds: number
}

/** Runs the built CLI's `seed` on the data dir, or the PostgreSQL database `db` (the same command users run). */
export async function seed(
  dataDir: string,
  o: { coupons: number; state: SeedState; maxCount?: number; db?: string },
): Promise<Seeded> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'dist/cli/main.js'),
      'seed',
      '--data-dir',
      dataDir,
      '--coupons',
      String(o.coupons),
      '--state',
      o.state,
      ...(o.maxCount ? ['--max-count', String(o.maxCount)] : []),
      ...(o.db ? ['--db', o.db] : []),
      '--json',
    ],
    { cwd: ROOT, env: cliEnv(), maxBuffer: 512 * 1024 * 1024 },
  )
  const s = JSON.parse(stdout) as SeedSummary
  return {
    count: s.count,
    seconds: s.elapsed_ms / 1000,
    stock: {
      product_coupon_id: s.product_coupon_id,
      stock_id: s.stock_id,
      appid: s.appid,
      brand_id: s.brand_id,
    },
    coupon: (i) => ({
      openid: s.openids[Math.floor((i * s.users) / s.count)] as string,
      coupon_code: String(s.code_base + i),
    }),
  }
}
