import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { OPERATION_NAMES, type OperationName } from '../packages/sdk/src/schemas/operations.ts'
import { API } from './helpers/fixtures.ts'
import { operationOf } from './helpers/operation-routes.ts'
import {
  BUNDLE_OPS,
  type BundleWorld,
  bundleCells,
  bundleSnapshot,
  runBundleCell,
  setupBundleWorld,
} from './helpers/tenant/bundles.ts'
import { certificateCells } from './helpers/tenant/certificates.ts'
import { hit, judge, type Req, shape } from './helpers/tenant/judge.ts'
import {
  ATTACKED_STATES,
  type Cell,
  type Ctx,
  type Endpoint,
  endpointCells,
  ownerCtx,
} from './helpers/tenant/matrix.ts'
import { notifyCells } from './helpers/tenant/notify-config.ts'
import {
  createProductCouponCrossRefs,
  deactivateProductCoupon,
  getProductCoupon,
  patchProductCoupon,
} from './helpers/tenant/product-coupons.ts'
import { setupWorld } from './helpers/tenant/setup.ts'
import { snapshotOfA } from './helpers/tenant/snapshot.ts'
import {
  addStock,
  addStockCrossRefs,
  deactivateStock,
  getStock,
  listStocks,
  listStocksCrossRefs,
  patchStock,
  patchStockCrossRefs,
  updateBudget,
  uploadCouponCodes,
  uploadCouponCodesCrossRefs,
} from './helpers/tenant/stocks.ts'
import {
  confirm,
  confirmCrossRefs,
  deactivateUserCoupon,
  getUserCoupon,
  listCells,
  listUserCouponsCrossRefs,
  ownList,
  returnCoupon,
  send,
  sendCrossRefs,
  use,
  useCrossRefs,
} from './helpers/tenant/user-coupons.ts'
import { GHOST, listUrl, type World } from './helpers/tenant/world.ts'

/**
 * Tenant isolation: partners × brands × appids × every WeChat-compatible endpoint.
 *
 * Tenant A owns everything that is attacked. B is a stranger with a brand of its own; C is
 * authorised for both A's brand and B's, so "same brand, other partner" and "right partner,
 * other brand" are both reachable; A itself also holds a second brand (AX) to check brand
 * scoping of the owner. Every cell is a call by someone other than A's (partner, brand) against
 * A's resources, and must
 *   - fail with a 4xx error of the catalogue, the one the spec's validation order gives
 *     (endpoints.md E15: brand → appid/openid → ownership), never 2xx or 5xx;
 *   - reveal nothing of A that the request did not already carry (names, remarks, request
 *     numbers, budgets, ids of A's other resources, anything under an id key the caller does not
 *     own);
 *   - answer exactly as the same call does for ids that do not exist, so "not yours" is no
 *     oracle for "exists";
 * and, after the whole matrix, A's state as A reads it is unchanged. Finally every endpoint's
 * positive control — the same call by the owner — succeeds and is flagged by the same judge,
 * which shows that a cell would catch a leak instead of passing vacuously.
 */

async function runCell(cell: Cell): Promise<void> {
  const req = cell.req(w)
  const r = await hit(w, req)
  const problems = judge(w, cell.expect, req, r, req.as)
  if (cell.ghost) {
    const g = await hit(w, cell.ghost(w))
    if (shape(g) !== shape(r)) {
      problems.push({
        kind: 'oracle',
        text: `answers differently for A's ids than for ids that do not exist:\n      A's:   ${shape(r)}\n      ghost: ${shape(g)}`,
      })
    }
  }
  if (problems.length > 0) {
    assert.fail(
      [
        `${cell.name} (${cell.why})`,
        `  ${req.method} ${req.path} as ${req.as}`,
        ...problems.map((p) => `  - [${p.kind}] ${p.text}`),
      ].join('\n'),
    )
  }
}

// ---------------------------------------------------------------------------------------------
// The matrix: endpoints × who calls, under which brand, with which appid and user
// (helpers/tenant/matrix.ts), endpoint by endpoint from the tables of each family

/** In the order the positive controls run: reads first, then writes that need no other. */
const ENDPOINTS: readonly Endpoint[] = [
  getProductCoupon,
  listStocks,
  getStock,
  getUserCoupon,
  patchProductCoupon,
  patchStock,
  updateBudget,
  uploadCouponCodes,
  addStock,
  send,
  confirm,
  use,
  returnCoupon,
  deactivateUserCoupon,
  deactivateStock,
  deactivateProductCoupon,
]

