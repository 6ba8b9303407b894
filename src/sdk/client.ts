import { signRequest, verifyResponseSignature } from '../protocol/index.ts'
import type {
  CreateProductCouponResponse,
  ListStocksResponse,
  ListUserCouponsResponse,
  NotifyConfigEntity,
  ProductCouponEntity,
  StockEntity,
  UploadCouponCodesResponse,
  UserProductCouponEntity,
} from '../schemas/entities.ts'
import type {
  ConfirmCouponBody,
  CreateProductCouponBody,
  NotifyConfigBody,
  ReturnCouponBody,
  SendCouponBody,
  UseCouponBody,
  UserCouponQuery,
} from '../schemas/requests.ts'
import {
  ApiError,
  ConnectionError,
  errorFromResponse,
  lowerCaseHeaders,
  SignatureVerificationError,
} from './errors.ts'
import { type ResolvedOptions, resolveOptions, type WxCouponClientOptions } from './options.ts'
import { paginate } from './paginate.ts'
import type {
  AddStockParams,
  DeactivateCouponParams,
  DeactivateProductCouponParams,
  DeactivateStockParams,
  IterateStocksParams,
  IterateUserCouponsParams,
  ListStocksParams,
  ListUserCouponsParams,
  PatchProductCouponParams,
  PatchStockParams,
  StockPath,
  UpdateStockBudgetParams,
  UploadCouponCodesParams,
  UserCouponPath,
} from './params.ts'
import { retryDelayMs, shouldRetry } from './retry.ts'

export type { WxCouponClientOptions } from './options.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface GetProductCouponParams {
  product_coupon_id: string
  brand_id: string
}
export interface GetStockParams {
  product_coupon_id: string
  stock_id: string
  brand_id: string
}
/** `openid` goes into the path; `coupon_code` stays in the body (API_ASSIGN stocks). */
export type SendCouponParams = { openid: string } & SendCouponBody
export type ConfirmCouponParams = UserCouponPath & ConfirmCouponBody
export type UseCouponParams = UserCouponPath & UseCouponBody
export type GetUserCouponParams = UserCouponPath & UserCouponQuery
export type ReturnCouponParams = UserCouponPath & ReturnCouponBody

const PREFIX = '/v3/marketing/partner/product-coupon'

