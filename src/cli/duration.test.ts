import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDuration } from './duration.ts'

test('bare numbers are seconds; s, m, h, d scale them', () => {
  assert.equal(parseDuration('0'), 0)
  assert.equal(parseDuration('45'), 45)
  assert.equal(parseDuration('90s'), 90)
  assert.equal(parseDuration('15m'), 900)
  assert.equal(parseDuration('2h'), 7200)
  assert.equal(parseDuration('3d'), 259_200)
})

test('signs, fractions, spaces, unknown or compound units and overflow are refused', () => {
  for (const bad of [
    '',
    '-5',
    '+5',
    '1.5h',
    ' 2h',
    '2h ',
    '2 h',
    '2H',
    '2w',
    'h',
    '1h30m',
    '1e3',
    '0x10',
    '9'.repeat(20),
    `${Number.MAX_SAFE_INTEGER}d`,
  ]) {
    assert.equal(parseDuration(bad), undefined, JSON.stringify(bad))
  }
})
