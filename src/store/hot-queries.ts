import { prepared } from './prepared.ts'
import type { Database } from './schema.ts'

/**
 * The statements every coupon write runs (authentication, E15 steps 4–6, the request-number
 * ledger, the coupon update), compiled once. The rest of the store builds its queries per call.
 */

export const selectPartner = prepared(1, (db, mchid: string) =>
  db.selectFrom('partners').selectAll().where('mchid', '=', mchid),
)

export const selectPartnerCert = prepared(2, (db, mchid: string, serialNo: string) =>
  db
    .selectFrom('partner_certs')
    .selectAll()
    .where('mchid', '=', mchid)
    .where('serial_no', '=', serialNo),
)

/** Read per request by instances sharing the database, to see key changes made by others. */
export const selectPartnerTrust = prepared(1, (db, mchid: string) =>
  db.selectFrom('partner_trust').selectAll().where('mchid', '=', mchid),
)

export const selectBrandPartner = prepared(2, (db, brandId: string, mchid: string) =>
  db
    .selectFrom('brand_partners')
    .select('mchid')
    .where('brand_id', '=', brandId)
    .where('mchid', '=', mchid),
)

/**
 * E15 steps 4, 5a and 5b in one statement: the brand's authorisation of the partner, the
 * partner the AppID is bound to, and whether the openid is a user of that AppID.
 */
export const selectUserScope = prepared(
  4,
  (db, brandId: string, mchid: string, appid: string, openid: string) =>
    db.selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('brand_partners')
            .select('mchid')
            .where('brand_id', '=', brandId)
            .where('mchid', '=', mchid),
        )
        .as('brand'),
      eb.selectFrom('appids').select('mchid').where('appid', '=', appid).as('appid_mchid'),
      eb
        .exists(
          eb
            .selectFrom('openids')
            .select('openid')
            .where('appid', '=', appid)
            .where('openid', '=', openid),
        )
        .as('openid'),
    ]),
)

export const selectAppId = prepared(1, (db, appid: string) =>
  db.selectFrom('appids').selectAll().where('appid', '=', appid),
)

export const selectOpenId = prepared(2, (db, appid: string, openid: string) =>
  db.selectFrom('openids').select('openid').where('appid', '=', appid).where('openid', '=', openid),
)

export const selectProductCoupon = prepared(1, (db, id: string) =>
  db.selectFrom('product_coupons').selectAll().where('product_coupon_id', '=', id),
)

/** With `lock`, the row stays locked until the transaction ends (PostgreSQL). */
const stock = (lock: boolean) =>
  prepared(1, (db, id: string) => {
    const q = db.selectFrom('stocks').selectAll().where('stock_id', '=', id)
    return lock ? q.forUpdate() : q
  })

export const selectStock = stock(false)
export const selectStockForUpdate = stock(true)

const userCoupon = (lock: boolean) =>
  prepared(2, (db, stockId: string, code: string) => {
    const q = db
      .selectFrom('user_coupons')
      .selectAll()
      .where('stock_id', '=', stockId)
      .where('coupon_code', '=', code)
    return lock ? q.forUpdate() : q
  })

export const selectUserCoupon = userCoupon(false)
export const selectUserCouponForUpdate = userCoupon(true)

export const selectIdempotency = prepared(
  3,
  (db, brandId: string, operation: string, requestNo: string) =>
    db
      .selectFrom('idempotency')
      .selectAll()
      .where('brand_id', '=', brandId)
      .where('operation', '=', operation)
      .where('request_no', '=', requestNo),
)

type IdempotencyRow = Database['idempotency']
const IDEMPOTENCY_COLUMNS = [
  'brand_id',
  'operation',
  'request_no',
  'fingerprint',
  'resource_id',
  'snapshot',
  'created_at',
] as const satisfies readonly (keyof IdempotencyRow)[]

export const insertIdempotency = prepared(
  IDEMPOTENCY_COLUMNS.length,
  (db, ...v: IdempotencyRow[keyof IdempotencyRow][]) =>
    db.insertInto('idempotency').values(columns(IDEMPOTENCY_COLUMNS, v) as IdempotencyRow),
)

export const idempotencyValues = (row: IdempotencyRow) => IDEMPOTENCY_COLUMNS.map((c) => row[c])

type CouponRow = Database['user_coupons']
/** Every column an update may change: the key and created_at stay as they were. */
const COUPON_UPDATE_COLUMNS = [
  'product_coupon_id',
  'brand_id',
  'mchid',
  'openid',
  'appid',
  'state',
  'valid_begin',
  'valid_end',
  'receive_time',
  'doc',
  'version',
  'issue_seq',
  'updated_at',
] as const satisfies readonly (keyof CouponRow)[]

/** Arguments: the update columns in order, then stock_id, coupon_code and the prior version. */
export const updateUserCoupon = prepared(
  COUPON_UPDATE_COLUMNS.length + 3,
  (db, ...v: CouponRow[keyof CouponRow][]) => {
    const n = COUPON_UPDATE_COLUMNS.length
    return db
      .updateTable('user_coupons')
      .set(columns(COUPON_UPDATE_COLUMNS, v) as Partial<CouponRow>)
      .where('stock_id', '=', v[n] as string)
      .where('coupon_code', '=', v[n + 1] as string)
      .where('version', '=', v[n + 2] as number)
  },
)

export const couponUpdateValues = (row: CouponRow, priorVersion: number) => [
  ...COUPON_UPDATE_COLUMNS.map((c) => row[c]),
  row.stock_id,
  row.coupon_code,
  priorVersion,
]

function columns(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(names.map((c, i) => [c, values[i]]))
}
