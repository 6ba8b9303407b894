import type { WeekDay } from '@wxcoupon/sdk/schemas'
import { parseRfc3339, startOfBeijingDay } from './time.ts'

/**
 * When inside its validity window a coupon may be used, if the stock restricts it
 * (entities §3.4): weekly days and periods of the day, or irregular periods. Beijing time.
 */
export interface UsageWindowRules {
  weekly_available_period?: {
    day_list?: WeekDay[]
    day_period_list?: { begin_time: number; end_time: number }[]
  }
  irregular_available_period_list?: { begin_time: string; end_time: string }[]
}

// 1970-01-01 was a Thursday.
const WEEK: readonly WeekDay[] = [
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
]

export function beijingWeekDay(t: number): WeekDay {
  const day = Math.floor((startOfBeijingDay(t) + 8 * 3600) / 86_400)
  return WEEK[((day % 7) + 7) % 7] ?? 'MONDAY'
}

export function isInUsageWindow(rules: UsageWindowRules, t: number): boolean {
  const weekly = rules.weekly_available_period
  if (weekly) {
    if (weekly.day_list && !weekly.day_list.includes(beijingWeekDay(t))) return false
    const second = t - startOfBeijingDay(t)
    const periods = weekly.day_period_list
    if (periods && !periods.some((p) => second >= p.begin_time && second <= p.end_time)) {
      return false
    }
  }
  const irregular = rules.irregular_available_period_list
  if (irregular) {
    return irregular.some((p) => {
      const begin = parseRfc3339(p.begin_time)
      const end = parseRfc3339(p.end_time)
      return begin !== undefined && end !== undefined && t >= begin && t <= end
    })
  }
  return true
}
