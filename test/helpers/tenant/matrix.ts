import type { OperationName } from '../../../packages/sdk/src/schemas/operations.ts'
import type { ErrorName } from '../../../src/domain/errors.ts'
import { API } from '../fixtures.ts'
import type { Expect, Req } from './judge.ts'
import { type BrandKey, type CouponState, GHOST, type Who, type World } from './world.ts'

/**
 * The axes of the matrix (who calls, under which brand, with which appid and user), how one
 * endpoint becomes a cell per combination and attacked state, and the shorthands that the
 * endpoint tables of each family share.
 */

export type Family = 'pc' | 'stock' | 'send' | 'coupon'

export interface Cell {
  name: string
  why: string
  req: (x: World) => Req
  expect: Expect
  /** The same request with A's ids swapped for ids that do not exist. */
  ghost?: (x: World) => Req
  /** The same call made legitimately (own ids, fresh request number): it must succeed. */
  control?: (x: World) => Req
}

export interface Ctx {
  brand: string
  appid: string
  openid: string
  pc: string
  stock: string
  code: string
}

export interface Endpoint {
  op: OperationName
  family: Family
  /** Which of A's resources the call acts on (coupon family: the coupon in that state). */
  target: (x: World, state: CouponState) => { pc: string; stock: string; code: string }
  /** The coupon the owner's positive control acts on. */
  primary?: CouponState
  build: (x: World, c: Ctx) => Omit<Req, 'as'>
}

interface Combo {
  id: string
  why: string
  caller: Who
  brand: BrandKey
  /** Present A's appid and A's user (A2: A's second appid and its user) instead of the caller's own. */
  app?: 'A' | 'A2'
  /** Present A's user under the caller's own appid. */
  user?: 'A'
  /** Use C's own product coupon (and stock) around A's child id. */
  parents?: 'own'
  /** Which of A's ids are foreign to the caller here, and so get a ghost (default: all). */
  ghosts?: readonly ('pc' | 'stock' | 'code' | 'openid')[]
  families: readonly Family[]
  expect: (f: Family) => ErrorName
}

const ALL: readonly Family[] = ['pc', 'stock', 'send', 'coupon']
const USER: readonly Family[] = ['send', 'coupon']
const NOT_FOUND = () => 'NOT_FOUND_PRODUCT_COUPON' as const

export const COMBOS: readonly Combo[] = [
  {
    id: 'B@brandB',
    why: 'another partner under its own brand',
    caller: 'B',
    brand: 'B',
    families: ALL,
    expect: NOT_FOUND,
  },
  {
    id: 'B@brandA',
    why: "another partner naming A's brand, which never authorised it",
    caller: 'B',
    brand: 'A',
    families: ALL,
    expect: () => 'NO_AUTH',
  },
  {
    id: 'C@brandA',
    why: 'another partner authorised for the same brand',
    caller: 'C',
    brand: 'A',
    families: ALL,
    expect: NOT_FOUND,
  },
  {
    id: 'C@brandB',
    why: 'a partner of both brands naming the other one',
    caller: 'C',
    brand: 'B',
    families: ALL,
    expect: NOT_FOUND,
  },
  {
    id: 'A@brandAX',
    why: 'the owner itself under another brand it is authorised for',
    caller: 'A',
    brand: 'AX',
    families: ALL,
    expect: NOT_FOUND,
  },
  {
    id: 'B@brandB+A.appid',
    why: "another partner presenting A's appid and A's user",
    caller: 'B',
    brand: 'B',
    app: 'A',
    families: USER,
    expect: () => 'APPID_INVALID',
  },
  {
    id: 'B@brandB+A.openid',
    why: "another partner presenting A's user under its own appid",
    caller: 'B',
    brand: 'B',
    user: 'A',
    families: USER,
    expect: () => 'OPENID_INVALID',
  },
  {
    id: 'C@brandA+A.appid',
    why: "a same-brand partner presenting A's appid and A's user",
    caller: 'C',
    brand: 'A',
    app: 'A',
    families: USER,
    expect: () => 'APPID_INVALID',
  },
  {
    id: 'C@brandA+A.openid',
    why: "a same-brand partner presenting A's user under its own appid",
    caller: 'C',
    brand: 'A',
    user: 'A',
    families: USER,
    expect: () => 'OPENID_INVALID',
  },
  {
    id: 'D@brandA (brand-direct)',
    why: 'brand A itself, calling /brand/… directly, on what its partner A created (creator-scoped)',
    caller: 'D',
    brand: 'A',
    families: ALL,
    expect: NOT_FOUND,
  },
  {
    id: 'D@brandA+A.appid (brand-direct)',
    why: "brand A directly, presenting its partner A's appid and user",
    caller: 'D',
    brand: 'A',
    app: 'A',
    families: USER,
    expect: () => 'APPID_INVALID',
  },
  {
    id: 'D@brandA+A.openid (brand-direct)',
    why: "brand A directly, presenting A's user under its own appid",
    caller: 'D',
    brand: 'A',
    user: 'A',
    families: USER,
    expect: () => 'OPENID_INVALID',
  },
  {
    id: 'A@brandA+appid2',
    why: "the owner through another of its own appids, with that appid's user",
    caller: 'A',
    brand: 'A',
    app: 'A2',
    ghosts: ['code'],
    families: ['coupon'],
    expect: () => 'NOT_FOUND_USER_COUPON',
  },
  {
    id: 'C@brandA+own parents',
    why: "a same-brand partner's own product coupon (and stock) around A's stock or coupon code",
    caller: 'C',
    brand: 'A',
    parents: 'own',
    families: ['stock', 'send', 'coupon'],
    expect: (f) => (f === 'coupon' ? 'NOT_FOUND_USER_COUPON' : 'NOT_FOUND_STOCK'),
  },
]

