import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FAST_SCHEDULE, nextDelivery, retrySchedule, STANDARD_SCHEDULE } from './notification.ts'

const NOW = 1_754_272_800_000
const pending = { state: 'PENDING' as const, attempts: 0, nextAttemptAt: NOW - 5 }

test('a delivered scheduled attempt: DELIVERED, counted', () => {
  assert.deepEqual(nextDelivery(pending, 'scheduled', 200, STANDARD_SCHEDULE, NOW), {
    state: 'DELIVERED',
    nextAttemptAt: pending.nextAttemptAt,
    countsTowardSchedule: true,
  })
  assert.equal(nextDelivery(pending, 'scheduled', 299, STANDARD_SCHEDULE, NOW).state, 'DELIVERED')
})

test('a failed scheduled attempt is retried after the next delay of the schedule', () => {
  for (const status of [undefined, 199, 300, 500]) {
    assert.deepEqual(nextDelivery(pending, 'scheduled', status, STANDARD_SCHEDULE, NOW), {
      state: 'PENDING',
      nextAttemptAt: NOW + 15_000,
      countsTowardSchedule: true,
    })
  }
  const third = { ...pending, attempts: 3 }
  assert.equal(
    nextDelivery(third, 'scheduled', 500, STANDARD_SCHEDULE, NOW).nextAttemptAt,
    NOW + 180_000,
  )
})

test('the schedule used up: the last retry is still made, then FAILED', () => {
  const n = STANDARD_SCHEDULE.length
  const last = nextDelivery(
    { ...pending, attempts: n - 1 },
    'scheduled',
    500,
    STANDARD_SCHEDULE,
    NOW,
  )
  assert.deepEqual(last, {
    state: 'PENDING',
    nextAttemptAt: NOW + 21_600_000,
    countsTowardSchedule: true,
  })
  const done = { ...pending, attempts: n }
  assert.deepEqual(nextDelivery(done, 'scheduled', 500, STANDARD_SCHEDULE, NOW), {
    state: 'FAILED',
    nextAttemptAt: done.nextAttemptAt,
    countsTowardSchedule: true,
  })
})

test('a redelivery or duplicate delivers on 2xx, but a failure changes nothing and does not count', () => {
  for (const kind of ['redeliver', 'duplicate']) {
    assert.deepEqual(nextDelivery(pending, kind, 204, STANDARD_SCHEDULE, NOW), {
      state: 'DELIVERED',
      nextAttemptAt: pending.nextAttemptAt,
      countsTowardSchedule: false,
    })
    const failed = { ...pending, state: 'FAILED' as const, attempts: 15 }
    assert.deepEqual(nextDelivery(failed, kind, 500, STANDARD_SCHEDULE, NOW), {
      state: 'FAILED',
      nextAttemptAt: failed.nextAttemptAt,
      countsTowardSchedule: false,
    })
  }
})

test('a faulty delivery never changes the notification, even when the receiver accepts it', () => {
  for (const kind of ['signature_probe', 'tampered_signature', 'stale_timestamp', 'wrong_serial']) {
    assert.deepEqual(nextDelivery(pending, kind, 200, STANDARD_SCHEDULE, NOW), {
      state: 'PENDING',
      nextAttemptAt: pending.nextAttemptAt,
      countsTowardSchedule: false,
    })
  }
})

test('the setting names the schedule', () => {
  assert.equal(retrySchedule('fast'), FAST_SCHEDULE)
  assert.equal(retrySchedule('standard'), STANDARD_SCHEDULE)
  assert.equal(
    nextDelivery(pending, 'scheduled', 500, FAST_SCHEDULE, NOW).nextAttemptAt,
    NOW + 1000,
  )
})
