import { API, reqNo } from '../fixtures.ts'
import type { Reply } from '../harness.ts'
import type { Expect, Req } from './judge.ts'
import {
  aApp,
  type Cell,
  COMBOS,
  type Ctx,
  conflict,
  coupon,
  ctxFor,
  type Endpoint,
  ghostly,
  main,
  own,
  ref,
} from './matrix.ts'
import { type BrandKey, couponUrl, GHOST, listUrl, TX, type Who, type World } from './world.ts'

/**
 * The user-coupon endpoints of the matrix (get, send, confirm, use, return, deactivate), the
 * list cells (E13, where the caller's own user may be listed but only its own coupons show),
 * and the calls on the caller's own coupons that reach for A's appid, user, number or token.
 */

export const getUserCoupon: Endpoint = {
  op: 'get_user_coupon',
  family: 'coupon',
  target: coupon,
  primary: 'used',
  build: (_x, c) => ({
    method: 'GET',
    path: `${couponUrl(c.openid, c.code)}?${new URLSearchParams(ref(c))}`,
  }),
}

export const send: Endpoint = {
  op: 'send',
  family: 'send',
  target: main,
  build: (_x, c) => ({
    method: 'POST',
    path: `${API}/users/${c.openid}/coupons`,
    body: { ...ref(c), send_request_no: reqNo('SEND') },
  }),
}

export const confirm: Endpoint = {
  op: 'confirm',
  family: 'coupon',
  target: coupon,
  primary: 'sent',
  build: (_x, c) => ({
    method: 'POST',
    path: couponUrl(c.openid, c.code, 'confirm'),
    body: { ...ref(c), out_request_no: reqNo('CFM') },
  }),
}

export const use: Endpoint = {
  op: 'use',
  family: 'coupon',
  target: coupon,
  primary: 'effective',
  build: (x, c) => ({
    method: 'POST',
    path: couponUrl(c.openid, c.code, 'use'),
    body: {
      ...ref(c),
      use_time: x.useTime,
      associated_order_info: TX,
      out_request_no: reqNo('USE'),
    },
  }),
}

export const returnCoupon: Endpoint = {
  op: 'return',
  family: 'coupon',
  target: coupon,
  primary: 'used',
  build: (_x, c) => ({
    method: 'POST',
    path: couponUrl(c.openid, c.code, 'return'),
    body: { ...ref(c), out_request_no: reqNo('RET') },
  }),
}

export const deactivateUserCoupon: Endpoint = {
  op: 'deactivate',
  family: 'coupon',
  target: coupon,
  primary: 'spare',
  build: (_x, c) => ({
    method: 'POST',
    path: couponUrl(c.openid, c.code, 'deactivate'),
    body: { ...ref(c), out_request_no: reqNo('DEA'), deactivate_reason: '用户投诉' },
  }),
}

/** The caller's coupons under that brand, appid and user, counted from what setup issued. */
export function ownList(who: Who, brand: BrandKey, app?: 'A2') {
  return (x: World, r: Reply): string[] => {
    const me = app ? x.a2 : x.t[who]
    const mine = x.coupons
      .filter((c) => c.owner === who && c.brand === x.brand[brand])
      .filter((c) => c.appid === me.appid && c.openid === me.openid)
      .map((c) => c.code)
      .sort()
    const shown = (r.json.user_coupon_list as { coupon_code: string }[]).map((c) => c.coupon_code)
    const problems: string[] = []
    if (r.json.total_count !== mine.length) {
      problems.push(`total_count ${r.json.total_count}, but the caller has ${mine.length} here`)
    }
    if (JSON.stringify([...shown].sort()) !== JSON.stringify(mine)) {
      problems.push(
        `lists ${shown.join(', ') || 'nothing'}; the caller's own are ${mine.join(', ') || 'none'}`,
      )
    }
    return problems
  }
}