// Calls on the caller's own resources that reach for something of A's: an appid, a user, a
// request number, a page token, codes. Each has a control: the same call without A's thing.
const crossRefCells: Partial<Record<OperationName, Cell[]>> = {
  create_product_coupon: createProductCouponCrossRefs,
  add_stock: addStockCrossRefs,
  patch_stock: patchStockCrossRefs,
  upload_codes: uploadCouponCodesCrossRefs,
  send: sendCrossRefs,
  confirm: confirmCrossRefs,
  use: useCrossRefs,
  list_stocks: listStocksCrossRefs,
  list_user_coupons: listUserCouponsCrossRefs,
}

/** Operations whose cells are built apart from ENDPOINTS (below). */
const NOTIFY_OPS: readonly OperationName[] = ['get_notify_config', 'set_notify_config']
const CERTIFICATE_OPS: readonly OperationName[] = ['get_certificates']

/**
 * The other direction of brand-direct mode: partners of brand A (A itself, and C) acting on the
 * product coupon, stock and coupon brand A created in its own name (D).
 */
function onBrandOwn(): Cell[] {
  const cells: Cell[] = []
  for (const ep of ENDPOINTS) {
    for (const who of ['A', 'C'] as const) {
      const at = (x: World, ghost: boolean): Ctx => ({
        brand: x.brand.A,
        appid: x.t[who].appid,
        openid: x.t[who].openid,
        pc: ghost ? GHOST.pc : x.d.pc,
        stock: ghost ? GHOST.stock : x.d.stock,
        code: ghost ? GHOST.code : x.d.code,
      })
      cells.push({
        name: `${who}@brandA on ${ep.op} of brand A's own`,
        why: 'a partner of the brand on what the brand created directly (creator-scoped)',
        req: (x) => ({ as: who, ...ep.build(x, at(x, false)) }),
        ghost: (x) => ({ as: who, ...ep.build(x, at(x, true)) }),
        expect: { deny: ['NOT_FOUND_PRODUCT_COUPON'] },
      })
    }
  }
  return cells
}

/** Every cell, grouped by endpoint: built up front so each is a named test. */
const GROUPS: [string, Cell[]][] = [
  [NOTIFY_OPS.join(' / '), notifyCells],
  [CERTIFICATE_OPS.join(' / '), certificateCells],
  ...ENDPOINTS.map((ep): [string, Cell[]] => [ep.op, endpointCells(ep)]),
  ['list_user_coupons', listCells()],
  ["brand-direct: partners on the brand's own", onBrandOwn()],
]
for (const [op, cells] of Object.entries(crossRefCells)) {
  const group = GROUPS.find(([name]) => name === op)
  if (group) group[1].push(...cells)
  else GROUPS.push([op, cells])
}
const CELL_COUNT = GROUPS.reduce((n, [, cells]) => n + cells.length, 0)

// ---------------------------------------------------------------------------------------------
// The tests

let w: World
let before_: Record<string, unknown>

before(async () => {
  w = await setupWorld()
  before_ = await snapshotOfA(w)
})
after(() => w?.close())

describe(`cross-tenant calls fail, reveal nothing, and look like calls on ids that do not exist (${CELL_COUNT} cells)`, () => {
  for (const [op, cells] of GROUPS) {
    describe(op, () => {
      for (const cell of cells) test(cell.name, () => runCell(cell))
    })
  }
})

describe('the matrix covers the operation table', () => {
  test('every operation has cells, and each endpoint builds a request of its own operation', () => {
    const covered = new Set<string>([
      ...NOTIFY_OPS,
      ...CERTIFICATE_OPS,
      ...BUNDLE_OPS,
      ...GROUPS.map(([name]) => name),
    ])
    assert.deepEqual(
      OPERATION_NAMES.filter((name) => !covered.has(name)),
      [],
      'operations of the table without cells',
    )
    for (const ep of ENDPOINTS) {
      const req = ep.build(w, ownerCtx(w, ep))
      assert.equal(operationOf(req.method, req.path), ep.op, `${req.method} ${req.path}`)
    }
  })
})

describe("2025-11 bundle operations on another partner's ids fail as on ids that do not exist", () => {
  let bw: BundleWorld
  let snapshot: unknown
  before(async () => {
    bw = await setupBundleWorld()
    snapshot = await bundleSnapshot(bw)
  })
  after(() => bw?.close())
  for (const cell of bundleCells) test(`${cell.op}: ${cell.name}`, () => runBundleCell(bw, cell))
  test('every bundle operation has a cell', () => {
    const ops = new Set(bundleCells.map((c) => c.op))
    assert.deepEqual(
      BUNDLE_OPS.filter((op) => !ops.has(op)),
      [],
    )
  })
  test("A's bundle, read by A, is exactly what it was", async () => {
    assert.deepEqual(await bundleSnapshot(bw), snapshot)
  })
})

