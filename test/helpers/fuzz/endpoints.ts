import type { TSchema } from 'typebox'
import {
  OPERATION_NAMES,
  OPERATIONS,
  type OperationName,
  type OperationSpec,
  operationPath,
} from '../../../packages/sdk/src/schemas/operations.ts'
import { accepted } from './oracles.ts'
import type { CouponIds, JsonObject, Targets } from './types.ts'

/**
 * The WeChat-compatible routes the fuzz aims at — every operation of the operation table —
 * each with a request that would succeed on the live targets: the valid starting point that
 * every generated case breaks. Method, route and schema come from the table; this file adds
 * only the values, and a table entry without them does not compile.
 */

type Slot = 'pc' | 'stock' | 'openid' | 'code'

export interface BodyEndpoint {
  name: string
  method: 'POST' | 'PATCH'
  /** The full path, with `{pc}`, `{stock}`, `{openid}`, `{code}` slots. */
  route: string
  ids: Partial<Record<Slot, string>>
  schema: TSchema
  template: JsonObject
  /** Body members that name resources. */
  refs: string[]
}

export interface QueryEndpoint {
  name: string
  route: string
  ids: Partial<Record<Slot, string>>
  query: [string, string][]
}

/** The table names path parameters by their wire names; the cases here by short slots. */
const SLOT_OF: Record<string, Slot> = {
  product_coupon_id: 'pc',
  stock_id: 'stock',
  openid: 'openid',
  coupon_code: 'code',
}

const slotRoute = (op: OperationSpec) =>
  operationPath(op).replace(/\{(\w+)\}/g, (_, name: string) => `{${SLOT_OF[name] ?? name}}`)

export function fill(route: string, ids: Partial<Record<Slot, string>>): string {
  return route.replace(/\{(\w+)\}/g, (_, k: string) => ids[k as Slot] ?? k)
}

const REQ = 'FUZZREQ0000001'

type BodyFixture = Pick<BodyEndpoint, 'ids' | 'template' | 'refs'>
type QueryFixture = Pick<QueryEndpoint, 'ids' | 'query'>
/** The fuzz partner is on 2025-08: operations of the 2025-11 revision only are not its routes. */
type BodyOps = {
  [K in OperationName]: (typeof OPERATIONS)[K] extends { only: string }
    ? never
    : (typeof OPERATIONS)[K] extends { body: object }
      ? K
      : never
}[OperationName]
type QueryOps = Exclude<
  OperationName,
  | BodyOps
  | {
      [K in OperationName]: (typeof OPERATIONS)[K] extends { only: string } ? K : never
    }[OperationName]
>

