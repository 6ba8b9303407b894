import assert from 'node:assert/strict'
import { Agent } from 'node:http'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import {
  API,
  type CouponRef,
  confirmed,
  createProductCoupon,
  getCoupon,
  productCouponBody,
  sandboxNow,
  sentCoupon,
  usedCoupon,
} from './helpers/fixtures.ts'
import { type FuzzCase, fuzzCase, type JsonObject, type Targets } from './helpers/fuzz/index.ts'
import { describeCase, runCase } from './helpers/fuzz/run-case.ts'
import { diff, snapshot, withoutCreated } from './helpers/fuzz/snapshot.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * Thousands of generated bad requests (mutated bodies, raw bytes, broken headers, fuzzed paths
 * and query strings, sandbox controls with bad tokens or bodies, malformed HTTP) against one
 * server: never a 5xx, never a crash, never a state change. Whatever goes through the harness
 * is also checked for signature, Request-ID, catalogue shape and leaks; raw requests get the
 * same checks in helpers/fuzz/replies.ts.
 *
 * WXCOUPON_FUZZ_CASES sets the number of cases (default sized for `npm test`), WXCOUPON_SEED
 * the fast-check seed (printed either way, so a failure can be replayed).
 */

const CASES = process.env.WXCOUPON_FUZZ_CASES ? Number(process.env.WXCOUPON_FUZZ_CASES) : 2000
const SEED = process.env.WXCOUPON_SEED
  ? Number(process.env.WXCOUPON_SEED)
  : Math.floor(Math.random() * 0x7fffffff)
assert.ok(Number.isSafeInteger(CASES) && CASES > 0, 'WXCOUPON_FUZZ_CASES is a positive integer')
assert.ok(Number.isSafeInteger(SEED), 'WXCOUPON_SEED is an integer')
const IN_FLIGHT = 8
/**
 * Cases are drawn in small chunks: a large run never holds every body in memory, and drawing
 * never blocks the event loop long enough to expire keep-alive sockets mid-flight.
 */
const CHUNK = 50

let s: TestServer
let t: Targets
let agent: Agent

const ids = (c: CouponRef) => ({
  product_coupon_id: c.product_coupon_id,
  stock_id: c.stock_id,
  coupon_code: c.coupon_code,
})

describe('fuzz: generated bad requests', () => {
  before(async () => {
    s = await startTestServer()
    agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT })
    const sent = await sentCoupon(s)
    const effective = await confirmed(s)
    const used = await usedCoupon(s)
    t = {
      mchid: s.partner.mchid,
      brandId: s.sandbox.brand_id,
      appid: s.sandbox.appid,
      openid: s.sandbox.openid,
      adminToken: s.sandbox.admin_token,
      useTime: await sandboxNow(s),
      pc: await createProductCoupon(s),
      upload: await createProductCoupon(s, { codeMode: 'UPLOAD' }),
      sent: ids(sent),
      effective: ids(effective),
      used: ids(used),
      createBody: productCouponBody(s) as unknown as JsonObject,
    }
  })

  after(async () => {
    agent.destroy()
    await s.close()
  })

  test('never a 5xx, never a crash, never a state change', async (tc) => {
    tc.diagnostic(`seed ${SEED} (WXCOUPON_SEED), ${CASES} cases (WXCOUPON_FUZZ_CASES)`)
    const faultsBefore = (await s.admin('GET', '/sandbox/faults')).json
    const before = snapshot(s.dataDir)

    const byKey = new Map<string, number>()
    const byGroup = new Map<string, Map<string, number>>()
    // One example per kind of problem, so a systematic bug does not hide the others.
    const problems = new Map<string, { count: number; example: string }>()
    let problemCount = 0
    const created = new Set<string>()
    const started = performance.now()

    const arbitrary = fuzzCase(t)
    for (let offset = 0; offset < CASES; offset += CHUNK) {
      const cases = fc.sample(arbitrary, {
        numRuns: Math.min(CHUNK, CASES - offset),
        // Scrambled per chunk, so that nearby seeds do not replay shifted copies of one run.
        seed: (SEED ^ Math.imul(offset / CHUNK + 1, 0x9e3779b1)) | 0,
      })
      let next = 0
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++] as FuzzCase
          const out = await runCase(s, agent, c)
          byKey.set(out.key, (byKey.get(out.key) ?? 0) + 1)
          const g = byGroup.get(c.group) ?? new Map<string, number>()
          g.set(out.key, (g.get(out.key) ?? 0) + 1)
          byGroup.set(c.group, g)
          if (out.created) created.add(out.created)
          if (out.problem !== undefined) {
            problemCount++
            const kind = `${c.group}: ${out.problem.split('\n')[0]?.replace(/\d+/g, 'N').slice(0, 80)}`
            const p = problems.get(kind) ?? {
              count: 0,
              example: `${describeCase(c, out.sentBody)}\n  → ${out.problem}`,
            }
            p.count++
            problems.set(kind, p)
          }
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    }

    const seconds = (performance.now() - started) / 1000
    const sorted = (m: Map<string, number>) =>
      [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`)
    tc.diagnostic(`${CASES} cases in ${seconds.toFixed(1)} s (${(CASES / seconds).toFixed(0)}/s)`)
    tc.diagnostic(`by status/code: ${sorted(byKey).join(', ')}`)
    for (const [group, m] of [...byGroup].sort()) {
      const n = [...m.values()].reduce((a, b) => a + b, 0)
      tc.diagnostic(`  ${group} (${n}): ${sorted(m).join(', ')}`)
    }
    if (created.size) tc.diagnostic(`schema-valid creates accepted and reconciled: ${created.size}`)

    const report = [...problems].map(([kind, p]) => `${p.count}× ${kind}\n${p.example}`)
    assert.equal(
      problemCount,
      0,
      `${problemCount} bad outcomes (seed ${SEED}):\n\n${report.slice(0, 20).join('\n\n')}`,
    )

    const changed = diff(before, withoutCreated(snapshot(s.dataDir), before, created))
    assert.deepEqual(changed, [], `state changed (seed ${SEED}):\n${changed.join('\n')}`)
    assert.deepEqual((await s.admin('GET', '/sandbox/faults')).json, faultsBefore)

    // Still up and answering normally.
    const coupon = await getCoupon(s, {
      ...t.effective,
      openid: t.openid,
      appid: t.appid,
      brand_id: t.brandId,
    })
    assert.equal(coupon.coupon_state, 'EFFECTIVE')
    const pc = await s.call(
      'GET',
      `${API}/product-coupons/${t.pc.product_coupon_id}?brand_id=${t.brandId}`,
    )
    assert.equal(pc.status, 200, pc.text)
  })
})
