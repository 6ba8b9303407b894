import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type HistoryOp, isLinearizable } from './helpers/linearizability.ts'
import { couponModel } from './helpers/race-scenarios.ts'

/** The checker the race tests rely on: it must accept what is explainable and nothing else. */
type Op = HistoryOp<'use' | 'return' | 'deactivate' | 'query', string>
const op = (input: Op['input'], output: string, invokedAt: number, completedAt: number): Op => ({
  input,
  output,
  invokedAt,
  completedAt,
})

test('overlapping operations may take effect in either order', () => {
  // From USED: return and use overlap; use succeeded, so return took effect first.
  const h = [op('use', 'ok', 0, 10), op('return', 'ok', 1, 9), op('query', 'USED', 11, 12)]
  assert.equal(isLinearizable(couponModel, h), true)
})

test('real time is respected: an operation cannot take effect before one that ended earlier', () => {
  // return ended before use began, so use must see EFFECTIVE; the query after both saw EFFECTIVE.
  const h = [op('return', 'ok', 0, 1), op('use', 'ok', 2, 3), op('query', 'EFFECTIVE', 4, 5)]
  assert.equal(isLinearizable(couponModel, h), false)
})

test('two returns of one use cannot both succeed, however they overlap', () => {
  const h = [op('return', 'ok', 0, 10), op('return', 'ok', 0, 10)]
  assert.equal(isLinearizable(couponModel, h), false)
})

test('a stale read after a completed write is rejected', () => {
  const h = [op('return', 'ok', 0, 1), op('query', 'USED', 2, 3)]
  assert.equal(isLinearizable(couponModel, h), false)
  assert.equal(
    isLinearizable(couponModel, [op('return', 'ok', 0, 5), op('query', 'USED', 2, 3)]),
    true,
  )
})
