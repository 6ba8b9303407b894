import { API, productCouponBody, reqNo } from '../fixtures.ts'
import type { Req } from './judge.ts'
import { aApp, type Cell, type Endpoint, main, own, pcPath } from './matrix.ts'
import { createBody } from './setup.ts'
import type { BrandKey, Who, World } from './world.ts'

/**
 * The product-coupon endpoints of the matrix (get, patch, deactivate) and the create calls
 * that reach for A's brand, appid or request number.
 */

export const getProductCoupon: Endpoint = {
  op: 'get_product_coupon',
  family: 'pc',
  target: main,
  build: (_x, c) => ({ method: 'GET', path: `${pcPath(c)}?brand_id=${c.brand}` }),
}

export const patchProductCoupon: Endpoint = {
  op: 'patch_product_coupon',
  family: 'pc',
  target: main,
  build: (x, c) => ({
    method: 'PATCH',
    path: pcPath(c),
    body: {
      brand_id: c.brand,
      out_request_no: reqNo('PAT'),
      display_info: { ...productCouponBody(x.s).display_info, name: '改名后的商品券' },
    },
  }),
}

export const deactivateProductCoupon: Endpoint = {
  op: 'deactivate_product_coupon',
  family: 'pc',
  target: (x) => ({ ...x.a.spare, code: '' }),
  build: (_x, c) => ({
    method: 'POST',
    path: `${pcPath(c)}/deactivate`,
    body: { brand_id: c.brand, out_request_no: reqNo('DPC'), deactivate_reason: '商品下架' },
  }),
}

function create(who: Who, brand: BrandKey, appid: (x: World) => string, no?: (x: World) => string) {
  return (x: World): Req => {
    const body = createBody(x, who, x.brand[brand], appid(x))
    return {
      as: who,
      method: 'POST',
      path: `${API}/product-coupons`,
      body: no ? { ...body, out_request_no: no(x) } : body,
    }
  }
}

export const createProductCouponCrossRefs: Cell[] = [
  {
    name: 'B@brandA',
    why: "creating under A's brand, which never authorised B",
    req: create('B', 'A', own('B')),
    expect: { deny: ['NO_AUTH'] },
    control: create('B', 'B', own('B')),
  },
  {
    name: "B@brandB with A's appid as notify_appid",
    why: "A's appid is neither B's nor associated with brand B",
    req: create('B', 'B', aApp),
    expect: { deny: ['APPID_INVALID'] },
    control: create('B', 'B', own('B')),
  },
  {
    name: "C@brandA with A's appid as notify_appid",
    why: "A's appid is bound to A, not associated with the brand they share",
    req: create('C', 'A', aApp),
    expect: { deny: ['APPID_INVALID'] },
    control: create('C', 'A', own('C')),
  },
  {
    name: "C@brandA replaying A's create request byte for byte",
    why: 'a replay is only a replay for the partner that made it: never A’s product coupon',
    req: (x) => ({
      as: 'C',
      method: 'POST',
      path: `${API}/product-coupons`,
      body: x.a.createBody,
    }),
    expect: { deny: ['ALREADY_EXISTS', 'REQUEST_NO_CONFLICT'] },
    control: create('C', 'A', own('C')),
  },
  {
    name: "C@brandA reusing A's out_request_no",
    why: 'request numbers are unique per brand (spec §8): a conflict, never a replay of A’s',
    req: create('C', 'A', own('C'), (x) => x.a.numbers.create),
    expect: { deny: ['ALREADY_EXISTS', 'REQUEST_NO_CONFLICT'] },
    control: create('C', 'A', own('C')),
  },
]
