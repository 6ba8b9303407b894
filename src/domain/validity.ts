import type { ProductCoupon, Stock } from './product-coupon.ts'
import { stockPeriod } from './product-coupon.ts'
import { DAY, startOfBeijingDay } from './time.ts'

/**
 * The validity window of a coupon issued at `t` (entities-and-states.md §3.4, Q14).
 * With N available days the window ends at 23:59:59 of its N-th Beijing day, never after the
 * stock's available_end_time; without N it is the stock's whole window.
 */
export function validityWindow(
  pc: ProductCoupon,
  stock: Stock,
  t: number,
): { begin: number; end: number } {
  const p = stockPeriod(stock)
  const n =
    pc.config.usage_mode === 'SEQUENTIAL'
      ? pc.config.sequential_usage_info?.available_days
      : p.available_days
  if (n === undefined) return { begin: p.begin, end: p.end }
  const w = p.wait_days_after_receive ?? 0
  const begin = w > 0 ? startOfBeijingDay(t) + w * DAY : Math.max(t, p.begin)
  const end = Math.min(startOfBeijingDay(begin) + n * DAY - 1, p.end)
  return { begin, end }
}