function bodyFixtures(t: Targets): Record<BodyOps, BodyFixture> {
  const brand = { brand_id: t.brandId }
  const pc = { pc: t.pc.product_coupon_id, stock: t.pc.stock_id }
  const ref = (c: CouponIds) => ({
    product_coupon_id: c.product_coupon_id,
    stock_id: c.stock_id,
    appid: t.appid,
    brand_id: t.brandId,
  })
  const coupon = (c: CouponIds) => ({ openid: t.openid, code: c.coupon_code })
  const refs = ['product_coupon_id', 'stock_id']
  const display = t.createBody.display_info ?? null
  const stock = t.createBody.stock ?? null
  return {
    create_product_coupon: {
      ids: {},
      template: t.createBody,
      refs: [],
    },
    patch_product_coupon: {
      ids: pc,
      template: { ...brand, out_request_no: REQ, display_info: display },
      refs: [],
    },
    deactivate_product_coupon: {
      ids: pc,
      template: { ...brand, out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs: [],
    },
    add_stock: {
      ids: pc,
      template: { ...brand, out_request_no: REQ, stock },
      refs: [],
    },
    patch_stock: {
      ids: pc,
      template: { ...brand, out_request_no: REQ, remark: 'fuzz' },
      refs: [],
    },
    deactivate_stock: {
      ids: pc,
      template: { ...brand, out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs: [],
    },
    update_budget: {
      ids: pc,
      template: {
        ...brand,
        out_request_no: REQ,
        update_mode: 'MAX_COUNT',
        current_max_count: 1000,
        target_max_count: 2000,
      },
      refs: [],
    },
    upload_codes: {
      ids: { pc: t.upload.product_coupon_id, stock: t.upload.stock_id },
      template: { ...brand, out_request_no: REQ, code_list: ['FUZZCODE0001', 'FUZZCODE0002'] },
      refs: [],
    },
    send: {
      ids: { openid: t.openid },
      template: { ...t.pc, appid: t.appid, send_request_no: REQ, ...brand },
      refs,
    },
    confirm: {
      ids: coupon(t.sent),
      template: { ...ref(t.sent), out_request_no: REQ },
      refs,
    },
    use: {
      ids: coupon(t.effective),
      template: {
        ...ref(t.effective),
        use_time: t.useTime,
        associated_order_info: { transaction_id: '4200000000123456789123456789' },
        out_request_no: REQ,
      },
      refs,
    },
    deactivate: {
      ids: coupon(t.effective),
      template: { ...ref(t.effective), out_request_no: REQ, deactivate_reason: 'fuzz' },
      refs,
    },
    return: {
      ids: coupon(t.used),
      template: { ...ref(t.used), out_request_no: REQ },
      refs,
    },
    set_notify_config: {
      ids: {},
      template: { notify_url: 'https://example.com/wxcoupon/notify' },
      refs: [],
    },
  }
}

function queryFixtures(t: Targets): Record<QueryOps, QueryFixture> {
  const pc = { pc: t.pc.product_coupon_id, stock: t.pc.stock_id }
  const brand: [string, string] = ['brand_id', t.brandId]
  return {
    get_product_coupon: { ids: pc, query: [brand] },
    list_stocks: {
      ids: pc,
      query: [brand, ['page_size', '10']],
    },
    get_stock: { ids: pc, query: [brand] },
    list_user_coupons: {
      ids: { openid: t.openid },
      query: [['appid', t.appid], brand, ['page_size', '5']],
    },
    get_user_coupon: {
      ids: { openid: t.openid, code: t.effective.coupon_code },
      query: [
        ['product_coupon_id', t.effective.product_coupon_id],
        ['stock_id', t.effective.stock_id],
        ['appid', t.appid],
        brand,
      ],
    },
    get_notify_config: { ids: {}, query: [] },
    // The fuzz partner is in public-key mode: a valid call is the 404 of a partner without certificates.
    get_certificates: { ids: {}, query: [['algorithm_type', 'RSA']] },
  }
}

export function bodyEndpoints(t: Targets): BodyEndpoint[] {
  const fixtures: Record<string, BodyFixture> = bodyFixtures(t)
  return OPERATION_NAMES.flatMap((name) => {
    const op: OperationSpec = OPERATIONS[name]
    const f = fixtures[name]
    if (!op.body || !f || op.method === 'GET') return []
    return [{ name, method: op.method, route: slotRoute(op), schema: op.body, ...f }]
  })
}

export function queryEndpoints(t: Targets): QueryEndpoint[] {
  const fixtures: Record<string, QueryFixture> = queryFixtures(t)
  return OPERATION_NAMES.flatMap((name) => {
    const op: OperationSpec = OPERATIONS[name]
    const f = fixtures[name]
    return op.method === 'GET' && f ? [{ name, route: slotRoute(op), ...f }] : []
  })
}

const BODY_SCHEMAS: TSchema[] = OPERATION_NAMES.flatMap((n) => {
  const op = OPERATIONS[n] as OperationSpec
  return op.body && !op.only ? [op.body] : []
})

/** For requests whose route is itself fuzzed: a body no mutating route would accept. */
export function acceptedByAnyRoute(bytes: Buffer, contentType: string | null): boolean {
  return BODY_SCHEMAS.some((schema) => accepted(bytes, schema, contentType))
}
