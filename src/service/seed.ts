import { hash } from 'node:crypto'
import { wxError } from '../domain/errors.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import { checkSend, countSent, stockTerms } from '../domain/send.ts'
import { DEFAULT_BEHAVIOUR } from '../domain/settings.ts'
import { DAY, formatRfc3339 } from '../domain/time.ts'
import {
  confirmCoupon,
  issueCoupon,
  type ModeContext,
  type UserCoupon,
  useCoupon,
} from '../domain/user-coupon.ts'
import type { IdempotencyRecord, StoreTx } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'
import { createProductCoupon } from './create-product-coupon.ts'
import { canonicalJson } from './fingerprint.ts'
import { newOpenId } from './ids.ts'
import { DEFAULT_BATCH, SEED_STATES, type SeedState } from './seed-options.ts'

export { DEFAULT_BATCH, SEED_STATES, type SeedState } from './seed-options.ts'

/**
 * `wxcoupon seed`: many user coupons at once, written straight through the store, for
 * benchmarks that need a database of realistic size. The product coupon and stock are made by
 * the API's own service; each coupon goes through the domain's issue → confirm → use, so its
 * row is what the send/confirm/use endpoints would have stored, and with `ledger` so are their
 * request numbers (a replay of them answers as it would for a sent coupon). Stock counters
 * move in the same transaction as each batch. No SEND callbacks are written: they would queue
 * a million deliveries to the partner's notify URL; a seeded coupon stands for one whose
 * callback was delivered long ago.
 */

export interface SeedTenant {
  mchid: string
  brandId: string
  appid: string
}

export interface SeedOptions {
  coupons: number
  /** Users the coupons are spread over (default: one per 10 coupons). */
  users?: number
  /** Coupon i is in `states[i % states.length]`; repeat a state to weight it. */
  states?: readonly SeedState[]
  /** The stock's max_count (default: exactly `coupons`). */
  maxCount?: number
  /** Coupons per transaction (default DEFAULT_BATCH). */
  batchSize?: number
  /**
   * Also remember the request numbers of each coupon's send, confirm and use, so a replay of
   * them answers as for a sent coupon. Off by default: three more rows per coupon, close to
   * twice the time, and nothing a benchmark of the coupon endpoints reads.
   */
  ledger?: boolean
  onProgress?: (done: number, total: number) => void
}

/**
 * How to address every seeded coupon without a list of a million: coupon i (0 ≤ i < count)
 * has code `String(code_base + i)`, belongs to `openids[Math.floor(i * users / count)]` and
 * is in state `states[i % states.length]` (seededCoupon below).
 */
export interface SeedSummary {
  database: 'sqlite' | 'postgres'
  mchid: string
  brand_id: string
  appid: string
  product_coupon_id: string
  stock_id: string
  count: number
  users: number
  code_base: number
  states: SeedState[]
  openids: string[]
  /** Business time (RFC 3339) at which every coupon was received, confirmed and used. */
  time: string
  /**
   * The request numbers coupon i carries, `{i}` being i padded to 9 digits, and the
   * transaction_id of its use (i padded to 13). `ledger`: remembered for replays too.
   */
  request_nos: { send: string; confirm: string; use: string; transaction_id: string }
  ledger: boolean
  /** Rows written: users, coupons and request numbers. */
  rows: number
  elapsed_ms: number
  /** Coupons per second. */
  rate: number
}

/** 12 digits like WeChat Pay's own codes; a fresh stock per seed keeps them unique. */
export const CODE_BASE = 100_000_000_000
const MAX_COUPONS = 100_000_000

export async function seedCoupons(
  deps: ServiceDeps,
  tenant: SeedTenant,
  opts: SeedOptions,
): Promise<SeedSummary> {
  const started = Date.now()
  const count = opts.coupons
  const users = opts.users ?? Math.max(1, Math.ceil(count / 10))
  const states = [...(opts.states ?? ['USED'])]
  const ledger = opts.ledger ?? false
  const batchSize = opts.batchSize ?? DEFAULT_BATCH
  const maxCount = opts.maxCount ?? count
  check(count, users, states, batchSize, maxCount)
  const { store } = deps
  if (!(await store.read.isBrandAuthorized(tenant.brandId, tenant.mchid)))
    throw new Error(`brand ${tenant.brandId} has not authorised partner ${tenant.mchid}`)
  if ((await store.read.getAppId(tenant.appid))?.mchid !== tenant.mchid)
    throw new Error(`AppID ${tenant.appid} is not bound to partner ${tenant.mchid}`)

  const now = deps.clock.seconds()
  const { pc, stock } = await createTarget(deps, tenant, now, maxCount)
  const openids = await addUsers(deps, tenant.appid, users, batchSize)
  const lastSeq = await store.transaction((tx) => tx.nextSequence('user_coupon', count))
  const layout = { count, users, code_base: CODE_BASE, states, openids }
  const firstSeq = lastSeq - count + 1
  const make = couponMaker({ pc, stock, now, appid: tenant.appid, layout, firstSeq })
  let rows = users
  for (let from = 0; from < count; from += batchSize) {
    // Built outside the transaction: a server writing to the same SQLite file gets the lock
    // while the next batch is built, so it waits at most for one batch's inserts.
    const coupons: UserCoupon[] = []
    const records: IdempotencyRecord[] = []
    for (let i = from; i < Math.min(count, from + batchSize); i++) {
      const c = make(i)
      coupons.push(c)
      if (ledger) ledgerOf(c, records)
    }
    await store.transaction(async (tx) => {
      await sendFrom(tx, pc, stock.id, coupons.length, now)
      await tx.insertUserCoupons(coupons)
      if (records.length > 0) await tx.insertIdempotencyRecords(records)
    })
    rows += coupons.length + records.length
    opts.onProgress?.(from + coupons.length, count)
  }
  const elapsed = Date.now() - started
  return {
    database: store.reportName,
    mchid: tenant.mchid,
    brand_id: tenant.brandId,
    appid: tenant.appid,
    product_coupon_id: pc.id,
    stock_id: stock.id,
    count,
    users,
    code_base: CODE_BASE,
    states,
    openids,
    time: formatRfc3339(now),
    request_nos: make.names.templates,
    ledger,
    rows,
    elapsed_ms: elapsed,
    rate: Math.round((count * 1000) / Math.max(1, elapsed)),
  }
}

