import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StockForCreate } from '@wxcoupon/sdk/schemas'
import type { ProductCoupon, Stock } from './product-coupon.ts'
import { formatRfc3339, parseRfc3339 } from './time.ts'
import { validityWindow } from './validity.ts'

function setup(period: Record<string, unknown>, mode: 'SINGLE' | 'SEQUENTIAL' = 'SINGLE') {
  const pc = {
    config: {
      usage_mode: mode,
      ...(mode === 'SEQUENTIAL'
        ? { sequential_usage_info: { type: 'EQUAL', count: 3, available_days: 5 } }
        : {}),
    },
  } as unknown as ProductCoupon
  const rule = { coupon_available_period: period }
  const stock = {
    id: 's',
    config: (mode === 'SINGLE'
      ? { single_usage_rule: rule }
      : { sequential_usage_rule: rule }) as unknown as StockForCreate,
  } as Stock
  return { pc, stock }
}

const at = (s: string) => parseRfc3339(s) ?? Number.NaN
const show = (w: { begin: number; end: number }) => [formatRfc3339(w.begin), formatRfc3339(w.end)]
const base = {
  available_begin_time: '2025-01-01T00:00:00+08:00',
  available_end_time: '2025-10-01T00:00:00+08:00',
}

test('without available_days the window is the stock window', () => {
  const { pc, stock } = setup(base)
  assert.deepEqual(show(validityWindow(pc, stock, at('2025-03-01T12:00:00+08:00'))), [
    '2025-01-01T00:00:00+08:00',
    '2025-10-01T00:00:00+08:00',
  ])
})

test('available_days N: from receipt to 23:59:59 of the N-th day (seed example shape)', () => {
  const { pc, stock } = setup({ ...base, available_days: 30 })
  assert.deepEqual(show(validityWindow(pc, stock, at('2025-01-01T09:10:00+08:00'))), [
    '2025-01-01T09:10:00+08:00',
    '2025-01-30T23:59:59+08:00',
  ])
})

test('wait_days_after_receive starts at 00:00 W days later; the stock end caps the window', () => {
  const { pc, stock } = setup({ ...base, available_days: 10, wait_days_after_receive: 2 })
  assert.deepEqual(show(validityWindow(pc, stock, at('2025-09-25T18:00:00+08:00'))), [
    '2025-09-27T00:00:00+08:00',
    '2025-10-01T00:00:00+08:00',
  ])
})

test('a receipt before the stock opens starts at the stock begin', () => {
  const { pc, stock } = setup({ ...base, available_days: 1 })
  assert.deepEqual(show(validityWindow(pc, stock, at('2024-12-31T20:00:00+08:00'))), [
    '2025-01-01T00:00:00+08:00',
    '2025-01-01T23:59:59+08:00',
  ])
})

test('SEQUENTIAL takes N from sequential_usage_info.available_days', () => {
  const { pc, stock } = setup(base, 'SEQUENTIAL')
  assert.deepEqual(show(validityWindow(pc, stock, at('2025-02-01T08:00:00+08:00'))), [
    '2025-02-01T08:00:00+08:00',
    '2025-02-05T23:59:59+08:00',
  ])
})
