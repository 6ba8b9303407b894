import { API, reqNo } from '../fixtures.ts'
import type { Req } from './judge.ts'
import { aApp, type Cell, conflict, type Endpoint, main, own, pcPath, stockPath } from './matrix.ts'
import { stockFor } from './setup.ts'
import { A_BUDGET, A_CODES, type World } from './world.ts'

/**
 * The stock endpoints of the matrix (list, get, add, patch, budget, codes, deactivate) and the
 * calls on the caller's own stocks that reach for A's appid, request number, codes or page token.
 */

export const listStocks: Endpoint = {
  op: 'list_stocks',
  family: 'pc',
  target: main,
  build: (_x, c) => ({ method: 'GET', path: `${pcPath(c)}/stocks?brand_id=${c.brand}` }),
}

export const getStock: Endpoint = {
  op: 'get_stock',
  family: 'stock',
  target: main,
  build: (_x, c) => ({ method: 'GET', path: `${stockPath(c)}?brand_id=${c.brand}` }),
}

export const patchStock: Endpoint = {
  op: 'patch_stock',
  family: 'stock',
  target: main,
  build: (_x, c) => ({
    method: 'PATCH',
    path: stockPath(c),
    body: { brand_id: c.brand, out_request_no: reqNo('PAT'), remark: '改后备注' },
  }),
}

export const updateBudget: Endpoint = {
  op: 'update_budget',
  family: 'stock',
  target: main,
  build: (_x, c) => ({
    method: 'POST',
    path: `${stockPath(c)}/update-budget`,
    body: {
      brand_id: c.brand,
      out_request_no: reqNo('BUD'),
      update_mode: 'MAX_COUNT',
      current_max_count: A_BUDGET,
      target_max_count: A_BUDGET + 1,
    },
  }),
}

export const uploadCouponCodes: Endpoint = {
  op: 'upload_codes',
  family: 'stock',
  target: (x) => ({ ...x.a.upload, code: '' }),
  build: (_x, c) => ({
    method: 'POST',
    path: `${stockPath(c)}/upload-coupon-codes`,
    body: { brand_id: c.brand, out_request_no: reqNo('UPL'), code_list: [reqNo('CODE')] },
  }),
}

export const addStock: Endpoint = {
  op: 'add_stock',
  family: 'pc',
  target: main,
  build: (x, c) => ({
    method: 'POST',
    path: `${pcPath(c)}/stocks`,
    body: {
      out_request_no: reqNo('ADD'),
      brand_id: c.brand,
      stock: stockFor(x, '新增批次', c.appid),
    },
  }),
}

export const deactivateStock: Endpoint = {
  op: 'deactivate_stock',
  family: 'stock',
  target: (x) => ({ pc: x.a.main.pc, stock: x.a.main.stock2, code: '' }),
  build: (_x, c) => ({
    method: 'POST',
    path: `${stockPath(c)}/deactivate`,
    body: { brand_id: c.brand, out_request_no: reqNo('DST'), deactivate_reason: '活动取消' },
  }),
}

function addStockAs(who: 'B' | 'C', appid: (x: World) => string, no = (_x: World) => reqNo('ADD')) {
  return (x: World): Req => ({
    as: who,
    method: 'POST',
    path: `${API}/product-coupons/${x[who === 'B' ? 'b' : 'c'].pc}/stocks`,
    body: {
      out_request_no: no(x),
      brand_id: x.brand[who === 'B' ? 'B' : 'A'],
      stock: stockFor(x, '新增批次', appid(x)),
    },
  })
}

export const addStockCrossRefs: Cell[] = [
  {
    name: "B to its own product coupon with A's appid as notify_appid",
    why: "A's appid is neither B's nor associated with brand B",
    req: addStockAs('B', aApp),
    expect: { deny: ['APPID_INVALID'] },
    control: addStockAs('B', own('B')),
  },
  {
    name: "C to its own product coupon reusing A's out_request_no",
    why: 'request numbers are unique per brand: a conflict, never a replay of A’s stock',
    req: addStockAs('C', own('C'), (x) => x.a.numbers.add_stock),
    expect: conflict,
    control: addStockAs('C', own('C')),
  },
]

export const patchStockCrossRefs: Cell[] = [
  {
    name: "B on its own stock with A's appid as notify_appid",
    why: "A's appid is neither B's nor associated with brand B",
    req: (x) => ({
      as: 'B',
      method: 'PATCH',
      path: `${API}/product-coupons/${x.b.pc}/stocks/${x.b.stock}`,
      body: {
        brand_id: x.brand.B,
        out_request_no: reqNo('PAT'),
        notify_config: { notify_appid: x.t.A.appid },
      },
    }),
    expect: { deny: ['APPID_INVALID'] },
    control: (x) => ({
      as: 'B',
      method: 'PATCH',
      path: `${API}/product-coupons/${x.b.pc}/stocks/${x.b.stock}`,
      body: {
        brand_id: x.brand.B,
        out_request_no: reqNo('PAT'),
        notify_config: { notify_appid: x.t.B.appid },
      },
    }),
  },
]

export const uploadCouponCodesCrossRefs: Cell[] = [
  {
    name: "B uploads A's codes to its own UPLOAD stock",
    why: 'code pools are per stock: A’s codes must look new to B, not "already exist"',
    req: (x) => ({
      as: 'B',
      method: 'POST',
      path: `${API}/product-coupons/${x.b.pc}/stocks/${x.b.stock}/upload-coupon-codes`,
      body: { brand_id: x.brand.B, out_request_no: reqNo('UPL'), code_list: A_CODES },
    }),
    expect: {
      own: (_x, r) =>
        JSON.stringify(r.json.success_code_list) === JSON.stringify(A_CODES) &&
        r.json.already_exist_code_list.length === 0
          ? []
          : [
              `success ${r.json.success_code_list}, already exist ${r.json.already_exist_code_list}`,
            ],
    },
  },
]

export const listStocksCrossRefs: Cell[] = [
  {
    name: "C lists its own stocks with A's page token",
    why: 'page tokens are bound to the partner and query that got them',
    req: (x) => ({
      as: 'C',
      method: 'GET',
      path: `${API}/product-coupons/${x.c.pc}/stocks?brand_id=${x.brand.A}&page_token=${x.a.tokens.stocks}`,
    }),
    expect: { deny: ['PARAM_ERROR'] },
    control: (x) => ({
      as: 'C',
      method: 'GET',
      path: `${API}/product-coupons/${x.c.pc}/stocks?brand_id=${x.brand.A}`,
    }),
  },
]