describe('after the matrix', () => {
  test("A's state, read by A, is exactly what it was", async () => {
    assert.deepEqual(await snapshotOfA(w), before_)
  })

  test('every callback is addressed to the partner that owns its coupon; the matrix wrote none', async () => {
    const r = await w.s.admin('GET', '/sandbox/notifications?limit=200')
    assert.equal(r.status, 200, r.text)
    const problems: string[] = []
    const list = r.json.notifications as {
      mchid: string
      plaintext: { product_coupon_id: string; openid: string; appid: string; coupon_code: string }
    }[]
    for (const n of list) {
      const who = w.owner.get(n.plaintext.product_coupon_id)
      const all = [n.plaintext.openid, n.plaintext.appid, n.plaintext.coupon_code]
      if (!who || w.t[who].mchid !== n.mchid || all.some((id) => w.owner.get(id) !== who)) {
        problems.push(`${n.mchid} was told about ${JSON.stringify(n.plaintext)}`)
      }
    }
    assert.deepEqual(problems, [])
    assert.equal(list.length, w.coupons.length, 'one SEND callback per coupon setup issued')
  })
})

describe("positive controls: the owner's same call succeeds, and the judge would flag it", () => {
  for (const ep of ENDPOINTS) {
    test(ep.op, async () => {
      const req: Req = { as: 'A', ...ep.build(w, ownerCtx(w, ep)) }
      const r = await hit(w, req)
      assert.ok(typeof r !== 'string', String(r))
      assert.equal(r.status, 200, r.text)
      // Had B received this answer, the cell would have failed — and for what it revealed.
      const kinds = new Set(judge(w, { deny: ['NO_AUTH'] }, req, r, 'B').map((p) => p.kind))
      assert.ok(kinds.has('success'), 'a 2xx is flagged')
      if (ep.op !== 'upload_codes') {
        assert.ok(
          kinds.has('leak') || kinds.has('foreign'),
          `A's data in the answer is flagged: ${r.text}`,
        )
      }
    })
  }

  test('list_user_coupons', async () => {
    const A = w.t.A
    const req: Req = { as: 'A', method: 'GET', path: listUrl({ brand: w.brand.A, ...A }) }
    const r = await hit(w, req)
    assert.ok(typeof r !== 'string', String(r))
    assert.equal(r.status, 200, r.text)
    assert.ok(r.json.total_count >= ATTACKED_STATES.length)
    const kinds = new Set(judge(w, { own: ownList('B', 'B') }, req, r, 'B').map((p) => p.kind))
    assert.ok(kinds.has('own') && kinds.has('leak') && kinds.has('foreign'))
  })

  test('get_notify_config / set_notify_config', async () => {
    const get: Req = { as: 'A', method: 'GET', path: `${API}/notify-configs` }
    const r = await hit(w, get)
    assert.ok(typeof r !== 'string', String(r))
    assert.equal(r.json.notify_url, w.notifyUrl.A)
    const kinds = judge(w, { deny: ['NOTIFY_CONFIG_NOT_FOUND'] }, get, r, 'B').map((p) => p.kind)
    assert.ok(kinds.includes('success') && kinds.includes('leak'))
    const set = await hit(w, { ...get, method: 'POST', body: { notify_url: w.notifyUrl.A } })
    assert.ok(typeof set !== 'string' && set.status === 200, String(set))
  })

  test('get_certificates', async () => {
    const req: Req = { as: 'A', method: 'GET', path: '/v3/certificates' }
    const r = await hit(w, req)
    assert.ok(typeof r !== 'string', String(r))
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.data.length, 1)
    const kinds = judge(w, { deny: ['CERTIFICATES_NOT_AVAILABLE'] }, req, r, 'B').map((p) => p.kind)
    assert.ok(kinds.includes('success'), 'A’s list given to B would be flagged')
  })

  for (const [op, cells] of Object.entries(crossRefCells)) {
    for (const cell of cells) {
      const control = cell.control
      if (!control) continue
      test(`${op} › ${cell.name}, without A's part`, async () => {
        const r = await hit(w, control(w))
        assert.ok(typeof r !== 'string', String(r))
        assert.equal(r.status, 200, r.text)
      })
    }
  }
})
