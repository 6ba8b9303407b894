import type { Revision, UserProductCouponState } from '@wxcoupon/sdk/schemas'
import type { KeyMode, PlatformCertificate } from '../domain/platform-trust.ts'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import type { UserCoupon } from '../domain/user-coupon.ts'

/**
 * The one store interface. SQLite (the embedded default) and PostgreSQL implement it and pass
 * the same contract suite (store-contract.ts); open.ts chooses between them. Nothing above
 * src/store knows which database is underneath: what callers must behave differently on is a
 * named capability of the Store.
 */

export interface PlatformKey {
  keyId: string
  privateKeyPem: string
  publicKeyPem: string
}

export interface Partner {
  mchid: string
  apiv3Key: string
  /** The API revision its requests are validated, decided and answered by; absent: 2025-08. */
  revision?: Revision
}

/** The coupons one bundle send (or bundle pre-send claim) issued, in tier order. */
export interface UserCouponBundleRecord {
  id: string
  mchid: string
  brandId: string
  openid: string
  appid: string
  productCouponId: string
  stockBundleId: string
  coupons: { stockId: string; couponCode: string }[]
  createdAt: number
}

/** A store of a brand (sandbox control; WeChat's brand-store API is not emulated). */
export interface BrandStore {
  storeId: string
  brandId: string
  open: boolean
}

/** A pre-send token: what the claim will issue, until `expiresAt` (sandbox seconds). */
export interface PreSendTokenRecord {
  token: string
  mchid: string
  brandId: string
  expiresAt: number
  /** The coupon (`stock/code`) or user coupon bundle id the claim issued. */
  claimed?: string
  /** The pre-send request: operation, openid and body. */
  request: { operation: string; openid: string; body: Record<string, unknown> }
}

export interface PartnerCert {
  mchid: string
  serialNo: string
  publicKeyPem: string
}

/** A partner's key mode and its settings (domain/platform-trust.ts); absent = public_key. */
export interface PartnerTrustRecord {
  mchid: string
  keyMode: KeyMode
  strictSerial: boolean
  callbackPublicKeyShare: number
  /** Grows with every change of the partner's keys or certificates. */
  version: number
}

/** A platform certificate with the private key that signs under it (never handed out). */
export interface PlatformCertificateRecord extends PlatformCertificate {
  mchid: string
  certificatePem: string
  privateKeyPem: string
}

/** An AppID bound to a partner (partner appid) or associated with a brand (brand appid). */
export interface AppIdBinding {
  appid: string
  mchid?: string
  brandId?: string
}

export interface IdempotencyRecord {
  brandId: string
  operation: string
  requestNo: string
  fingerprint: string
  /** What the first successful request produced: a product coupon id, `stock/code`, … */
  resourceId: string
  /** The response entity as first answered; stored only when replayResponse is 'snapshot'. */
  snapshot?: string
}

/** E13 filters; `state` is the state the clock implies at `now`, not the stored column. */
export interface UserCouponFilter {
  mchid: string
  brandId: string
  openid: string
  appid: string
  productCouponId?: string
  stockId?: string
  state?: UserProductCouponState
  now: number
}

export type NotificationState = 'PENDING' | 'DELIVERED' | 'FAILED'

/** A callback in the outbox; `payload` is the plaintext resource, encrypted at each delivery. */
export interface NotificationRecord {
  id: string
  mchid: string
  eventType: string
  /** Sandbox-clock seconds: the envelope's create_time. */
  createTime: number
  payload: string
  state: NotificationState
  attempts: number
  /** Sandbox-clock milliseconds. */
  nextAttemptAt: number
  seq: number
}

export interface DeliveryAttempt {
  notificationId: string
  attemptNo: number
  /** Real-time milliseconds. */
  at: number
  status?: number
  latencyMs: number
  error?: string
  /** `scheduled`, `redeliver`, or the kind of a deliberately faulty delivery. */
  kind: string
}

export interface BrandRecord {
  brandId: string
  mchids: string[]
}

/** A brand that integrates itself (migration 009): its own partner row, and its WeChat Pay key. */
export interface BrandDirectRecord {
  brandId: string
  /** The partner row that serves it: brand API certificates, brand API key, its objects. */
  mchid: string
  /** `PUB_KEY_ID_` + 32 digits. */
  publicKeyId: string
  privateKeyPem: string
  publicKeyPem: string
}

