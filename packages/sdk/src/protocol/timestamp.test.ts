import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkTimestamp, TIMESTAMP_TOLERANCE_SECONDS } from './timestamp.ts'

const checkRequestTimestamp = (ts: string, now: number, tolerance?: number) =>
  checkTimestamp('request', ts, now, tolerance)
const checkResponseTimestamp = (ts: string, now: number, tolerance?: number) =>
  checkTimestamp('response', ts, now, tolerance)

const now = 1_754_272_800

test('five minutes either way, the two sides differing only at exactly 300 s', () => {
  assert.equal(TIMESTAMP_TOLERANCE_SECONDS, 300)
  for (const offset of [0, 299, -299]) {
    const ts = String(now + offset)
    assert.equal(checkRequestTimestamp(ts, now), 'ok', `request ${offset}`)
    assert.equal(checkResponseTimestamp(ts, now), 'ok', `response ${offset}`)
  }
  for (const offset of [300, -300]) {
    const ts = String(now + offset)
    // §3: only more than 300 s is refused; §4.2 (Java's rule): 300 s is already too much.
    assert.equal(checkRequestTimestamp(ts, now), 'ok', `request ${offset}`)
    assert.equal(checkResponseTimestamp(ts, now), 'stale_timestamp', `response ${offset}`)
  }
  for (const offset of [301, -301, 86_400]) {
    const ts = String(now + offset)
    assert.equal(checkRequestTimestamp(ts, now), 'stale_timestamp', `request ${offset}`)
    assert.equal(checkResponseTimestamp(ts, now), 'stale_timestamp', `response ${offset}`)
  }
})

test('the tolerance is a parameter; a fractional now is compared as it is', () => {
  assert.equal(checkRequestTimestamp(String(now - 60), now, 60), 'ok')
  assert.equal(checkRequestTimestamp(String(now - 61), now, 60), 'stale_timestamp')
  assert.equal(checkResponseTimestamp(String(now - 59), now, 60), 'ok')
  assert.equal(checkResponseTimestamp(String(now - 60), now, 60), 'stale_timestamp')
  assert.equal(checkResponseTimestamp(String(now - 299), now + 0.9), 'ok')
  assert.equal(checkResponseTimestamp(String(now - 299), now + 1), 'stale_timestamp')
})

test('only 1 to 12 ASCII digits are a timestamp, on both sides', () => {
  for (const ts of [
    '',
    '17e8',
    '-1',
    '+1754272800',
    '1754272800.0',
    ' 1754272800',
    '1754272800 ',
    '0x1A',
    'NaN',
    '١٧٥',
    '1234567890123',
  ]) {
    assert.equal(checkRequestTimestamp(ts, now), 'bad_timestamp', JSON.stringify(ts))
    assert.equal(checkResponseTimestamp(ts, now), 'bad_timestamp', JSON.stringify(ts))
  }
  // Well-formed but far away is the other reason, not this one.
  assert.equal(checkRequestTimestamp('0', now), 'stale_timestamp')
  assert.equal(checkResponseTimestamp('999999999999', now), 'stale_timestamp')
})
