import { CompiledQuery, type Kysely, type Migration, Migrator, sql } from 'kysely'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'
import * as hot from './hot-queries.ts'
import * as m001 from './migrations/001-initial.ts'
import * as m002 from './migrations/002-coupon-codes.ts'
import * as m003 from './migrations/003-notifications.ts'
import * as m004 from './migrations/004-rate-counters.ts'
import {
  idempotencyRow,
  nowSeconds,
  productCouponRow,
  stateAt,
  stockRow,
  toAttempt,
  toNotification,
  toProductCoupon,
  toStock,
  toUserCoupon,
  userCouponRow,
} from './rows.ts'
import type { Database } from './schema.ts'
import {
  type AppIdBinding,
  type BrandRecord,
  type DeliveryAttempt,
  type IdempotencyRecord,
  type NotificationRecord,
  type NotificationState,
  type Partner,
  type PartnerCert,
  type PlatformKey,
  type Store,
  StoreConflict,
  type StoreTx,
  type UserCouponFilter,
} from './store.ts'

/**
 * The store written once over Kysely. Dialects differ only in what `Capabilities` says and in
 * how a transaction is opened (sqlite.ts, later postgres.ts); every query here is plain SQL
 * both accept.
 */
export interface Capabilities {
  /** `SELECT … FOR UPDATE` exists (PostgreSQL); SQLite's single writer makes it unnecessary. */
  readonly rowLocks: boolean
  /** Recognises a unique-key violation in a driver error. */
  isUniqueViolation(e: unknown): boolean
  /** Errors after which the whole transaction may simply run again. */
  isTransient(e: unknown): boolean
}

/**
 * Bulk inserts (seeding). SQLite: multi-row VALUES, bound parameters per statement well under
 * its 32,766 limit. PostgreSQL: one array per column through unnest, so the server parses a
 * handful of parameters instead of one per value, which doubles its rate.
 */
const BIND_LIMIT = 8_000
const UNNEST_ROWS = 5_000

const insertTexts = new Map<string, string>()

function insertText(table: string, columns: string[], rows: number): string {
  const key = `${table}|${columns.join()}|${rows}`
  let text = insertTexts.get(key)
  if (!text) {
    const tuple = `(${columns.map(() => '?').join(', ')})`
    text = `insert into ${table} (${columns.join(', ')}) values ${Array(rows).fill(tuple).join(', ')}`
    insertTexts.set(key, text)
  }
  return text
}

function unnestText(table: string, columns: string[], types: string[]): string {
  const arrays = types.map((t, i) => `$${i + 1}::${t}[]`)
  return `insert into ${table} (${columns.join(', ')}) select * from unnest(${arrays.join(', ')})`
}

export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-coupon-codes': m002,
  '003-notifications': m003,
  '004-rate-counters': m004,
}

/** Queries over one executor: the pool for plain reads, a connection inside a transaction. */
export class KyselyQueries implements StoreTx {
  readonly #db: Kysely<Database>
  readonly #caps: Capabilities
  readonly #kind: Store['kind']

  constructor(db: Kysely<Database>, caps: Capabilities, kind: Store['kind']) {
    this.#db = db
    this.#caps = caps
    this.#kind = kind
  }

