import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type BundleTenant,
  bundleBudgetSends,
  bundleReturns,
  bundleTenant,
  concurrentBundleUses,
} from './bundle-races.ts'
import type { Cluster } from './cluster.ts'
import {
  budgetSends,
  competingReturns,
  identicalReturns,
  identicalSends,
  interleavings,
  prng,
  rounds,
} from './race-scenarios.ts'

/**
 * The race tests, registered for whichever deployment a file starts (in-process instances,
 * server processes), so every deployment is held to the same checks. WXCOUPON_RACE_ROUNDS
 * scales the rounds (the reliability script raises it); WXCOUPON_SEED replays the
 * interleavings of a failed run.
 */
export const RACE_ROUNDS = Number(process.env.WXCOUPON_RACE_ROUNDS ?? 4)
export const RACE_SEED = Number(process.env.WXCOUPON_SEED ?? Math.floor(Math.random() * 2 ** 31))
/** Concurrent requests per race. */
export const RACERS = 16

/** Call inside a describe whose `before` starts the cluster that `cluster()` then returns. */
export function raceTests(cluster: () => Cluster): void {
  const N = RACERS
  const ROUNDS = RACE_ROUNDS
  test(`${N} identical returns at once → ${N} identical 200s, one state change (×${ROUNDS})`, async () => {
    assert.deepEqual(await rounds(ROUNDS, () => identicalReturns(cluster(), N)), [])
  })

  test(`${N} returns with different numbers at once → exactly one success (×${ROUNDS})`, async () => {
    assert.deepEqual(await rounds(ROUNDS, () => competingReturns(cluster(), N)), [])
  })

  test(`${N} identical sends at once → one coupon (×${ROUNDS})`, async () => {
    assert.deepEqual(await rounds(ROUNDS, () => identicalSends(cluster(), N)), [])
  })

  test('40 sends by 20 users at once to max_count 10, 1 per user → exactly 10 issued', async () => {
    const v = await rounds(Math.max(1, ROUNDS / 2), () => budgetSends(cluster(), 20, 10))
    assert.deepEqual(v, [])
  })

  // 2025-11: races within one user coupon bundle, by a partner on that revision.
  let tenant: BundleTenant | undefined
  const t = async () => {
    tenant ??= await bundleTenant(cluster())
    return tenant
  }
  test(`${N} identical returns of a bundle's latest used coupon → one change (×${ROUNDS})`, async () => {
    const x = await t()
    assert.deepEqual(await rounds(ROUNDS, () => bundleReturns(cluster(), x, N, true)), [])
  })
  test(`${N} competing returns of a bundle's latest used coupon → one success (×${ROUNDS})`, async () => {
    const x = await t()
    assert.deepEqual(await rounds(ROUNDS, () => bundleReturns(cluster(), x, N, false)), [])
  })
  test(`${N} uses of two coupons of one bundle at once → in order, used_count agrees (×${ROUNDS})`, async () => {
    const x = await t()
    assert.deepEqual(await rounds(ROUNDS, () => concurrentBundleUses(cluster(), x, N)), [])
  })
  test('20 bundle sends at once against tier budgets of 10 → exactly 10 bundles, each whole', async () => {
    const x = await t()
    const v = await rounds(Math.max(1, ROUNDS / 2), () => bundleBudgetSends(cluster(), x, 10))
    assert.deepEqual(v, [])
  })

  test(`use / return / deactivate / query interleavings are linearizable (seed ${RACE_SEED})`, async () => {
    const random = prng(RACE_SEED)
    assert.deepEqual(await rounds(ROUNDS, () => interleavings(cluster(), 8, random)), [])
  })
}
