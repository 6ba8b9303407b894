import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { beijingDayNumber, formatRfc3339, parseRfc3339, startOfBeijingDay } from './time.ts'

test('formats in Beijing time with seconds and +08:00', () => {
  assert.equal(formatRfc3339(0), '1970-01-01T08:00:00+08:00')
  assert.equal(formatRfc3339(1754272800), '2025-08-04T10:00:00+08:00')
})

test('parses offsets, Z, missing seconds and fractions; rejects impossible dates', () => {
  const t = 1754272800
  assert.equal(parseRfc3339('2025-08-04T10:00:00+08:00'), t)
  assert.equal(parseRfc3339('2025-08-04T02:00:00Z'), t)
  assert.equal(parseRfc3339('2025-08-04T10:00+08:00'), t)
  assert.equal(parseRfc3339('2025-08-04T10:00:00.999+08:00'), t)
  assert.equal(parseRfc3339('2025-08-03T21:00:00-05:00'), t)
  for (const bad of [
    '2025-02-30T00:00:00+08:00',
    '2025-13-01T00:00:00+08:00',
    '2025-08-04T24:00:00+08:00',
    '2025-08-04 10:00:00+08:00',
    '2025-08-04T10:00:00',
    '2025-08-04T10:00:00+0800',
    '',
  ]) {
    assert.equal(parseRfc3339(bad), undefined, bad)
  }
})

test('format and parse are inverse on whole seconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (t) => {
      assert.equal(parseRfc3339(formatRfc3339(t)), t)
    }),
  )
})

test('Beijing days start at 16:00 UTC', () => {
  const t = parseRfc3339('2025-08-04T23:59:59+08:00') ?? 0
  assert.equal(formatRfc3339(startOfBeijingDay(t)), '2025-08-04T00:00:00+08:00')
  assert.equal(beijingDayNumber(t), beijingDayNumber(t - 86_399))
  assert.equal(beijingDayNumber(t + 1), beijingDayNumber(t) + 1)
})