  async lockNamed(name: string): Promise<void> {
    if (this.#caps.rowLocks)
      await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(this.#db)
  }

  async getPlatformKey(): Promise<PlatformKey | undefined> {
    const r = await this.#db
      .selectFrom('platform_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return (
      r && { keyId: r.key_id, privateKeyPem: r.private_key_pem, publicKeyPem: r.public_key_pem }
    )
  }

  async getPartner(mchid: string): Promise<Partner | undefined> {
    const [r] = (await hot.selectPartner(this.#db, this.#kind, mchid)).rows
    return r && { mchid: r.mchid, apiv3Key: r.apiv3_key }
  }

  async getPartnerCert(mchid: string, serialNo: string): Promise<PartnerCert | undefined> {
    const [r] = (await hot.selectPartnerCert(this.#db, this.#kind, mchid, serialNo)).rows
    return r && { mchid: r.mchid, serialNo: r.serial_no, publicKeyPem: r.public_key_pem }
  }

  async brandExists(brandId: string): Promise<boolean> {
    const r = await this.#db
      .selectFrom('brands')
      .select('brand_id')
      .where('brand_id', '=', brandId)
      .executeTakeFirst()
    return r !== undefined
  }

  async isBrandAuthorized(brandId: string, mchid: string): Promise<boolean> {
    const { rows } = await hot.selectBrandPartner(this.#db, this.#kind, brandId, mchid)
    return rows.length > 0
  }

  async getAppId(appid: string): Promise<AppIdBinding | undefined> {
    const [r] = (await hot.selectAppId(this.#db, this.#kind, appid)).rows
    if (!r) return undefined
    const b: AppIdBinding = { appid: r.appid }
    if (r.mchid !== null) b.mchid = r.mchid
    if (r.brand_id !== null) b.brandId = r.brand_id
    return b
  }

  async hasOpenId(appid: string, openid: string): Promise<boolean> {
    const { rows } = await hot.selectOpenId(this.#db, this.#kind, appid, openid)
    return rows.length > 0
  }

  async getProductCoupon(id: string): Promise<ProductCoupon | undefined> {
    const [r] = (await hot.selectProductCoupon(this.#db, this.#kind, id)).rows
    return r && toProductCoupon(r)
  }

  getStock(id: string): Promise<Stock | undefined> {
    return this.#stock(id, false)
  }

  lockStock(id: string): Promise<Stock | undefined> {
    return this.#stock(id, this.#caps.rowLocks)
  }

  async #stock(id: string, forUpdate: boolean): Promise<Stock | undefined> {
    const q = forUpdate ? hot.selectStockForUpdate : hot.selectStock
    const [r] = (await q(this.#db, this.#kind, id)).rows
    return r && toStock(r)
  }

  getUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined> {
    return this.#userCoupon(stockId, couponCode, false)
  }

  lockUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined> {
    return this.#userCoupon(stockId, couponCode, this.#caps.rowLocks)
  }

  async #userCoupon(
    stockId: string,
    couponCode: string,
    forUpdate: boolean,
  ): Promise<UserCoupon | undefined> {
    const q = forUpdate ? hot.selectUserCouponForUpdate : hot.selectUserCoupon
    const [r] = (await q(this.#db, this.#kind, stockId, couponCode)).rows
    return r && toUserCoupon(r)
  }

  async countUserCoupons(stockId: string, openid: string): Promise<number> {
    const r = await this.#db
      .selectFrom('user_coupons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('stock_id', '=', stockId)
      .where('openid', '=', openid)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async getIdempotency(brandId: string, operation: string, requestNo: string) {
    const [r] = (await hot.selectIdempotency(this.#db, this.#kind, brandId, operation, requestNo))
      .rows
    if (!r) return undefined
    const rec: IdempotencyRecord = {
      brandId: r.brand_id,
      operation: r.operation,
      requestNo: r.request_no,
      fingerprint: r.fingerprint,
      resourceId: r.resource_id,
    }
    if (r.snapshot !== null) rec.snapshot = r.snapshot
    return rec
  }

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.#db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst()
    return r?.value
  }

  async nextSequence(name: string, count = 1): Promise<number> {
    const r = await this.#db
      .insertInto('sequences')
      .values({ name, value: count })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`sequences.value + ${count}` }))
      .returning('value')
      .executeTakeFirstOrThrow()
    return Number(r.value)
  }

  async insertPlatformKey(key: PlatformKey): Promise<void> {
    await this.#db
      .insertInto('platform_keys')
      .values({
        key_id: key.keyId,
        private_key_pem: key.privateKeyPem,
        public_key_pem: key.publicKeyPem,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async insertPartner(p: Partner): Promise<void> {
    await this.#db
      .insertInto('partners')
      .values({ mchid: p.mchid, apiv3_key: p.apiv3Key, created_at: nowSeconds() })
      .execute()
  }

  async insertPartnerCert(c: PartnerCert): Promise<void> {
    await this.#db
      .insertInto('partner_certs')
      .values({
        mchid: c.mchid,
        serial_no: c.serialNo,
        public_key_pem: c.publicKeyPem,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async insertBrand(brandId: string): Promise<void> {
    await this.#db
      .insertInto('brands')
      .values({ brand_id: brandId, created_at: nowSeconds() })
      .execute()
  }

  async authorizeBrand(brandId: string, mchid: string): Promise<void> {
    await this.#db
      .insertInto('brand_partners')
      .values({ brand_id: brandId, mchid })
      .onConflict((oc) => oc.columns(['brand_id', 'mchid']).doNothing())
      .execute()
  }

  async insertAppId(b: AppIdBinding): Promise<void> {
    await this.#db
      .insertInto('appids')
      .values({
        appid: b.appid,
        mchid: b.mchid ?? null,
        brand_id: b.brandId ?? null,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async insertOpenId(appid: string, openid: string): Promise<void> {
    await this.#db
      .insertInto('openids')
      .values({ appid, openid, created_at: nowSeconds() })
      .execute()
  }

  async insertProductCoupon(pc: ProductCoupon): Promise<void> {
    await this.#db.insertInto('product_coupons').values(productCouponRow(pc)).execute()
  }

  async updateProductCoupon(pc: ProductCoupon): Promise<void> {
    const { product_coupon_id, created_at: _c, ...row } = productCouponRow(pc)
    await this.#db
      .updateTable('product_coupons')
      .set(row)
      .where('product_coupon_id', '=', product_coupon_id)
      .execute()
  }

  async insertStock(s: Stock): Promise<void> {
    await this.#db.insertInto('stocks').values(stockRow(s)).execute()
  }

  async updateStock(s: Stock): Promise<void> {
    const { stock_id, created_at: _c, ...row } = stockRow(s)
    await this.#db.updateTable('stocks').set(row).where('stock_id', '=', stock_id).execute()
  }

  async insertUserCoupon(c: UserCoupon): Promise<void> {
    await this.#guardUnique(this.#db.insertInto('user_coupons').values(userCouponRow(c)).execute())
  }

  async updateUserCoupon(c: UserCoupon): Promise<void> {
    const values = hot.couponUpdateValues(userCouponRow(c), c.version - 1)
    const r = await hot.updateUserCoupon(this.#db, this.#kind, ...values)
    if (Number(r.numAffectedRows) !== 1) throw new StoreConflict(`coupon ${c.couponCode} changed`)
  }

  async insertIdempotency(rec: IdempotencyRecord): Promise<void> {
    const values = hot.idempotencyValues(idempotencyRow(rec, nowSeconds()))
    await this.#guardUnique(hot.insertIdempotency(this.#db, this.#kind, ...values))
  }

  async insertUserCoupons(coupons: readonly UserCoupon[]): Promise<void> {
    await this.#insertMany('user_coupons', coupons.map(userCouponRow))
  }

  async insertIdempotencyRecords(records: readonly IdempotencyRecord[]): Promise<void> {
    const t = nowSeconds()
    await this.#insertMany(
      'idempotency',
      records.map((rec) => idempotencyRow(rec, t)),
    )
  }

  async insertOpenIds(appid: string, openids: readonly string[]): Promise<void> {
    const t = nowSeconds()
    await this.#insertMany(
      'openids',
      openids.map((openid) => ({ appid, openid, created_at: t })),
    )
  }

  /** At a million rows the query builder's cost per value would outweigh the database's. */
  async #insertMany<T extends keyof Database>(table: T, rows: Database[T][]): Promise<void> {
    const first = rows[0]
    if (!first) return
    const columns = Object.keys(first) as (keyof Database[T] & string)[]
    if (this.#kind === 'postgres') {
      const isNumber = (c: keyof Database[T]) =>
        typeof rows.find((r) => r[c] !== null)?.[c] === 'number'
      const types = columns.map((c) => (isNumber(c) ? 'bigint' : 'text'))
      const text = unnestText(table, columns, types)
      for (let i = 0; i < rows.length; i += UNNEST_ROWS) {
        const chunk = rows.slice(i, i + UNNEST_ROWS)
        const params = columns.map((c) => chunk.map((row) => row[c]))
        await this.#guardUnique(this.#db.executeQuery(CompiledQuery.raw(text, params)))
      }
      return
    }
    const perStatement = Math.max(1, Math.floor(BIND_LIMIT / columns.length))
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement)
      const params: unknown[] = []
      for (const row of chunk) for (const c of columns) params.push(row[c])
      const text = insertText(table, columns, chunk.length)
      await this.#guardUnique(this.#db.executeQuery(CompiledQuery.raw(text, params)))
    }
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.#db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  async listStocks(productCouponId: string): Promise<Stock[]> {
    const rows = await this.#db
      .selectFrom('stocks')
      .selectAll()
      .where('product_coupon_id', '=', productCouponId)
      .orderBy('stock_id')
      .execute()
    return rows.map(toStock)
  }

  async listUserCoupons(
    f: UserCouponFilter,
    page: { after?: number; limit: number },
  ): Promise<{ total: number; items: UserCoupon[] }> {
    let q = this.#db
      .selectFrom('user_coupons')
      .where('mchid', '=', f.mchid)
      .where('brand_id', '=', f.brandId)
      .where('openid', '=', f.openid)
      .where('appid', '=', f.appid)
    if (f.productCouponId !== undefined) q = q.where('product_coupon_id', '=', f.productCouponId)
    if (f.stockId !== undefined) q = q.where('stock_id', '=', f.stockId)
    if (f.state !== undefined) {
      const state = f.state
      q = q.where((eb) => stateAt(eb, state, f.now))
    }
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    let items = q.selectAll()
    if (page.after !== undefined) items = items.where('issue_seq', '<', page.after)
    const rows = await items.orderBy('issue_seq', 'desc').limit(page.limit).execute()
    return { total: Number(n), items: rows.map(toUserCoupon) }
  }

  async listPartners(): Promise<(Partner & { serialNos: string[] })[]> {
    const partners = await this.#db.selectFrom('partners').selectAll().orderBy('mchid').execute()
    const certs = await this.#db
      .selectFrom('partner_certs')
      .select(['mchid', 'serial_no'])
      .execute()
    return partners.map((p) => ({
      mchid: p.mchid,
      apiv3Key: p.apiv3_key,
      serialNos: certs.filter((c) => c.mchid === p.mchid).map((c) => c.serial_no),
    }))
  }

  async listBrands(): Promise<BrandRecord[]> {
    const brands = await this.#db
      .selectFrom('brands')
      .select('brand_id')
      .orderBy('brand_id')
      .execute()
    const links = await this.#db.selectFrom('brand_partners').selectAll().orderBy('mchid').execute()
    return brands.map((b) => ({
      brandId: b.brand_id,
      mchids: links.filter((l) => l.brand_id === b.brand_id).map((l) => l.mchid),
    }))
  }

  async listAppIds(): Promise<AppIdBinding[]> {
    const rows = await this.#db.selectFrom('appids').selectAll().orderBy('created_at').execute()
    return rows.map((r) => ({
      appid: r.appid,
      ...(r.mchid === null ? {} : { mchid: r.mchid }),
      ...(r.brand_id === null ? {} : { brandId: r.brand_id }),
    }))
  }

  async insertCouponCodes(stockId: string, codes: string[]): Promise<string[]> {
    const added: string[] = []
    const t = nowSeconds()
    for (const code of codes) {
      const r = await this.#db
        .insertInto('coupon_codes')
        .values({ stock_id: stockId, code, used: 0, created_at: t })
        .onConflict((oc) => oc.columns(['stock_id', 'code']).doNothing())
        .executeTakeFirst()
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) added.push(code)
    }
    return added
  }

  async takeCouponCode(
    stockId: string,
    pick: (available: number) => number,
  ): Promise<string | undefined> {
    const available = this.#db
      .selectFrom('coupon_codes')
      .where('stock_id', '=', stockId)
      .where('used', '=', 0)
    const { n } = await available
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    if (Number(n) === 0) return undefined
    let q = available
      .select('code')
      .orderBy('code')
      .limit(1)
      .offset(pick(Number(n)))
    if (this.#caps.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (!row) return undefined
    const r = await this.#db
      .updateTable('coupon_codes')
      .set({ used: 1 })
      .where('stock_id', '=', stockId)
      .where('code', '=', row.code)
      .where('used', '=', 0)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw new StoreConflict(`code ${row.code} taken`)
    return row.code
  }

  async revokeBrand(brandId: string, mchid: string): Promise<void> {
    await this.#db
      .deleteFrom('brand_partners')
      .where('brand_id', '=', brandId)
      .where('mchid', '=', mchid)
      .execute()
  }

  async deleteAppId(appid: string): Promise<void> {
    await this.#db.deleteFrom('appids').where('appid', '=', appid).execute()
  }

  async deleteCouponData(): Promise<void> {
    for (const table of [
      'notification_attempts',
      'notifications',
      'user_coupons',
      'coupon_codes',
      'stocks',
      'product_coupons',
      'idempotency',
    ] as const) {
      await this.#db.deleteFrom(table).execute()
    }
  }

  async getNotifyConfig(mchid: string) {
    const r = await this.#db
      .selectFrom('notify_configs')
      .selectAll()
      .where('mchid', '=', mchid)
      .executeTakeFirst()
    return r && { notifyUrl: r.notify_url, updateTime: Number(r.update_time) }
  }

  async setNotifyConfig(mchid: string, notifyUrl: string, updateTime: number): Promise<void> {
    await this.#db
      .insertInto('notify_configs')
      .values({ mchid, notify_url: notifyUrl, update_time: updateTime })
      .onConflict((oc) =>
        oc.column('mchid').doUpdateSet({ notify_url: notifyUrl, update_time: updateTime }),
      )
      .execute()
  }

  async getNotification(id: string): Promise<NotificationRecord | undefined> {
    const r = await this.#db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return r && toNotification(r)
  }

  async listNotifications(f: { mchid?: string; state?: NotificationState; limit: number }) {
    let q = this.#db.selectFrom('notifications').selectAll()
    if (f.mchid !== undefined) q = q.where('mchid', '=', f.mchid)
    if (f.state !== undefined) q = q.where('state', '=', f.state)
    const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute()
    if (rows.length === 0) return []
    const attempts = await this.#db
      .selectFrom('notification_attempts')
      .selectAll()
      .where(
        'notification_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt_no')
      .execute()
    return rows.map((r) => ({
      ...toNotification(r),
      attemptList: attempts.filter((a) => a.notification_id === r.id).map(toAttempt),
    }))
  }

  async insertNotification(n: Omit<NotificationRecord, 'seq' | 'attempts' | 'state'>) {
    await this.#db
      .insertInto('notifications')
      .values({
        id: n.id,
        mchid: n.mchid,
        event_type: n.eventType,
        create_time: n.createTime,
        payload: n.payload,
        state: 'PENDING',
        attempts: 0,
        next_attempt_at: n.nextAttemptAt,
        lease_until: 0,
        seq: await this.nextSequence('notification'),
      })
      .execute()
  }

  async claimDueNotifications(p: {
    dueBy: number
    realNow: number
    leaseUntil: number
    limit: number
  }): Promise<NotificationRecord[]> {
    let q = this.#db
      .selectFrom('notifications')
      .selectAll()
      .where('state', '=', 'PENDING')
      .where('next_attempt_at', '<=', p.dueBy)
      .where('lease_until', '<=', p.realNow)
      // Nothing is attempted for a partner without a notify URL; setting one releases them.
      .where('mchid', 'in', (eb) => eb.selectFrom('notify_configs').select('mchid'))
      .orderBy('next_attempt_at')
      .limit(p.limit)
    if (this.#caps.rowLocks) q = q.forUpdate().skipLocked()
    const rows = await q.execute()
    for (const r of rows) {
      await this.#db
        .updateTable('notifications')
        .set({ lease_until: p.leaseUntil })
        .where('id', '=', r.id)
        .execute()
    }
    return rows.map(toNotification)
  }

  async recordAttempt(
    a: Omit<DeliveryAttempt, 'attemptNo'>,
    next: { state: NotificationState; nextAttemptAt: number; countsTowardSchedule: boolean },
  ): Promise<number> {
    const { n } = await this.#db
      .selectFrom('notification_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('notification_id', '=', a.notificationId)
      .executeTakeFirstOrThrow()
    const attemptNo = Number(n) + 1
    await this.#db
      .insertInto('notification_attempts')
      .values({
        notification_id: a.notificationId,
        attempt_no: attemptNo,
        at: a.at,
        status: a.status ?? null,
        latency_ms: a.latencyMs,
        error: a.error ?? null,
        kind: a.kind,
      })
      .execute()
    await this.#db
      .updateTable('notifications')
      .set((eb) => ({
        state: next.state,
        next_attempt_at: next.nextAttemptAt,
        lease_until: 0,
        attempts: next.countsTowardSchedule ? eb('attempts', '+', 1) : eb.ref('attempts'),
      }))
      .where('id', '=', a.notificationId)
      .execute()
    return attemptNo
  }

  async bumpCounter(key: string, windowStart: number): Promise<number> {
    const r = await this.#db
      .insertInto('rate_counters')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_counters.count + 1` }),
      )
      .returning('count')
      .executeTakeFirstOrThrow()
    return Number(r.count)
  }

  async pruneCounters(before: number): Promise<void> {
    await this.#db.deleteFrom('rate_counters').where('window_start', '<', before).execute()
  }

  async #guardUnique(p: Promise<unknown>): Promise<void> {
    try {
      await p
    } catch (e) {
      if (this.#caps.isUniqueViolation(e)) throw new StoreConflict('unique key taken', { cause: e })
      throw e
    }
  }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  })
  const { error } = await migrator.migrateToLatest()
  if (error) throw error
}

/** Shared Store shell; a dialect supplies the transaction opener. */
export function kyselyStore(p: {
  kind: Store['kind']
  db: Kysely<Database>
  caps: Capabilities
  inTransaction: <T>(fn: (db: Kysely<Database>) => Promise<T>) => Promise<T>
  close: () => Promise<void>
  maxAttempts?: number
}): Store {
  const maxAttempts = p.maxAttempts ?? 5
  return {
    kind: p.kind,
    read: new KyselyQueries(p.db, p.caps, p.kind),
    migrate: () => migrateToLatest(p.db),
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await p.inTransaction((db) => fn(new KyselyQueries(db, p.caps, p.kind)))
        } catch (e) {
          const retry = e instanceof StoreConflict || p.caps.isTransient(e)
          if (!retry || attempt >= maxAttempts) throw e
        }
      }
    },
    close: p.close,
  }
}
