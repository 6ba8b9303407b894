import type { TObject, TSchema } from 'typebox'
import { CertificatesQuery, CertificatesResponse } from './certificates.ts'
import {
  CreateProductCouponResponse,
  ListStocksResponse,
  ListUserCouponsResponse,
  NotifyConfigEntity,
  ProductCouponEntity,
  StockEntity,
  UploadCouponCodesResponse,
  UserProductCouponEntity,
} from './entities.ts'
import {
  AddStockBody,
  BrandQuery,
  ConfirmCouponBody,
  CreateProductCouponBody,
  DeactivateBody,
  DeactivateCouponBody,
  ListStocksQuery,
  ListUserCouponsQuery,
  NotifyConfigBody,
  PatchProductCouponBody,
  PatchStockBody,
  ProductCouponParams,
  ReturnCouponBody,
  SendCouponBody,
  StockParams,
  UpdateBudgetBody,
  UploadCouponCodesBody,
  UseCouponBody,
  UserCouponParams,
  UserCouponQuery,
  UserParams,
} from './requests.ts'
import {
  AddStockBody2025_11,
  AddStockBundleBody,
  BundleStoresBody,
  BundleStoresResponse,
  CreateProductCouponBody2025_11,
  CreateProductCouponResponse2025_11,
  DeactivateCouponBundleBody,
  ListStocksQuery2025_11,
  ListStocksResponse2025_11,
  ListUserCouponsQuery2025_11,
  ListUserCouponsResponse2025_11,
  PatchStockBundleBody,
  PreSendCouponBody,
  PreSendCouponBundleBody,
  PreSendTokenResponse,
  ProductCouponEntity2025_11,
  ReturnCouponBody2025_11,
  type Revision,
  SendCouponBody2025_11,
  SendCouponBundleBody,
  StockBundleEntity,
  StockBundleParams,
  StockEntity2025_11,
  UpdateBundleBudgetBody,
  UseCouponBody2025_11,
  UserCouponBundleEntity,
  UserCouponBundleParams,
  UserProductCouponEntity2025_11,
} from './revision-2025-11.ts'

/**
 * The one table of WeChat-compatible operations. Each entry is everything the wire needs to
 * know about one operation; the server's routes, rate limits and fault names, the SDK's
 * methods, the test suites' endpoint lists and the README's operation list are derived from it
 * (the service each operation runs is bound by name in the server, checked complete by the
 * compiler). Adding an endpoint: its schemas, a domain rule, a service function, one entry
 * here, its binding, tests. (Long because it is the one table, both revisions included.)
 */

export type ApiMethod = 'GET' | 'POST' | 'PATCH'

/** WeChat Pay's interface limits, per brand (or partner) and operation. */
export interface RateLimit {
  readonly limit: number
  readonly perSeconds: number
}

/** User-coupon operations: 500 per second. */
const USER_COUPON: RateLimit = { limit: 500, perSeconds: 1 }
/** Creating product coupons: 1,000 per minute. */
const CREATE: RateLimit = { limit: 1000, perSeconds: 60 }
/** Every other management call: 20 per second. */
const MANAGEMENT: RateLimit = { limit: 20, perSeconds: 1 }
/** Downloading platform certificates: 1,000 per second per partner. */
const CERTIFICATES: RateLimit = { limit: 1000, perSeconds: 1 }

/**
 * What an operation takes and answers under a revision other than the seed's (2025-08, the
 * entry's own members). Parts left out are the same in both revisions.
 */
export interface RevisionParts {
  readonly query?: TObject
  readonly body?: TObject
  readonly response?: TSchema
  /** This revision's interface limit, where its pages print another. */
  readonly rateLimit?: RateLimit
}

export interface OperationSpec {
  readonly method: ApiMethod
  /**
   * An operation outside the product-coupon API (GET /v3/certificates) names the prefix its
   * path is below; default API_PREFIX. operationPath() joins the two.
   */
  readonly prefix?: string
  /** Below the prefix, path parameters as `{name}`. */
  readonly path: string
  readonly params?: TObject
  /** GET only; the SDK sends members in this schema's order. */
  readonly query?: TObject
  readonly body?: TObject
  /** The 200 answer. */
  readonly response: TSchema
  readonly rateLimit: RateLimit
  /** The body member that is the request number, for writes that are idempotent by it. */
  readonly requestNo?: 'out_request_no' | 'send_request_no'
  /** The SDK method. */
  readonly sdk: string
  /** A list endpoint: the answer's array member, and the SDK iterator over every page. */
  readonly page?: { readonly items: string; readonly iterator: string }
  readonly summary: string
  /**
   * `false`: no brand-direct twin (brand-operations.ts), for a partner operation the brand
   * pages do not document (e.g. pre-send of a coupon bundle). Default: every operation below
   * the product-coupon prefix has one.
   */
  readonly brand?: false
  /** The schemas of later revisions, where they differ; a partner is validated by its own. */
  readonly revisions?: { readonly [R in Exclude<Revision, '2025-08'>]?: RevisionParts }
  /** The operation exists only in this revision (the entry's schemas are that revision's). */
  readonly only?: Revision
}