/**
 * encodeURIComponent plus the RFC 3986 sub-delimiters it leaves alone: the WHATWG URL parser
 * that fetch applies would percent-encode `'` in a query, and the request would then no longer
 * be the one that was signed.
 */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function required(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`)
  }
  return value
}

/** One path segment; `.` and `..` are refused because URL parsing would resolve them away. */
function segment(name: string, value: unknown): string {
  const s = required(name, value)
  if (s === '.' || s === '..') throw new TypeError(`${name} must not be a dot segment`)
  return encode(s)
}

type QueryParam = readonly [string, unknown]

/** Built once, in a fixed order, so the signed request-target is byte-for-byte the one sent. */
function query(params: ReadonlyArray<QueryParam>): string {
  return `?${params.map(([k, v]) => `${encode(k)}=${encode(required(k, v))}`).join('&')}`
}

/** An optional query member is left out entirely when undefined rather than sent empty. */
function optional(name: string, value: unknown): QueryParam[] {
  return value === undefined ? [] : [[name, value]]
}

/** `String()` of a fraction, NaN or 1e21 is not the digit string the query schema accepts. */
function pageSizeText(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError('page_size must be a non-negative integer')
  }
  return String(value)
}

function productCouponPath(productCouponId: unknown): string {
  return `${PREFIX}/product-coupons/${segment('product_coupon_id', productCouponId)}`
}

function stockPath(p: StockPath): string {
  return `${productCouponPath(p.product_coupon_id)}/stocks/${segment('stock_id', p.stock_id)}`
}

function userCouponPath(p: UserCouponPath): string {
  return `${PREFIX}/users/${segment('openid', p.openid)}/coupons/${segment('coupon_code', p.coupon_code)}`
}

// ignoreBOM: the signature covers the bytes as sent, so a leading BOM must survive decoding.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * WeChat Pay APIv3 partner product-coupon (商品券) client. Every request is signed with the
 * merchant key, every 2xx answer is verified against the platform public key before it is
 * parsed, and failures surface as the classes in errors.ts. Methods are async so that bad
 * arguments reject the returned promise rather than throwing synchronously.
 */
export class WxCouponClient {
  // A private field keeps the key material out of util.inspect, JSON.stringify and spreads.
  readonly #o: ResolvedOptions

  constructor(options: WxCouponClientOptions) {
    this.#o = resolveOptions(options)
  }

  /** E1 — POST /notify-configs: the partner's one callback URL, shared by all its brands. */
  async setNotifyConfig(body: NotifyConfigBody): Promise<NotifyConfigEntity> {
    return this.request('POST', `${PREFIX}/notify-configs`, body)
  }

  /** E2 — GET /notify-configs */
  async getNotifyConfig(): Promise<NotifyConfigEntity> {
    return this.request('GET', `${PREFIX}/notify-configs`)
  }

  /** E3 — POST /product-coupons */
  async createProductCoupon(body: CreateProductCouponBody): Promise<CreateProductCouponResponse> {
    return this.request('POST', `${PREFIX}/product-coupons`, body)
  }

  /** E4 — GET /product-coupons/{product_coupon_id}?brand_id= */
  async getProductCoupon(p: GetProductCouponParams): Promise<ProductCouponEntity> {
    return this.request(
      'GET',
      productCouponPath(p.product_coupon_id) + query([['brand_id', p.brand_id]]),
    )
  }

  /** PATCH /product-coupons/{product_coupon_id} — display information only. */
  async patchProductCoupon(p: PatchProductCouponParams): Promise<ProductCouponEntity> {
    const { product_coupon_id, ...body } = p
    return this.request('PATCH', productCouponPath(product_coupon_id), body)
  }

  /** POST /product-coupons/{product_coupon_id}/deactivate */
  async deactivateProductCoupon(p: DeactivateProductCouponParams): Promise<ProductCouponEntity> {
    const { product_coupon_id, ...body } = p
    return this.request('POST', `${productCouponPath(product_coupon_id)}/deactivate`, body)
  }

  /** E5 — POST /product-coupons/{product_coupon_id}/stocks */
  async addStock(p: AddStockParams): Promise<StockEntity> {
    const { product_coupon_id, ...body } = p
    return this.request('POST', `${productCouponPath(product_coupon_id)}/stocks`, body)
  }

  /** E6 — GET /product-coupons/{product_coupon_id}/stocks/{stock_id}?brand_id= */
  async getStock(p: GetStockParams): Promise<StockEntity> {
    return this.request('GET', stockPath(p) + query([['brand_id', p.brand_id]]))
  }

  /** E7 — GET /product-coupons/{product_coupon_id}/stocks?brand_id=&state=&page_size=&page_token= */
  async listStocks(p: ListStocksParams): Promise<ListStocksResponse> {
    const q = query([
      ['brand_id', p.brand_id],
      ...optional('state', p.state),
      ...optional('page_size', pageSizeText(p.page_size)),
      ...optional('page_token', p.page_token),
    ])
    return this.request('GET', `${productCouponPath(p.product_coupon_id)}/stocks${q}`)
  }

  /** E7, every page: yields each stock once, in the server's (stock id) order. */
  async *iterateStocks(p: IterateStocksParams): AsyncIterableIterator<StockEntity> {
    yield* paginate(
      (page) => this.listStocks({ ...p, ...page }),
      (answer) => answer.stock_list,
    )
  }

  /** PATCH /product-coupons/{product_coupon_id}/stocks/{stock_id} */
  async patchStock(p: PatchStockParams): Promise<StockEntity> {
    const { product_coupon_id, stock_id, ...body } = p
    return this.request('PATCH', stockPath({ product_coupon_id, stock_id }), body)
  }

  /** POST /product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate */
  async deactivateStock(p: DeactivateStockParams): Promise<StockEntity> {
    const { product_coupon_id, stock_id, ...body } = p
    return this.request('POST', `${stockPath({ product_coupon_id, stock_id })}/deactivate`, body)
  }

  /** POST /product-coupons/{product_coupon_id}/stocks/{stock_id}/update-budget */
  async updateStockBudget(p: UpdateStockBudgetParams): Promise<StockEntity> {
    const { product_coupon_id, stock_id, ...body } = p
    return this.request('POST', `${stockPath({ product_coupon_id, stock_id })}/update-budget`, body)
  }

  /** POST /product-coupons/{product_coupon_id}/stocks/{stock_id}/upload-coupon-codes */
  async uploadCouponCodes(p: UploadCouponCodesParams): Promise<UploadCouponCodesResponse> {
    const { product_coupon_id, stock_id, ...body } = p
    const path = `${stockPath({ product_coupon_id, stock_id })}/upload-coupon-codes`
    return this.request('POST', path, body)
  }

  /** E8 — POST /users/{openid}/coupons */
  async sendCoupon(p: SendCouponParams): Promise<UserProductCouponEntity> {
    const { openid, ...body } = p
    return this.request('POST', `${PREFIX}/users/${segment('openid', openid)}/coupons`, body)
  }

  /** E10 — POST /users/{openid}/coupons/{coupon_code}/confirm */
  async confirmCoupon(p: ConfirmCouponParams): Promise<UserProductCouponEntity> {
    const { openid, coupon_code, ...body } = p
    return this.request('POST', `${userCouponPath({ openid, coupon_code })}/confirm`, body)
  }

  /** E11 — POST /users/{openid}/coupons/{coupon_code}/use */
  async useCoupon(p: UseCouponParams): Promise<UserProductCouponEntity> {
    const { openid, coupon_code, ...body } = p
    return this.request('POST', `${userCouponPath({ openid, coupon_code })}/use`, body)
  }

  /** E12 — GET /users/{openid}/coupons/{coupon_code}?product_coupon_id=&stock_id=&appid=&brand_id= */
  async getUserCoupon(p: GetUserCouponParams): Promise<UserProductCouponEntity> {
    const q = query([
      ['product_coupon_id', p.product_coupon_id],
      ['stock_id', p.stock_id],
      ['appid', p.appid],
      ['brand_id', p.brand_id],
    ])
    return this.request('GET', userCouponPath(p) + q)
  }

  /**
   * E13 — GET /users/{openid}/coupons?product_coupon_id=&stock_id=&appid=&coupon_state=
   * &page_size=&page_token=&brand_id=
   */
  async listUserCoupons(p: ListUserCouponsParams): Promise<ListUserCouponsResponse> {
    const q = query([
      ...optional('product_coupon_id', p.product_coupon_id),
      ...optional('stock_id', p.stock_id),
      ['appid', p.appid],
      ...optional('coupon_state', p.coupon_state),
      ...optional('page_size', pageSizeText(p.page_size)),
      ...optional('page_token', p.page_token),
      ['brand_id', p.brand_id],
    ])
    return this.request('GET', `${PREFIX}/users/${segment('openid', p.openid)}/coupons${q}`)
  }

  /** E13, every page: yields each coupon once, newest first as the server orders them. */
  async *iterateUserCoupons(
    p: IterateUserCouponsParams,
  ): AsyncIterableIterator<UserProductCouponEntity> {
    yield* paginate(
      (page) => this.listUserCoupons({ ...p, ...page }),
      (answer) => answer.user_coupon_list,
    )
  }

  /** E14 — POST /users/{openid}/coupons/{coupon_code}/deactivate */
  async deactivateCoupon(p: DeactivateCouponParams): Promise<UserProductCouponEntity> {
    const { openid, coupon_code, ...body } = p
    return this.request('POST', `${userCouponPath({ openid, coupon_code })}/deactivate`, body)
  }

  /** E15 — POST /users/{openid}/coupons/{coupon_code}/return */
  async returnCoupon(p: ReturnCouponParams): Promise<UserProductCouponEntity> {
    const { openid, coupon_code, ...body } = p
    return this.request('POST', `${userCouponPath({ openid, coupon_code })}/return`, body)
  }

  /**
   * Any APIv3 call: `pathAndQuery` is the request-target below baseUrl, already encoded (it is
   * signed and sent as given). The body is serialised once, so retries resend the same bytes.
   */
  async request<T>(method: HttpMethod, pathAndQuery: string, body?: object): Promise<T> {
    if (!pathAndQuery.startsWith('/')) throw new TypeError('pathAndQuery must start with "/"')
    const target = this.#o.basePath + pathAndQuery
    const url = this.#o.origin + target
    const parsed = new URL(url)
    if (parsed.pathname + parsed.search !== target) {
      throw new TypeError('pathAndQuery is not in canonical form; URL parsing would alter it')
    }
    const bodyText = body === undefined ? undefined : JSON.stringify(body)
    const { retry, sleep, random } = this.#o
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#attempt(method, url, target, bodyText)) as T
      } catch (err) {
        if (!shouldRetry(err, attempt, retry)) throw err
        await sleep(retryDelayMs(attempt, retry, random))
      }
    }
  }

  /** One signed exchange; a retry calls this again, so it gets a fresh timestamp and nonce. */
  async #attempt(
    method: HttpMethod,
    url: string,
    target: string,
    bodyText: string | undefined,
  ): Promise<unknown> {
    const o = this.#o
    const { authorization } = signRequest({
      method,
      url: target,
      body: bodyText ?? '',
      mchid: o.mchid,
      serialNo: o.serialNo,
      privateKey: o.privateKey,
      timestamp: Math.floor(o.nowSeconds()),
    })
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: authorization,
      'User-Agent': o.userAgent,
      'Wechatpay-Serial': o.platformPublicKeyId,
    }
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json'

    const doFetch = o.fetch
    let status: number
    let responseHeaders: Record<string, string>
    let raw: string
    try {
      const res = await doFetch(url, {
        method,
        headers,
        body: bodyText ?? null,
        // A followed redirect would reach a target that was never signed; report it instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs),
      })
      status = res.status
      responseHeaders = lowerCaseHeaders(res.headers)
      raw = UTF8.decode(await res.arrayBuffer())
    } catch (err) {
      throw connectionError(method, target, err, o.timeoutMs)
    }

    // Error answers are not verified (protocol §4.2): the SDKs only trust-check success.
    if (status < 200 || status > 299) throw errorFromResponse(status, raw, responseHeaders)

    const requestId = responseHeaders['request-id']
    const context = {
      status,
      headers: responseHeaders,
      raw,
      ...(requestId === undefined ? {} : { requestId }),
    }
    const verification = verifyResponseSignature({
      headers: (name) => responseHeaders[name.toLowerCase()],
      body: raw,
      publicKey: o.platformPublicKey,
      publicKeyId: o.platformPublicKeyId,
      nowSeconds: o.nowSeconds(),
    })
    if (!verification.ok) {
      throw new SignatureVerificationError({
        message: `Response signature verification failed: ${verification.reason}`,
        reason: verification.reason,
        ...context,
      })
    }
    if (raw === '') return undefined
    try {
      return JSON.parse(raw)
    } catch (err) {
      throw new ApiError({ message: 'Response body is not valid JSON', cause: err, ...context })
    }
  }
}

function connectionError(
  method: string,
  target: string,
  cause: unknown,
  timeoutMs: number,
): ConnectionError {
  // The query is left out: it is enough to locate the call and keeps logs shorter.
  const where = `${method} ${target.split('?')[0]}`
  const name = (cause as { name?: unknown } | null)?.name
  if (name === 'TimeoutError') {
    return new ConnectionError({
      message: `Request timed out after ${timeoutMs} ms: ${where}`,
      cause,
    })
  }
  const why = cause instanceof Error ? cause.message : String(cause)
  return new ConnectionError({ message: `Request failed: ${where}: ${why}`, cause })
}