/** One answered /v3/ request, as the journal keeps it (server/journal/). */
export interface JournalRecord {
  /** Insertion order across every instance on the database. */
  seq: number
  requestId: string
  /** '' when the request did not prove a known partner. */
  mchid: string
  /** Real-time milliseconds. */
  at: number
  /** Sandbox-clock seconds. */
  sandboxTime: number
  method: string
  url: string
  operation?: string
  status: number
  /** The error code of a failure. */
  code?: string
  durationMs: number
  stockId?: string
  couponCode?: string
  outRequestNo?: string
  /** `verified`, `failed` or `not_checked`. */
  verification: string
  /** Headers, bodies and the verification detail, as JSON text. */
  doc: string
}

export interface JournalFilter {
  mchid?: string
  /** Inclusive bounds: one status, or a class such as 400–499. */
  status?: { min: number; max: number }
  operation?: string
  couponCode?: string
  stockId?: string
  requestId?: string
  /** Only entries after (newer than) this seq, or before (older than) it. */
  afterSeq?: number
  beforeSeq?: number
  limit: number
}

/** The console's coupon filters; `state` as the clock implies it at `now`. */
export interface CouponBrowse {
  stockId?: string
  openid?: string
  couponCode?: string
  state?: UserProductCouponState
  now: number
  /** Only coupons issued before this issue number (paging). */
  before?: number
  limit: number
}

/** A user-facing call's tenant checks (E15 steps 4–5b). */
export interface UserScope {
  brandAuthorized: boolean
  /** The partner the AppID is bound to; undefined when unknown or bound to a brand. */
  appidMchid: string | undefined
  openidKnown: boolean
}

export interface StoreReader {
  getPlatformKey(): Promise<PlatformKey | undefined>
  getPartner(mchid: string): Promise<Partner | undefined>
  getPartnerCert(mchid: string, serialNo: string): Promise<PartnerCert | undefined>
  getPartnerTrust(mchid: string): Promise<PartnerTrustRecord | undefined>
  /** Oldest (effective_time) first. */
  listPlatformCertificates(mchid: string): Promise<PlatformCertificateRecord[]>
  brandExists(brandId: string): Promise<boolean>
  isBrandAuthorized(brandId: string, mchid: string): Promise<boolean>
  getBrandDirect(brandId: string): Promise<BrandDirectRecord | undefined>
  getBrandDirectByMchid(mchid: string): Promise<BrandDirectRecord | undefined>
  getAppId(appid: string): Promise<AppIdBinding | undefined>
  hasOpenId(appid: string, openid: string): Promise<boolean>
  /** What isBrandAuthorized, getAppId and hasOpenId answer, in one statement. */
  getUserScope(s: {
    brandId: string
    mchid: string
    appid: string
    openid: string
  }): Promise<UserScope>
  getProductCoupon(id: string): Promise<ProductCoupon | undefined>
  getStock(id: string): Promise<Stock | undefined>
  getUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined>
  countUserCoupons(stockId: string, openid: string): Promise<number>
  getIdempotency(
    brandId: string,
    operation: string,
    requestNo: string,
  ): Promise<IdempotencyRecord | undefined>
  getMeta(key: string): Promise<string | undefined>
  getUserCouponBundle(id: string): Promise<UserCouponBundleRecord | undefined>
  getBrandStore(storeId: string): Promise<BrandStore | undefined>
  getPreSendToken(token: string): Promise<PreSendTokenRecord | undefined>
  /** Every stock of a product coupon (at most a few hundred), oldest first. */
  listStocks(productCouponId: string): Promise<Stock[]>
  listUserCoupons(
    filter: UserCouponFilter,
    /** Newest first; `after` is the issueSeq of the last coupon of the previous page. */
    page: { after?: number; limit: number },
  ): Promise<{ total: number; items: UserCoupon[] }>
  listPartners(): Promise<(Partner & { serialNos: string[] })[]>
  listBrands(): Promise<BrandRecord[]>
  listAppIds(): Promise<AppIdBinding[]>
  getNotifyConfig(mchid: string): Promise<{ notifyUrl: string; updateTime: number } | undefined>
  getNotification(id: string): Promise<NotificationRecord | undefined>
  /** Newest first, each with its attempts in order. */
  listNotifications(filter: {
    mchid?: string
    state?: NotificationState
    limit: number
  }): Promise<(NotificationRecord & { attemptList: DeliveryAttempt[] })[]>
  /** Newest first. */
  listJournal(filter: JournalFilter): Promise<JournalRecord[]>
  /** Every product coupon (the console's view across tenants), newest first. */
  browseProductCoupons(p: { mchid?: string; limit: number }): Promise<ProductCoupon[]>
  /** Coupons across users, newest first; `state` as the clock implies it at `now`. */
  browseUserCoupons(p: CouponBrowse): Promise<UserCoupon[]>
  /** How many coupons of a stock were received in each `bucket`-second slot (sandbox time). */
  stockIssueHistogram(
    stockId: string,
    bucketSeconds: number,
  ): Promise<{ start: number; count: number }[]>
  /** The first and last receive time of a stock's coupons. */
  stockIssueSpan(stockId: string): Promise<{ first: number; last: number; total: number }>
}