/** Coupon i of a seed, as the summary describes it. */
export function seededCoupon(
  s: Pick<SeedSummary, 'count' | 'users' | 'code_base' | 'states' | 'openids'>,
  i: number,
): { coupon_code: string; openid: string; state: SeedState } {
  return {
    coupon_code: String(s.code_base + i),
    openid: s.openids[Math.floor((i * s.users) / s.count)] ?? '',
    state: s.states[i % s.states.length] ?? 'USED',
  }
}

function check(
  count: number,
  users: number,
  states: string[],
  batchSize: number,
  maxCount: number,
): void {
  const whole = (n: number, max: number) => Number.isSafeInteger(n) && n >= 1 && n <= max
  // max_count's own range (schemas/coupon-config.ts) bounds both.
  if (!whole(count, MAX_COUPONS)) throw new Error(`coupons must be from 1 to ${MAX_COUPONS}`)
  if (!whole(maxCount, MAX_COUPONS) || maxCount < count)
    throw new Error(`max count must be from the number of coupons to ${MAX_COUPONS}`)
  if (!whole(users, count)) throw new Error('users must be from 1 to the number of coupons')
  if (!whole(batchSize, 1_000_000)) throw new Error('batch size must be from 1 to 1000000')
  if (states.length === 0 || states.some((s) => !(SEED_STATES as readonly string[]).includes(s)))
    throw new Error(`states must be among ${SEED_STATES.join(', ')}`)
}

/** E3 exactly as an integrator would call it: a SINGLE coupon valid from yesterday for 180 days. */
async function createTarget(
  deps: ServiceDeps,
  tenant: SeedTenant,
  now: number,
  maxCount: number,
): Promise<{ pc: ProductCoupon; stock: Stock }> {
  // Approved at creation whatever the server's approval setting: seeded coupons need SENDING.
  const created = await createProductCoupon(
    { ...deps, settings: { ...deps.settings, approval: DEFAULT_BEHAVIOUR.approval } },
    { mchid: tenant.mchid },
    {
      out_request_no: `SEED${now}${deps.random(6).toString('hex')}`,
      brand_id: tenant.brandId,
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'SINGLE',
      single_usage_info: { normal_coupon: { threshold: 10_000, discount_amount: 1_000 } },
      display_info: { name: '满100减10', image_url: 'https://a/i', background_url: 'https://a/b' },
      stock: {
        coupon_code_mode: 'WECHATPAY',
        stock_send_rule: { max_count: maxCount },
        single_usage_rule: {
          coupon_available_period: {
            available_begin_time: formatRfc3339(now - DAY),
            available_end_time: formatRfc3339(now + 180 * DAY),
          },
        },
        usage_rule_display_info: {
          coupon_usage_method_list: ['OFFLINE'],
          usage_description: 'seeded',
        },
        coupon_display_info: { code_display_mode: 'QRCODE' },
        notify_config: { notify_appid: tenant.appid },
        store_scope: 'NONE',
      },
    },
  )
  const [pc, stock] = await Promise.all([
    deps.store.read.getProductCoupon(created.product_coupon_id),
    deps.store.read.getStock(created.stock.stock_id),
  ])
  if (!pc || !stock) throw new Error('the product coupon just created is missing')
  return { pc, stock }
}

/**
 * Fresh users under the AppID, ascending: coupon i's user grows with i, so each batch adds to
 * one narrow stretch of the per-user indexes instead of dirtying pages all over them. The
 * random part is shared and the tail is digits, so every collation orders them alike.
 */
async function addUsers(
  deps: ServiceDeps,
  appid: string,
  users: number,
  batchSize: number,
): Promise<string[]> {
  const prefix = newOpenId(deps.random).slice(0, 18)
  const openids = Array.from({ length: users }, (_, u) => `${prefix}${String(u).padStart(10, '0')}`)
  for (let from = 0; from < users; from += batchSize) {
    const chunk = openids.slice(from, from + batchSize)
    await deps.store.transaction((tx) => tx.insertOpenIds(appid, chunk))
  }
  return openids
}