export const API_PREFIX = '/v3/marketing/partner/product-coupon'

/** The full path template of an operation: what it is routed, signed and documented under. */
export function operationPath(op: Pick<OperationSpec, 'prefix' | 'path'>): string {
  return (op.prefix ?? API_PREFIX) + op.path
}

const PC = '/product-coupons/{product_coupon_id}'
const STOCK = `${PC}/stocks/{stock_id}`
const USER_COUPON_PATH = '/users/{openid}/coupons/{coupon_code}'
const BUNDLE = `${PC}/stock-bundles/{stock_bundle_id}`
const USER = '/users/{openid}'

export const OPERATIONS = {
  set_notify_config: {
    method: 'POST',
    path: '/notify-configs',
    body: NotifyConfigBody,
    response: NotifyConfigEntity,
    rateLimit: MANAGEMENT,
    sdk: 'setNotifyConfig',
    summary: "set the partner's notify URL (no brand_id)",
  },
  get_notify_config: {
    method: 'GET',
    path: '/notify-configs',
    response: NotifyConfigEntity,
    rateLimit: MANAGEMENT,
    sdk: 'getNotifyConfig',
    summary: 'read it',
  },
  create_product_coupon: {
    method: 'POST',
    path: '/product-coupons',
    body: CreateProductCouponBody,
    response: CreateProductCouponResponse,
    rateLimit: CREATE,
    requestNo: 'out_request_no',
    sdk: 'createProductCoupon',
    summary: 'create a product coupon with its first stock',
    revisions: {
      '2025-11': {
        body: CreateProductCouponBody2025_11,
        response: CreateProductCouponResponse2025_11,
        // The 2025-11 create page prints 20/s where the seed's said 1,000/min.
        rateLimit: MANAGEMENT,
      },
    },
  },
  get_product_coupon: {
    method: 'GET',
    path: PC,
    params: ProductCouponParams,
    query: BrandQuery,
    response: ProductCouponEntity,
    rateLimit: MANAGEMENT,
    sdk: 'getProductCoupon',
    summary: 'query a product coupon',
    revisions: { '2025-11': { response: ProductCouponEntity2025_11 } },
  },
  patch_product_coupon: {
    method: 'PATCH',
    path: PC,
    params: ProductCouponParams,
    body: PatchProductCouponBody,
    response: ProductCouponEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'patchProductCoupon',
    summary: 'new `display_info` for coupons sent from now on',
    revisions: { '2025-11': { response: ProductCouponEntity2025_11 } },
  },
  deactivate_product_coupon: {
    method: 'POST',
    path: `${PC}/deactivate`,
    params: ProductCouponParams,
    body: DeactivateBody,
    response: ProductCouponEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'deactivateProductCoupon',
    summary: 'deactivate it and all its stocks',
    revisions: { '2025-11': { response: ProductCouponEntity2025_11 } },
  },
  add_stock: {
    method: 'POST',
    path: `${PC}/stocks`,
    params: ProductCouponParams,
    body: AddStockBody,
    response: StockEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'addStock',
    summary: 'add a stock',
    revisions: { '2025-11': { body: AddStockBody2025_11, response: StockEntity2025_11 } },
  },
  list_stocks: {
    method: 'GET',
    path: `${PC}/stocks`,
    params: ProductCouponParams,
    query: ListStocksQuery,
    response: ListStocksResponse,
    rateLimit: MANAGEMENT,
    sdk: 'listStocks',
    page: { items: 'stock_list', iterator: 'iterateStocks' },
    summary: 'list stocks (page_size 1–50, default 20)',
    revisions: {
      '2025-11': { query: ListStocksQuery2025_11, response: ListStocksResponse2025_11 },
    },
  },
  get_stock: {
    method: 'GET',
    path: STOCK,
    params: StockParams,
    query: BrandQuery,
    response: StockEntity,
    rateLimit: MANAGEMENT,
    sdk: 'getStock',
    summary: 'query a stock',
    revisions: { '2025-11': { response: StockEntity2025_11 } },
  },
  patch_stock: {
    method: 'PATCH',
    path: STOCK,
    params: StockParams,
    body: PatchStockBody,
    response: StockEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'patchStock',
    summary: 'remark, display, notify AppID, store scope',
    revisions: { '2025-11': { response: StockEntity2025_11 } },
  },
  deactivate_stock: {
    method: 'POST',
    path: `${STOCK}/deactivate`,
    params: StockParams,
    body: DeactivateBody,
    response: StockEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'deactivateStock',
    summary: 'deactivate a stock',
    revisions: { '2025-11': { response: StockEntity2025_11 } },
  },
  update_budget: {
    method: 'POST',
    path: `${STOCK}/update-budget`,
    params: StockParams,
    body: UpdateBudgetBody,
    response: StockEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'updateStockBudget',
    summary: '`MAX_COUNT` or `MAX_COUNT_PER_DAY`, one per call',
    revisions: { '2025-11': { response: StockEntity2025_11 } },
  },
  upload_codes: {
    method: 'POST',
    path: `${STOCK}/upload-coupon-codes`,
    params: StockParams,
    body: UploadCouponCodesBody,
    response: UploadCouponCodesResponse,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'uploadCouponCodes',
    summary: "fill an UPLOAD stock's code pool",
  },
  send: {
    method: 'POST',
    path: '/users/{openid}/coupons',
    params: UserParams,
    body: SendCouponBody,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    requestNo: 'send_request_no',
    sdk: 'sendCoupon',
    summary: 'send a coupon to a user (→ CONFIRMING)',
    revisions: {
      '2025-11': { body: SendCouponBody2025_11, response: UserProductCouponEntity2025_11 },
    },
  },
  list_user_coupons: {
    method: 'GET',
    path: '/users/{openid}/coupons',
    params: UserParams,
    query: ListUserCouponsQuery,
    response: ListUserCouponsResponse,
    rateLimit: USER_COUPON,
    sdk: 'listUserCoupons',
    page: { items: 'user_coupon_list', iterator: 'iterateUserCoupons' },
    summary: "a user's coupons, newest first",
    revisions: {
      '2025-11': { query: ListUserCouponsQuery2025_11, response: ListUserCouponsResponse2025_11 },
    },
  },
  confirm: {
    method: 'POST',
    path: `${USER_COUPON_PATH}/confirm`,
    params: UserCouponParams,
    body: ConfirmCouponBody,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    requestNo: 'out_request_no',
    sdk: 'confirmCoupon',
    summary: 'confirm (→ PENDING / EFFECTIVE)',
    revisions: { '2025-11': { response: UserProductCouponEntity2025_11 } },
  },
  use: {
    method: 'POST',
    path: `${USER_COUPON_PATH}/use`,
    params: UserCouponParams,
    body: UseCouponBody,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    requestNo: 'out_request_no',
    sdk: 'useCoupon',
    summary: 'use a coupon, or one round (→ USED)',
    revisions: {
      '2025-11': { body: UseCouponBody2025_11, response: UserProductCouponEntity2025_11 },
    },
  },
  get_user_coupon: {
    method: 'GET',
    path: USER_COUPON_PATH,
    params: UserCouponParams,
    query: UserCouponQuery,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    sdk: 'getUserCoupon',
    summary: 'query a user coupon',
    revisions: { '2025-11': { response: UserProductCouponEntity2025_11 } },
  },
  deactivate: {
    method: 'POST',
    path: `${USER_COUPON_PATH}/deactivate`,
    params: UserCouponParams,
    body: DeactivateCouponBody,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    requestNo: 'out_request_no',
    sdk: 'deactivateCoupon',
    summary: 'deactivate a user coupon',
    revisions: { '2025-11': { response: UserProductCouponEntity2025_11 } },
  },
  return: {
    method: 'POST',
    path: `${USER_COUPON_PATH}/return`,
    params: UserCouponParams,
    body: ReturnCouponBody,
    response: UserProductCouponEntity,
    rateLimit: USER_COUPON,
    requestNo: 'out_request_no',
    sdk: 'returnCoupon',
    summary: 'return (退券)',
    revisions: {
      '2025-11': { body: ReturnCouponBody2025_11, response: UserProductCouponEntity2025_11 },
    },
  },
  add_stock_bundle: {
    method: 'POST',
    path: `${PC}/stock-bundles`,
    params: ProductCouponParams,
    body: AddStockBundleBody,
    response: StockBundleEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'addStockBundle',
    summary: 'add a stock bundle: one stock per tier (2025-11)',
    only: '2025-11',
  },
  patch_stock_bundle: {
    method: 'PATCH',
    path: BUNDLE,
    params: StockBundleParams,
    body: PatchStockBundleBody,
    response: StockBundleEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'patchStockBundle',
    summary: 'display, notify AppID, store scope of every stock of a bundle (2025-11)',
    only: '2025-11',
  },
  update_bundle_budget: {
    method: 'POST',
    path: `${BUNDLE}/update-budget`,
    params: StockBundleParams,
    body: UpdateBundleBudgetBody,
    response: StockBundleEntity,
    rateLimit: MANAGEMENT,
    requestNo: 'out_request_no',
    sdk: 'updateStockBundleBudget',
    summary: "a bundle's `MAX_COUNT` or `MAX_COUNT_PER_DAY`, on every stock (2025-11)",
    only: '2025-11',
  },
  associate_bundle_stores: {
    method: 'POST',
    path: `${BUNDLE}/associate-stores`,
    params: StockBundleParams,
    body: BundleStoresBody,
    response: BundleStoresResponse,
    rateLimit: MANAGEMENT,
    sdk: 'associateStockBundleStores',
    summary: 'associate stores with every stock of a bundle (store_scope SPECIFIC; 2025-11)',
    only: '2025-11',
  },
  disassociate_bundle_stores: {
    method: 'POST',
    path: `${BUNDLE}/disassociate-stores`,
    params: StockBundleParams,
    body: BundleStoresBody,
    response: BundleStoresResponse,
    rateLimit: MANAGEMENT,
    sdk: 'disassociateStockBundleStores',
    summary: 'disassociate them (2025-11)',
    only: '2025-11',
  },
  send_coupon_bundle: {
    method: 'POST',
    path: `${USER}/coupon-bundles`,
    params: UserParams,
    body: SendCouponBundleBody,
    response: UserCouponBundleEntity,
    rateLimit: USER_COUPON,
    requestNo: 'send_request_no',
    sdk: 'sendCouponBundle',
    summary: 'send a user coupon bundle: one coupon per tier (2025-11)',
    only: '2025-11',
  },
  deactivate_coupon_bundle: {
    method: 'POST',
    path: `${USER}/coupon-bundles/{user_coupon_bundle_id}/deactivate`,
    params: UserCouponBundleParams,
    body: DeactivateCouponBundleBody,
    response: UserCouponBundleEntity,
    rateLimit: USER_COUPON,
    requestNo: 'out_request_no',
    sdk: 'deactivateCouponBundle',
    summary: "deactivate every live coupon of a user's bundle (2025-11)",
    only: '2025-11',
  },
  pre_send_coupon: {
    method: 'POST',
    path: `${USER}/pre-send-coupon`,
    params: UserParams,
    body: PreSendCouponBody,
    response: PreSendTokenResponse,
    rateLimit: USER_COUPON,
    requestNo: 'send_request_no',
    sdk: 'preSendCoupon',
    summary: 'a token (5 minutes) for the mini-program claim component (2025-11)',
    only: '2025-11',
  },
  pre_send_coupon_bundle: {
    method: 'POST',
    path: `${USER}/pre-send-coupon-bundle`,
    params: UserParams,
    body: PreSendCouponBundleBody,
    response: PreSendTokenResponse,
    rateLimit: USER_COUPON,
    requestNo: 'send_request_no',
    sdk: 'preSendCouponBundle',
    summary: 'the same for a coupon bundle (2025-11)',
    only: '2025-11',
    // The brand pages document no pre-send of a coupon bundle.
    brand: false,
  },
  get_certificates: {
    method: 'GET',
    prefix: '/v3',
    path: '/certificates',
    query: CertificatesQuery,
    response: CertificatesResponse,
    rateLimit: CERTIFICATES,
    sdk: 'getCertificates',
    summary:
      'the platform certificates, encrypted under the APIv3 key (certificate and transition key modes; public_key mode: 404)',
  },
} as const satisfies Record<string, OperationSpec>

export type Operations = typeof OPERATIONS
export type OperationName = keyof Operations

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[]

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name)
}