export interface StoreTx extends StoreReader {
  /** Holds a named lock until the transaction ends (PostgreSQL advisory lock; SQLite's single writer already excludes). */
  lockNamed(name: string): Promise<void>
  /** Reads a coupon and holds it for this transaction (PostgreSQL: FOR UPDATE). */
  lockUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined>
  /** Reads a stock and holds it for this transaction, so budgets cannot be overshot. */
  lockStock(id: string): Promise<Stock | undefined>
  /** The next number of `name`; with `count`, reserves that many in a row and returns the last. */
  nextSequence(name: string, count?: number): Promise<number>
  insertPlatformKey(key: PlatformKey): Promise<void>
  insertPartner(partner: Partner): Promise<void>
  setPartnerRevision(mchid: string, revision: Revision): Promise<void>
  insertPartnerCert(cert: PartnerCert): Promise<void>
  /** Writes the partner's key settings and bumps their version, which it returns. */
  savePartnerTrust(trust: Omit<PartnerTrustRecord, 'version'>): Promise<number>
  insertPlatformCertificate(cert: PlatformCertificateRecord): Promise<void>
  updatePlatformCertificate(
    serialNo: string,
    change: { expireTime?: number; revokedAt?: number },
  ): Promise<void>
  insertBrand(brandId: string): Promise<void>
  authorizeBrand(brandId: string, mchid: string): Promise<void>
  insertBrandDirect(record: BrandDirectRecord): Promise<void>
  insertAppId(binding: AppIdBinding): Promise<void>
  insertOpenId(appid: string, openid: string): Promise<void>
  insertProductCoupon(pc: ProductCoupon): Promise<void>
  updateProductCoupon(pc: ProductCoupon): Promise<void>
  insertStock(stock: Stock): Promise<void>
  updateStock(stock: Stock): Promise<void>
  insertUserCoupon(coupon: UserCoupon): Promise<void>
  insertUserCouponBundle(bundle: UserCouponBundleRecord): Promise<void>
  insertBrandStore(store: BrandStore): Promise<void>
  insertPreSendToken(token: PreSendTokenRecord): Promise<void>
  /** Marks the token claimed; false if it already was (a concurrent claim won). */
  claimPreSendToken(token: string, claimed: string): Promise<boolean>
  /** Writes `coupon` if the stored version is `coupon.version - 1`; throws StoreConflict otherwise. */
  updateUserCoupon(coupon: UserCoupon): Promise<void>
  /** Inserts the record; throws StoreConflict if the key exists (a concurrent duplicate). */
  insertIdempotency(record: IdempotencyRecord): Promise<void>
  /**
   * Bulk loading (`wxcoupon seed`): many rows in few statements. A taken key throws
   * StoreConflict, and the transaction then keeps none of them.
   */
  insertUserCoupons(coupons: readonly UserCoupon[]): Promise<void>
  insertIdempotencyRecords(records: readonly IdempotencyRecord[]): Promise<void>
  insertOpenIds(appid: string, openids: readonly string[]): Promise<void>
  setMeta(key: string, value: string): Promise<void>
  /** UPLOAD pools: adds the codes not yet in the stock's pool and returns those added. */
  insertCouponCodes(stockId: string, codes: string[]): Promise<string[]>
  /** Marks one unused code as drawn: the `pick(available)`-th in code order. */
  takeCouponCode(stockId: string, pick: (available: number) => number): Promise<string | undefined>
  revokeBrand(brandId: string, mchid: string): Promise<void>
  deleteAppId(appid: string): Promise<void>
  /** Appends entries, numbered in order after every entry already kept. */
  insertJournal(entries: readonly Omit<JournalRecord, 'seq'>[]): Promise<void>
  /**
   * Deletes up to `limit` of the tenant's oldest entries beyond its newest `keep`; returns how
   * many it deleted (fewer than `limit`: none are left beyond `keep`).
   */
  pruneJournal(mchid: string, keep: number, limit: number): Promise<number>
  clearJournal(): Promise<void>
  /** Sandbox reset: every coupon, stock, product coupon, code and request number. */
  deleteCouponData(): Promise<void>
  setNotifyConfig(mchid: string, notifyUrl: string, updateTime: number): Promise<void>
  insertNotification(n: Omit<NotificationRecord, 'seq' | 'attempts' | 'state'>): Promise<void>
  /**
   * Claims up to `limit` PENDING notifications due by `dueBy` whose lease has lapsed and whose
   * partner has a notify URL, leasing them until `leaseUntil` (real ms) so no other worker
   * delivers them meanwhile. With `perPartner`, fairly: no partner gets more than that many
   * leased at once (those still leased from earlier claims count), and the places are dealt
   * round-robin, so a partner with thousands pending takes no more of a claim than one with a
   * few. Without it, earliest first whoever they belong to (which lets one partner's backlog
   * starve the others: kept for the test that shows it).
   */
  claimDueNotifications(p: {
    dueBy: number
    realNow: number
    leaseUntil: number
    limit: number
    perPartner?: number
  }): Promise<NotificationRecord[]>
  /** Records one attempt (numbered from 1) and the notification's next state; releases the lease. */
  recordAttempt(
    attempt: Omit<DeliveryAttempt, 'attemptNo'>,
    next: { state: NotificationState; nextAttemptAt: number; countsTowardSchedule: boolean },
  ): Promise<number>
}

