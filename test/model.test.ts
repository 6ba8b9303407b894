import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { behaviour } from '../src/domain/settings.ts'
import { formatRfc3339 } from '../src/domain/time.ts'
import { API, reqNo } from './helpers/fixtures.ts'
import { startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'
import type { Cmd, CouponPick, IndexChoice } from './helpers/model/commands-base.ts'
import { List, type ListFilter, Query } from './helpers/model/commands-reads.ts'
import { Conflict, Replay } from './helpers/model/commands-replays.ts'
import { AdvanceClock, Restart, UserDeletes } from './helpers/model/commands-sandbox.ts'
import {
  Confirm,
  Deactivate,
  type NumberSource,
  Progress,
  Return,
  Send,
  Use,
  type UseTime,
} from './helpers/model/commands-writes.ts'
import { setup, stats } from './helpers/model/real-system.ts'
import * as M from './helpers/model/reference.ts'
import { couponModel } from './helpers/race-scenarios.ts'

/**
 * Model-based test of the user-coupon life cycle through the real HTTP API: fast-check
 * generates command sequences (send, confirm, use, return, replays, deactivate, delete,
 * query, list, clock, restart) and every answer must be exactly what the reference model in
 * helpers/model/reference.ts predicts — the whole entity on success, the catalogue error
 * (status, code, message, numeric code) on failure.
 *
 * WXCOUPON_MODEL_RUNS sets the number of runs (the reliability script raises it);
 * WXCOUPON_SEED replays a failed one.
 */
const RUNS = Number(process.env.WXCOUPON_MODEL_RUNS ?? 20)
const SEED = Number(process.env.WXCOUPON_SEED ?? Math.floor(Math.random() * 2 ** 31))
const MAX_COMMANDS = 40

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

// ---- generation ----

const slot = fc.nat({ max: 7 })
const couponPick: fc.Arbitrary<CouponPick> = fc.record({
  idx: slot,
  targeted: fc.constantFrom(true, true, true, false),
})
const indexChoice: fc.Arbitrary<IndexChoice> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'auto' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'misuse' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'out-of-order' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }).map((k) => ({ kind: 'at' as const, k })) },
)

const command: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 2 }).map((u) => new Send(u)) },
  { weight: 8, arbitrary: couponPick.map((p) => new Confirm(p)) },
  {
    weight: 20,
    arbitrary: fc.tuple(slot, fc.boolean()).map(([i, back]) => new Progress(i, back)),
  },
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        couponPick,
        indexChoice,
        fc.constantFrom<UseTime>('now', 'now', 'now', 'now', 'before-window', 'after-window'),
      )
      .map(([i, k, when]) => new Use(i, k, when)),
  },
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        couponPick,
        indexChoice,
        fc.constantFrom<NumberSource>(
          'fresh',
          'fresh',
          'fresh',
          'failed-before',
          'other-operation',
        ),
        slot,
      )
      .map(([i, k, source, j]) => new Return(i, k, source, j)),
  },
  { weight: 5, arbitrary: slot.map((i) => new Replay(i, true)) },
  { weight: 3, arbitrary: slot.map((i) => new Replay(i, false)) },
  { weight: 3, arbitrary: fc.tuple(slot, slot).map(([i, j]) => new Conflict(i, j)) },
  { weight: 3, arbitrary: couponPick.map((p) => new Deactivate(p)) },
  { weight: 2, arbitrary: couponPick.map((p) => new UserDeletes(p)) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(couponPick, fc.constantFrom(false, false, false, true))
      .map(([i, other]) => new Query(i, other)),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.nat({ max: 2 }),
        fc.oneof(
          fc.constant<ListFilter>({ kind: 'none' }),
          fc
            .constantFrom(...M.COUPON_STATES)
            .map((state): ListFilter => ({ kind: 'state', state })),
          slot.map((idx): ListFilter => ({ kind: 'of-coupon', idx })),
        ),
        fc.constantFrom(1, 2, 20),
      )
      .map(([u, filter, size]) => new List(u, filter, size)),
  },
  { weight: 5, arbitrary: fc.constantFrom(1, 1, 1, 2, 4, 8).map((h) => new AdvanceClock(h)) },
  { weight: 1, arbitrary: fc.constant(new Restart()) },
)