export function listCells(): Cell[] {
  const cells: Cell[] = []
  for (const combo of COMBOS) {
    if (combo.parents) continue
    const at = (x: World) => ctxFor(x, combo, main(x), 'coupon')
    const denied = combo.expect('coupon')
    // The owner in its own brand may list any user of its own appids, but sees only theirs.
    const owner = combo.caller === 'A' && combo.brand === 'A'
    const mine: Expect = {
      own: ownList(combo.caller, combo.brand, combo.app === 'A2' ? 'A2' : undefined),
    }
    if (!denied.startsWith('NOT_FOUND')) {
      cells.push({
        name: combo.id,
        why: combo.why,
        req: (x) => ({ as: combo.caller, method: 'GET', path: listUrl(at(x)) }),
        ghost: (x) => ({
          as: combo.caller,
          method: 'GET',
          path: listUrl(ghostly(x, combo, at(x))),
        }),
        expect: { deny: [denied] },
      })
      continue
    }
    cells.push({
      name: `${combo.id} · own user`,
      why: `${combo.why}; its own user's list holds none of A's coupons`,
      req: (x) => ({ as: combo.caller, method: 'GET', path: listUrl(at(x)) }),
      expect: mine,
    })
    const filtered = (c: Ctx) => listUrl(c, `&product_coupon_id=${c.pc}`)
    cells.push({
      name: `${combo.id} · filtered by A's product coupon`,
      why: combo.why,
      req: (x) => ({ as: combo.caller, method: 'GET', path: filtered(at(x)) }),
      ...(owner
        ? { expect: mine }
        : {
            ghost: (x: World) => ({
              as: combo.caller,
              method: 'GET',
              path: filtered(ghostly(x, combo, at(x))),
            }),
            expect: { deny: [denied] },
          }),
    })
  }
  const cStock = (x: World, stock: string) =>
    listUrl(
      { brand: x.brand.A, appid: x.t.C.appid, openid: x.t.C.openid },
      `&product_coupon_id=${x.c.pc}&stock_id=${stock}`,
    )
  cells.push({
    name: "C@brandA · own product coupon filtered by A's stock",
    why: "a same-brand partner's own product coupon around A's stock",
    req: (x) => ({ as: 'C', method: 'GET', path: cStock(x, x.a.main.stock) }),
    ghost: (x) => ({ as: 'C', method: 'GET', path: cStock(x, GHOST.stock) }),
    expect: { deny: ['NOT_FOUND_STOCK'] },
  })
  return cells
}

const cRef = (x: World, code: string) => ({
  product_coupon_id: x.c.pc,
  stock_id: x.c.stock,
  appid: x.t.C.appid,
  brand_id: x.brand.A,
  code,
})

function cCoupon(action: 'confirm' | 'use', no: (x: World) => string) {
  return (x: World): Req => {
    const { code, ...r } = cRef(x, action === 'confirm' ? x.c.sent : x.c.effective)
    return {
      as: 'C',
      method: 'POST',
      path: couponUrl(x.t.C.openid, code, action),
      body: {
        ...r,
        out_request_no: no(x),
        ...(action === 'use' ? { use_time: x.useTime, associated_order_info: TX } : {}),
      },
    }
  }
}

function cSend(
  openid: (x: World) => string,
  appid: (x: World) => string,
  no = (_x: World) => reqNo('SEND'),
) {
  return (x: World): Req => ({
    as: 'C',
    method: 'POST',
    path: `${API}/users/${openid(x)}/coupons`,
    body: {
      product_coupon_id: x.c.pc,
      stock_id: x.c.stock,
      appid: appid(x),
      brand_id: x.brand.A,
      send_request_no: no(x),
    },
  })
}

export const sendCrossRefs: Cell[] = [
  {
    name: "C sends its own coupon to A's user under A's appid",
    why: "A's appid is bound to A",
    req: cSend((x) => x.t.A.openid, aApp),
    expect: { deny: ['APPID_INVALID'] },
    control: cSend((x) => x.t.C.openid, own('C')),
  },
  {
    name: "C sends its own coupon to A's user under its own appid",
    why: "A's user is not a user of C's appid",
    req: cSend((x) => x.t.A.openid, own('C')),
    expect: { deny: ['OPENID_INVALID'] },
    control: cSend((x) => x.t.C.openid, own('C')),
  },
  {
    name: "C reuses A's send_request_no",
    why: 'send numbers are unique per brand: a conflict, never a replay of A’s coupon',
    req: cSend(
      (x) => x.t.C.openid,
      own('C'),
      (x) => x.a.numbers.send,
    ),
    expect: conflict,
    control: cSend((x) => x.t.C.openid, own('C')),
  },
]

export const confirmCrossRefs: Cell[] = [
  {
    name: "C confirms its own coupon reusing A's out_request_no",
    why: 'a conflict, never a replay of A’s coupon',
    req: cCoupon('confirm', (x) => x.a.numbers.confirm),
    expect: conflict,
    control: cCoupon('confirm', () => reqNo('CFM')),
  },
]

export const useCrossRefs: Cell[] = [
  {
    name: "C uses its own coupon reusing A's out_request_no",
    why: 'a conflict, never a replay of A’s coupon',
    req: cCoupon('use', (x) => x.a.numbers.use),
    expect: conflict,
    control: cCoupon('use', () => reqNo('USE')),
  },
]

export const listUserCouponsCrossRefs: Cell[] = [
  {
    name: "C lists its own user with A's page token",
    why: 'page tokens are bound to the partner and query that got them',
    req: (x) => ({
      as: 'C',
      method: 'GET',
      path: listUrl(
        { brand: x.brand.A, appid: x.t.C.appid, openid: x.t.C.openid },
        `&page_token=${x.a.tokens.coupons}`,
      ),
    }),
    expect: { deny: ['PARAM_ERROR'] },
    control: (x) => ({
      as: 'C',
      method: 'GET',
      path: listUrl({ brand: x.brand.A, appid: x.t.C.appid, openid: x.t.C.openid }),
    }),
  },
]