/**
 * The send API's rules and counters (domain/send.ts) for `n` coupons at once. The seeder's
 * own stock has WECHATPAY codes and no per-user limit, so neither a code nor a count is
 * looked up here.
 */
async function sendFrom(
  tx: StoreTx,
  pc: ProductCoupon,
  stockId: string,
  n: number,
  now: number,
): Promise<void> {
  const stock = await tx.lockStock(stockId)
  if (!stock) throw wxError('STOCK_NOT_SENDING')
  checkSend(pc, stock, now, undefined, n)
  await tx.updateStock(countSent(stock, now, n, false))
}

interface Names {
  send(i: number): string
  confirm(i: number): string
  use(i: number): string
  transactionId(i: number): string
  templates: SeedSummary['request_nos']
}

function namesFor(stockId: string): Names {
  // Zero-padded so that request numbers ascend with i, like codes and users.
  const at = (i: number) => String(i).padStart(9, '0')
  return {
    send: (i) => `SD${stockId}S${at(i)}`,
    confirm: (i) => `SD${stockId}C${at(i)}`,
    use: (i) => `SD${stockId}U${at(i)}`,
    transactionId: (i) => `42${stockId}${String(i).padStart(13, '0')}`,
    templates: {
      send: `SD${stockId}S{i}`,
      confirm: `SD${stockId}C{i}`,
      use: `SD${stockId}U{i}`,
      transaction_id: `42${stockId}{i}`,
    },
  }
}

function couponMaker(p: {
  pc: ProductCoupon
  stock: Stock
  now: number
  appid: string
  layout: Parameters<typeof seededCoupon>[0]
  firstSeq: number
}): ((i: number) => UserCoupon) & { names: Names } {
  const { pc, stock, now } = p
  const names = namesFor(stock.id)
  const terms = stockTerms(pc, stock, now)
  const ctx: ModeContext = { now, usageMode: pc.config.usage_mode, settings: DEFAULT_BEHAVIOUR }
  const make = (i: number): UserCoupon => {
    const { coupon_code, openid, state } = seededCoupon(p.layout, i)
    let c = issueCoupon({
      ...terms,
      couponCode: coupon_code,
      openid,
      appid: p.appid,
      sendRequestNo: names.send(i),
      issueSeq: p.firstSeq + i,
    })
    if (state === 'CONFIRMING') return c
    c = confirmCoupon(c, names.confirm(i), now)
    if (state === 'EFFECTIVE') return c
    const order = { transaction_id: names.transactionId(i) }
    return useCoupon(c, { requestNo: names.use(i), useTime: now, order }, ctx)
  }
  return Object.assign(make, { names })
}

/**
 * The request numbers the endpoints would have remembered, with the fingerprints they would
 * have computed (service/fingerprint.ts: SHA-256 of the key-sorted JSON of the extras and the
 * schema-known body). The JSON is spelled out with its keys already in order because the
 * generic path costs more than the insert itself at this scale; seed.test.ts holds the two
 * equal.
 */
export function ledgerOf(c: UserCoupon, out: IdempotencyRecord[]): void {
  const q = JSON.stringify
  const resourceId = `${c.stockId}/${c.couponCode}`
  const record = (operation: string, requestNo: string, json: string) =>
    out.push({
      brandId: c.brandId,
      operation,
      requestNo,
      fingerprint: hash('sha256', json, 'base64url'),
      resourceId,
    })
  const appid = `"appid":${q(c.appid)}`
  const brand = `"brand_id":${q(c.brandId)}`
  const ids = `"product_coupon_id":${q(c.productCouponId)},"stock_id":${q(c.stockId)}`
  const who = `"mchid":${q(c.mchid)},"openid":${q(c.openid)}`
  const sendNo = q(c.sendRequestNo)
  const pcId = `"product_coupon_id":${q(c.productCouponId)}`
  record(
    'send',
    c.sendRequestNo,
    `{"body":{${appid},${brand},${pcId},"send_request_no":${sendNo},"stock_id":${q(c.stockId)}},${who}}`,
  )
  if (!c.confirm) return
  const coupon = `"coupon_code":${q(c.couponCode)},${who}`
  const confirmNo = c.confirm.requestNo
  const confirmBody = `${appid},${brand},"out_request_no":${q(confirmNo)},${ids}`
  record('confirm', confirmNo, `{"body":{${confirmBody}},${coupon}}`)
  const use = c.single?.use
  if (!use) return
  const order = `"associated_order_info":${canonicalJson(use.order)}`
  const useBody = `${appid},${order},${brand},"out_request_no":${q(use.requestNo)},${ids},"use_time":${q(rfc3339(use.time))}`
  record('use', use.requestNo, `{"body":{${useBody}},${coupon}}`)
}

/** Every seeded coupon shares one use time: format it once, not a million times. */
let lastTime = { t: Number.NaN, text: '' }
function rfc3339(t: number): string {
  if (lastTime.t !== t) lastTime = { t, text: formatRfc3339(t) }
  return lastTime.text
}
