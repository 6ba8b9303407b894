import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRfc3339 } from './time.ts'
import { beijingWeekDay, isInUsageWindow } from './usage-window.ts'

const at = (s: string) => parseRfc3339(s) ?? Number.NaN

test('weekdays are Beijing weekdays', () => {
  assert.equal(beijingWeekDay(at('2025-08-04T00:00:00+08:00')), 'MONDAY')
  assert.equal(beijingWeekDay(at('2025-08-03T23:59:59+08:00')), 'SUNDAY')
  // 2025-08-03T16:30Z is already Monday in Beijing.
  assert.equal(beijingWeekDay(at('2025-08-03T16:30:00Z')), 'MONDAY')
})

test('weekly days and periods of the day, inclusive', () => {
  const rules = {
    weekly_available_period: {
      day_list: ['MONDAY' as const, 'FRIDAY' as const],
      day_period_list: [{ begin_time: 36_000, end_time: 43_199 }],
    },
  }
  assert.equal(isInUsageWindow(rules, at('2025-08-04T10:00:00+08:00')), true)
  assert.equal(isInUsageWindow(rules, at('2025-08-04T11:59:59+08:00')), true)
  assert.equal(isInUsageWindow(rules, at('2025-08-04T12:00:00+08:00')), false)
  assert.equal(isInUsageWindow(rules, at('2025-08-04T09:59:59+08:00')), false)
  assert.equal(isInUsageWindow(rules, at('2025-08-05T10:00:00+08:00')), false, 'Tuesday')
  assert.equal(isInUsageWindow(rules, at('2025-08-08T10:30:00+08:00')), true, 'Friday')
})

test('irregular periods; no rules means always', () => {
  const rules = {
    irregular_available_period_list: [
      { begin_time: '2025-08-01T00:00:00+08:00', end_time: '2025-08-01T23:59:59+08:00' },
      { begin_time: '2025-08-10T00:00:00+08:00', end_time: '2025-08-12T00:00:00+08:00' },
    ],
  }
  assert.equal(isInUsageWindow(rules, at('2025-08-01T12:00:00+08:00')), true)
  assert.equal(isInUsageWindow(rules, at('2025-08-05T12:00:00+08:00')), false)
  assert.equal(isInUsageWindow(rules, at('2025-08-12T00:00:00+08:00')), true)
  assert.equal(isInUsageWindow({}, at('2025-08-05T12:00:00+08:00')), true)
})