const config: fc.Arbitrary<M.RunConfig> = fc
  .record({
    mode: fc.constantFrom('SINGLE' as const, 'SEQUENTIAL' as const),
    rounds: fc.constantFrom(2, 3),
    intervalDays: fc.constantFrom(0, 1),
    singleDays: fc.constantFrom(0, 1, 2, 4),
    sequentialDays: fc.constantFrom(3, 5),
    waitDays: fc.constantFrom(0, 0, 1),
    stockDays: fc.constantFrom(3, 8, 30),
    maxCount: fc.integer({ min: 1, max: 6 }),
    maxPerUser: fc.integer({ min: 1, max: 3 }),
    maxPerDay: fc.constantFrom(0, 0, 1, 2),
    users: fc.constantFrom(2, 3),
  })
  .map(({ singleDays, sequentialDays, ...c }) => {
    const single = c.mode === 'SINGLE'
    const availableDays = single ? singleDays : sequentialDays
    return {
      ...c,
      rounds: single ? 1 : c.rounds,
      intervalDays: single ? 0 : c.intervalDays,
      availableDays,
      // wait_days_after_receive only goes with available_days.
      waitDays: availableDays === 0 ? 0 : c.waitDays,
    }
  })

test(`user coupons follow the model: ${RUNS} runs of up to ${MAX_COMMANDS} commands (seed ${SEED})`, async (t) => {
  const began = performance.now()
  t.diagnostic(`seed ${SEED} (WXCOUPON_SEED), runs ${RUNS} (WXCOUPON_MODEL_RUNS)`)
  try {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.commands([command], { maxCommands: MAX_COMMANDS, size: 'max' }),
        (cfg, cmds) => fc.asyncModelRun(() => setup(s, cfg), cmds),
      ),
      { numRuns: RUNS, seed: SEED },
    )
  } finally {
    t.diagnostic(
      `executed ${stats.runs} runs, ${stats.commands} commands in ${Math.round(performance.now() - began)} ms`,
    )
    const lines = [...stats.outcomes].sort(([a], [b]) => (a < b ? -1 : 1))
    for (const [outcome, n] of lines) t.diagnostic(`${outcome}: ${n}`)
  }
})

test('the model agrees with the linearizability model on its three states', () => {
  const cfg: M.RunConfig = {
    mode: 'SINGLE',
    rounds: 1,
    intervalDays: 0,
    availableDays: 0,
    waitDays: 0,
    stockDays: 30,
    maxCount: 1,
    maxPerUser: 1,
    maxPerDay: 0,
    users: 1,
  }
  for (const from of ['EFFECTIVE', 'USED', 'DEACTIVATED'] as const) {
    for (const op of ['use', 'return', 'deactivate', 'query'] as const) {
      const m = M.newModel(cfg, 1_750_000_000)
      const c = M.applySend(m, { code: 'C1', openid: 'o1', sendRequestNo: 'S1', receive: m.now })
      c.state = from
      if (c.slots[0]) c.slots[0].used = from === 'USED'
      const want = couponModel.step(from, op)
      if (op === 'query') {
        assert.equal(M.stateAt(c, m.now), want.output)
        continue
      }
      const err =
        op === 'use'
          ? M.decideUse(m, c, undefined, m.now)
          : op === 'return'
            ? M.decideReturn(m, c, undefined)
            : M.decideDeactivate(m, c)
      assert.equal(err === undefined ? 'ok' : 'rejected', want.output, `${op} from ${from}`)
      if (err === undefined) {
        if (op === 'use')
          M.applyUse(
            c,
            undefined,
            { requestNo: 'U', time: '', order: { transaction_id: 'T' } },
            undefined,
          )
        else if (op === 'return') M.applyReturn(c, undefined, 'R', m.now)
        else M.applyDeactivate(c, { requestNo: 'D', time: m.now, reason: 'r' })
      }
      assert.equal(M.stateAt(c, m.now), want.state, `${op} from ${from}`)
    }
  }
})

// ---- 2025-11: one user coupon bundle against its reference model ----

/**
 * The bundle's reference model: `u` coupons used, always the first u (in-order use). use(k)
 * succeeds iff k = u; return(k) iff k = u − 1 (the latest used); anything else is a 400
 * INVALID_REQUEST (268578367; 272756745 for a used one used again) and changes nothing. After every step each coupon reads USED below
 * u, EFFECTIVE at u (interval_days 0 unlocks at once), PENDING above, with used_count u on all.
 */
