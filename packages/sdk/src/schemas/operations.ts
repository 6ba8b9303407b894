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

/**
 * The one table of WeChat-compatible operations. Each entry is everything the wire needs to
 * know about one operation; the server's routes, rate limits and fault names, the SDK's
 * methods, the test suites' endpoint lists and the README's operation list are derived from it
 * (the service each operation runs is bound by name in the server, checked complete by the
 * compiler). Adding an endpoint: its schemas, a domain rule, a service function, one entry
 * here, its binding, tests.
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
}

export const API_PREFIX = '/v3/marketing/partner/product-coupon'

/** The full path template of an operation: what it is routed, signed and documented under. */
export function operationPath(op: Pick<OperationSpec, 'prefix' | 'path'>): string {
  return (op.prefix ?? API_PREFIX) + op.path
}

const PC = '/product-coupons/{product_coupon_id}'
const STOCK = `${PC}/stocks/{stock_id}`
const USER_COUPON_PATH = '/users/{openid}/coupons/{coupon_code}'

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