export interface Store {
  /**
   * Independent server instances may serve this database at the same time (PostgreSQL), so
   * what they must agree on (the sandbox clock, faults, rate limits) lives in it unless the
   * caller says otherwise. A SQLite file belongs to one server and the workers it starts.
   */
  readonly sharedByInstances: boolean
  /**
   * Only this data dir's server can be using what an earlier run left in the database, so
   * stale sandbox faults may be cleared when it is prepared (SQLite); on a shared database
   * other instances may be relying on them.
   */
  readonly ownedByOneServer: boolean
  /** The database as the ready line names it: `SQLite`, or `PostgreSQL` and its URL without the password. */
  readonly label: string
  /** The database as machine-readable reports name it (`wxcoupon seed --json`'s `database`). */
  readonly reportName: 'sqlite' | 'postgres'
  /** Brings the schema to the latest numbered migration. */
  migrate(): Promise<void>
  readonly read: StoreReader
  /**
   * Runs `fn` in one transaction: all of its writes commit together or none do. A StoreConflict
   * thrown inside (a concurrent writer won a race) rolls back and runs `fn` again, up to a bound.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>
  /**
   * Shared rate limits: counts one call in a fixed window and returns the window's count. One
   * atomic upsert that commits on its own: inside a transaction it would cost PostgreSQL a
   * BEGIN and a COMMIT more on every API call, for nothing a single statement needs.
   */
  bumpCounter(key: string, windowStart: number): Promise<number>
  /** Forgets the windows that started before the bound; committed on its own like bumpCounter. */
  pruneCounters(windowStartBefore: number): Promise<void>
  /**
   * SQLite: transactions run so far, and how many of them spanned a turn of the event loop
   * (held the write lock while the process waited on something). Every statement runs
   * synchronously, so a unit of work that awaits nothing else never does; a test holds the
   * server to that.
   */
  readonly unitsOfWork?: () => { transactions: number; spannedTurns: number }
  close(): Promise<void>
}

/** A write lost a race with a concurrent transaction; the whole unit of work is retried. */
export class StoreConflict extends Error {
  override readonly name = 'StoreConflict'
}