test(`a user coupon bundle follows its model: ${Math.max(2, Math.floor(RUNS / 4))} runs (seed ${SEED})`, async () => {
  const b = await startTestServer(behaviour({ ...TEST_SETTINGS, revision: '2025-11' }))
  try {
    const steps = fc.array(fc.record({ use: fc.boolean(), k: fc.nat({ max: 2 }) }), {
      minLength: 1,
      maxLength: 10,
    })
    await fc.assert(
      fc.asyncProperty(steps, async (cmds) => {
        const x = await newBundle(b)
        let u = 0
        for (const { use, k } of cmds) {
          const r = use ? await x.use(k) : await x.ret(k)
          const allowed = use ? k === u : k === u - 1
          if (allowed) {
            assert.equal(r.status, 200, r.text)
            u += use ? 1 : -1
          } else {
            assert.equal(r.status, 400, r.text)
            assert.equal(r.json.code, 'INVALID_REQUEST')
            // A used coupon used again is the seed's 272756745 (券已被其他订单核销).
            const numeric = use && k < u ? 272756745 : 268578367
            assert.match(r.headers.get('request-id') ?? '', new RegExp(`-${numeric}$`))
          }
          const seen = await x.states()
          const want = Array.from({ length: x.count }, (_, i) =>
            i < u ? 'USED' : i === u ? 'EFFECTIVE' : 'PENDING',
          )
          assert.deepEqual(
            seen.map((e) => e.state),
            want,
          )
          assert.deepEqual(
            seen.map((e) => e.used),
            Array(x.count).fill(u),
          )
        }
      }),
      { numRuns: Math.max(2, Math.floor(RUNS / 4)), seed: SEED },
    )
  } finally {
    await b.close()
  }
})

async function newBundle(b: TestServer) {
  const sb = b.sandbox
  const now = Math.floor(Date.now() / 1000)
  const count = 3
  const created = await b.call('POST', `${API}/product-coupons`, {
    out_request_no: reqNo('MB'),
    brand_id: sb.brand_id,
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: 'PROGRESSIVE_BUNDLE',
    progressive_bundle_usage_info: { count, interval_days: 0 },
    display_info: {
      name: '多次优惠',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/x/background',
    },
    stock_bundle: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 1000, max_count_per_user: 100 },
      progressive_bundle_usage_rule: {
        coupon_available_period: {
          available_begin_time: formatRfc3339(now - 86_400),
          available_end_time: formatRfc3339(now + 30 * 86_400),
        },
        normal_coupon_list: [10, 20, 30].map((d) => ({ threshold: 100, discount_amount: d })),
      },
      usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: 'x' },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: sb.appid },
      store_scope: 'NONE',
    },
  })
  assert.equal(created.status, 200, created.text)
  const pc = created.json.product_coupon_id as string
  const sent = await b.call('POST', `${API}/users/${sb.openid}/coupon-bundles`, {
    product_coupon_id: pc,
    stock_bundle_id: created.json.stock_bundle.stock_bundle_id,
    appid: sb.appid,
    send_request_no: reqNo('MS'),
    brand_id: sb.brand_id,
  })
  assert.equal(sent.status, 200, sent.text)
  const coupons = sent.json.user_product_coupon_list as {
    coupon_code: string
    stock: { stock_id: string }
  }[]
  const ref = (i: number) => ({
    product_coupon_id: pc,
    stock_id: coupons[i]?.stock.stock_id ?? '',
    appid: sb.appid,
    brand_id: sb.brand_id,
  })
  const path = (i: number, action = '') =>
    `${API}/users/${sb.openid}/coupons/${coupons[i]?.coupon_code}${action}`
  for (let i = 0; i < count; i++) {
    const r = await b.call('POST', path(i, '/confirm'), { ...ref(i), out_request_no: reqNo('MC') })
    assert.equal(r.status, 200, r.text)
  }
  const clock = async () => (await b.admin('GET', '/sandbox/clock')).json.now as string
  return {
    count,
    use: async (i: number) =>
      b.call('POST', path(i, '/use'), {
        ...ref(i),
        use_time: await clock(),
        out_request_no: reqNo('MU'),
        associated_order_info: { transaction_id: '4200000000000001' },
      }),
    ret: (i: number) =>
      b.call('POST', path(i, '/return'), { ...ref(i), out_request_no: reqNo('MR') }),
    states: async () =>
      Promise.all(
        coupons.map(async (_, i) => {
          const r = await b.call('GET', `${path(i)}?${new URLSearchParams(ref(i))}`)
          return {
            state: r.json.coupon_state as string,
            used: r.json.user_product_coupon_bundle_info?.used_count as number,
          }
        }),
      ),
  }
}