export function ctxFor(
  x: World,
  combo: Combo,
  t: { pc: string; stock: string; code: string },
  f: Family,
): Ctx {
  const me = x.t[combo.caller]
  const A = x.t.A
  const c: Ctx = {
    brand: x.brand[combo.brand],
    appid: combo.app ? A.appid : me.appid,
    openid: combo.app || combo.user ? A.openid : me.openid,
    ...t,
  }
  if (combo.app === 'A2') Object.assign(c, x.a2)
  if (combo.parents) {
    c.pc = x.c.pc
    if (f === 'coupon') c.stock = x.c.stock
  }
  return c
}

/** The ids that are foreign to the caller replaced by ids that do not exist. */
export function ghostly(x: World, combo: Combo, c: Ctx): Ctx {
  const swap = (key: 'pc' | 'stock' | 'code' | 'openid') =>
    x.owner.get(c[key]) === 'A' && (combo.ghosts ?? ['pc', 'stock', 'code', 'openid']).includes(key)
      ? GHOST[key]
      : c[key]
  // A's own user is not foreign to A, whichever brand it names.
  const openid = combo.caller === 'A' ? c.openid : swap('openid')
  return { ...c, pc: swap('pc'), stock: swap('stock'), code: swap('code'), openid }
}

export const pcPath = (c: Ctx) => `${API}/product-coupons/${c.pc}`
export const stockPath = (c: Ctx) => `${pcPath(c)}/stocks/${c.stock}`
export const ref = (c: Ctx) => ({
  product_coupon_id: c.pc,
  stock_id: c.stock,
  appid: c.appid,
  brand_id: c.brand,
})
export const main = (x: World) => ({ pc: x.a.main.pc, stock: x.a.main.stock, code: '' })
export const coupon = (x: World, state: CouponState) => ({ ...main(x), code: x.a.coupons[state] })

/** Cross-tenant writes must not depend on which state A's coupon is in. */
export const ATTACKED_STATES: readonly CouponState[] = ['sent', 'effective', 'used', 'deactivated']
const STATE_NAME: Record<CouponState, string> = {
  sent: 'CONFIRMING',
  effective: 'EFFECTIVE',
  used: 'USED',
  deactivated: 'DEACTIVATED',
  spare: 'EFFECTIVE',
}

export function endpointCells(ep: Endpoint): Cell[] {
  const cells: Cell[] = []
  const states = ep.family === 'coupon' ? ATTACKED_STATES : (['spare'] as const)
  for (const combo of COMBOS) {
    if (!combo.families.includes(ep.family)) continue
    for (const state of states) {
      const at = (x: World) => ctxFor(x, combo, ep.target(x, state), ep.family)
      cells.push({
        name: ep.family === 'coupon' ? `${combo.id} · A's ${STATE_NAME[state]} coupon` : combo.id,
        why: combo.why,
        req: (x) => ({ as: combo.caller, ...ep.build(x, at(x)) }),
        ghost: (x) => ({ as: combo.caller, ...ep.build(x, ghostly(x, combo, at(x))) }),
        expect: { deny: [combo.expect(ep.family)] },
      })
    }
  }
  return cells
}

export function ownerCtx(x: World, ep: Endpoint): Ctx {
  const A = x.t.A
  return {
    brand: x.brand.A,
    appid: A.appid,
    openid: A.openid,
    ...ep.target(x, ep.primary ?? 'spare'),
  }
}

// Shorthands for the calls on the caller's own resources that reach for something of A's (an
// appid, a user, a request number, a page token, codes); each has a control without A's thing.

export const conflict: Expect = { deny: ['REQUEST_NO_CONFLICT'] }
export const aApp = (x: World) => x.t.A.appid
export const own = (who: Who) => (x: World) => x.t[who].appid
