import { signBrandRequestAsync, verifyResponseSignature } from '../protocol/index.ts'
import type { PrivateKeyInput, PublicKeyInput } from '../protocol/rsa.ts'
import {
  BRAND_OPERATION_NAMES,
  BRAND_OPERATIONS,
  type BrandableName,
  type BrandBodyOf,
  type BrandQueryOf,
  type BrandResponseOf,
} from '../schemas/brand-operations.ts'
import type { PathOf } from '../schemas/operation-types.ts'
import { type Operations, operationPath } from '../schemas/operations.ts'
import type { HttpMethod } from './client.ts'
import { SignatureVerificationError } from './errors.ts'
import { answerBody, exchange } from './exchange.ts'
import { buildOperationRequest } from './operation-request.ts'
import { type ResolvedOptions, resolveOptions, type WxCouponClientOptions } from './options.ts'
import { paginate } from './paginate.ts'
import { sendWithRetries } from './retry.ts'

/**
 * Brand-direct (品牌直连) client: a brand calling /brand/marketing/product-coupon in its own
 * name. Every request is signed under WECHATPAY-BRAND-SHA256-RSA2048 with the brand API key
 * and carries the brand's WeChat Pay public key id as Wechatpay-Serial (required in brand
 * mode); every 2xx answer must be signed under that id and verify with that key (brand mode
 * has no platform certificates). One method per brand operation, named as the partner
 * client's (`createProductCoupon`, `sendCoupon`, …) and taking the same parameters without
 * brand_id; the answers carry no brand_id.
 */
export interface BrandClientOptions
  extends Pick<
    WxCouponClientOptions,
    | 'baseUrl'
    | 'fetch'
    | 'nowSeconds'
    | 'sleep'
    | 'random'
    | 'retry'
    | 'onRetry'
    | 'timeoutMs'
    | 'userAgent'
  > {
  brandId: string
  /** Serial of the brand API certificate whose private key signs. */
  serialNo: string
  /** PKCS#8 PEM text, a path to a PEM file, or a KeyObject. */
  privateKey: PrivateKeyInput
  /** The brand's WeChat Pay public key (PEM text, a path, or a KeyObject). */
  publicKey: PublicKeyInput
  /** Its id, `PUB_KEY_ID_…`. */
  publicKeyId: string
}

type NumericPageSize<Q> = Q extends { page_size?: string }
  ? Omit<Q, 'page_size'> & { page_size?: number }
  : Q
export type BrandParamsOf<K extends BrandableName> = PathOf<K> &
  NumericPageSize<BrandQueryOf<K>> &
  BrandBodyOf<K>
type Args<P> = Record<never, never> extends P ? [params?: P] : [params: P]
type Paged = {
  [K in BrandableName]: Operations[K] extends { readonly page: object } ? K : never
}[BrandableName]
type BrandItemOf<K extends Paged> = BrandResponseOf<K>[Operations[K]['page']['items'] &
  keyof BrandResponseOf<K>] extends readonly (infer T)[]
  ? T
  : never

export type BrandOperationMethods = {
  [K in BrandableName as Operations[K]['sdk']]: (
    ...args: Args<BrandParamsOf<K>>
  ) => Promise<BrandResponseOf<K>>
} & {
  [K in Paged as Operations[K]['page']['iterator']]: (
    params: Omit<BrandParamsOf<K>, 'page_token'>,
  ) => AsyncIterableIterator<BrandItemOf<K>>
}

// The operation methods are defined on the prototype from the derived table, below.
export interface WxCouponBrandClient extends BrandOperationMethods {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above names the methods defined on the prototype below
export class WxCouponBrandClient {
  readonly #o: ResolvedOptions
  readonly #publicKeyId: string

  constructor(options: BrandClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('WxCouponBrandClient needs an options object')
    }
    const { brandId, publicKey, publicKeyId, ...rest } = options
    if (typeof publicKeyId !== 'string' || !/^PUB_KEY_ID_[0-9]+$/.test(publicKeyId)) {
      throw new TypeError('publicKeyId must be the PUB_KEY_ID_… of the brand')
    }
    // The partner client's option checks, with the brand in the caller's place.
    this.#o = resolveOptions({
      ...rest,
      mchid: brandId,
      platformPublicKey: publicKey,
      platformPublicKeyId: publicKeyId,
    })
    this.#publicKeyId = publicKeyId
  }

  /** Any brand call: `pathAndQuery` below baseUrl, already encoded (signed as given). */
  async request<T>(method: HttpMethod, pathAndQuery: string, body?: object): Promise<T> {
    const bodyText = body === undefined ? undefined : JSON.stringify(body)
    return sendWithRetries<T>(this.#o, method, pathAndQuery, (url, target) =>
      this.#attempt(method, url, target, bodyText),
    )
  }

  async #attempt(
    method: HttpMethod,
    url: string,
    target: string,
    bodyText: string | undefined,
  ): Promise<unknown> {
    const o = this.#o
    const signed = await signBrandRequestAsync({
      method,
      url: target,
      body: bodyText ?? '',
      brandId: o.mchid,
      serialNo: o.serialNo,
      privateKey: o.privateKey,
      timestamp: Math.floor(o.nowSeconds()),
    })
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: signed.authorization,
      'User-Agent': o.userAgent,
      'Wechatpay-Serial': this.#publicKeyId,
    }
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json'
    const context = await exchange(o, {
      method,
      url,
      target,
      headers,
      body: bodyText,
      signed,
    })
    // Only the brand's own key: trust() holds nothing else for this client.
    const verification = verifyResponseSignature({
      ...o.platformKeys.trust(o.nowSeconds()),
      headers: (name) => context.headers[name.toLowerCase()],
      body: context.raw,
    })
    if (!verification.ok) {
      throw new SignatureVerificationError({
        message: `Response signature verification failed: ${verification.reason}`,
        reason: verification.reason,
        ...context,
      })
    }
    return answerBody(context)
  }
}

type Method = (this: WxCouponBrandClient, params?: object) => unknown
type Page = { next_page_token?: string } & Record<string, unknown>

function define(name: string, fn: Method): void {
  Object.defineProperty(fn, 'name', { value: name })
  Object.defineProperty(WxCouponBrandClient.prototype, name, {
    value: fn,
    writable: true,
    configurable: true,
  })
}

for (const name of BRAND_OPERATION_NAMES) {
  const op = BRAND_OPERATIONS[name]
  const shape = { ...op, path: operationPath(op) }
  define(op.sdk, async function (params) {
    const { pathAndQuery, body } = buildOperationRequest(shape, params)
    return this.request(op.method, pathAndQuery, body)
  })
  const page = op.page
  if (page) {
    const call = op.sdk
    define(page.iterator, function (params) {
      const list = (this as unknown as Record<string, Method>)[call] as Method
      const fetchPage = (p: object) => list.call(this, { ...params, ...p }) as Promise<Page>
      return paginate(fetchPage, (answer) => answer[page.items] as readonly unknown[])
    })
  }
}
