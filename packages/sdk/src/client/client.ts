import {
  decryptCallbackResource,
  signRequestAsync,
  verifyResponseSignature,
} from '../protocol/index.ts'
import {
  OPERATION_NAMES,
  OPERATIONS,
  type OperationSpec,
  operationPath,
} from '../schemas/operations.ts'
import type { Revision } from '../schemas/revision-2025-11.ts'
import { ApiError, SignatureVerificationError } from './errors.ts'
import { answerBody, exchange } from './exchange.ts'
import { buildOperationRequest } from './operation-request.ts'
import { type ResolvedOptions, resolveOptions, type WxCouponClientOptions } from './options.ts'
import { paginate } from './paginate.ts'
import type { OperationMethods } from './params.ts'
import { sendWithRetries } from './retry.ts'

export type { WxCouponClientOptions } from './options.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

// ignoreBOM: the signature covers the bytes as sent, so a leading BOM must survive decoding.
/**
 * WeChat Pay APIv3 partner product-coupon (商品券) client. Every request is signed with the
 * merchant key, every 2xx answer is verified against the platform key its Wechatpay-Serial
 * names (the public key, or a platform certificate) before it is parsed, and failures surface
 * as the classes in errors.ts. It has one method per operation of the operation table
 * (`returnCoupon`, `sendCoupon`, `getCertificates`, …) and an iterator per paged list, made
 * from the table below; they are async, so bad arguments reject the returned promise rather
 * than throwing synchronously.
 */
// The operation methods are defined on the prototype from the table, below the class.
export interface WxCouponClient extends OperationMethods {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above names the methods defined on the prototype below
export class WxCouponClient {
  // A private field keeps the key material out of util.inspect, JSON.stringify and spreads.
  readonly #o: ResolvedOptions
  #refreshing: Promise<string[]> | undefined

  constructor(options: WxCouponClientOptions) {
    this.#o = resolveOptions(options)
  }

  /** The API revision this client speaks (option `revision`, default 2025-08). */
  get revision(): Revision {
    return this.#o.revision
  }

  /**
   * Any APIv3 call: `pathAndQuery` is the request-target below baseUrl, already encoded (it is
   * signed and sent as given). The body is serialised once, so retries resend the same bytes.
   */
  request<T>(method: HttpMethod, pathAndQuery: string, body?: object): Promise<T> {
    return this.#request<T>(method, pathAndQuery, body)
  }

  /**
   * Downloads the platform certificates (GET /v3/certificates), decrypts them with the APIv3
   * key, checks that the answer is signed by one of them (or by a key already held), and adds
   * them to the keys the client verifies with. Returns the serials listed. The client calls it
   * by itself when an answer names a certificate it does not hold; calls made meanwhile share
   * one download.
   */
  refreshPlatformCertificates(): Promise<string[]> {
    this.#refreshing ??= this.#download().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  async #download(): Promise<string[]> {
    const apiv3Key = this.#o.apiv3Key
    if (apiv3Key === undefined) {
      throw new TypeError('refreshPlatformCertificates needs the apiv3Key option')
    }
    let listed = new Map<string, string>()
    await this.#request('GET', '/v3/certificates', undefined, (raw) => {
      listed = decryptCertificates(raw, apiv3Key)
      return listed
    })
    for (const [serial, pem] of listed) this.#o.platformKeys.add(serial, pem)
    return [...listed.keys()]
  }

  /** `download`: the certificate download, verified with the certificates it brings. */
  async #request<T>(
    method: HttpMethod,
    pathAndQuery: string,
    body: object | undefined,
    download?: Download,
  ): Promise<T> {
    const bodyText = body === undefined ? undefined : JSON.stringify(body)
    return sendWithRetries<T>(this.#o, method, pathAndQuery, (url, target) =>
      this.#attempt(method, url, target, bodyText, download),
    )
  }

  /** One signed exchange; a retry calls this again, so it gets a fresh timestamp and nonce. */
  async #attempt(
    method: HttpMethod,
    url: string,
    target: string,
    bodyText: string | undefined,
    download: Download | undefined,
  ): Promise<unknown> {
    const o = this.#o
    const signed = await signRequestAsync({
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
      Authorization: signed.authorization,
      'User-Agent': o.userAgent,
    }
    const platformSerial = o.platformKeys.requestSerial()
    if (platformSerial !== undefined) headers['Wechatpay-Serial'] = platformSerial
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json'

    const context = await exchange(o, {
      method,
      url,
      target,
      headers,
      body: bodyText,
      signed,
    })
    const responseHeaders = context.headers
    const raw = context.raw
    const serial = responseHeaders['wechatpay-serial']
    let brought: ReadonlyMap<string, string> = new Map()
    if (download) {
      brought = download(raw)
    } else if (serial !== undefined && o.apiv3Key !== undefined && !o.platformKeys.has(serial)) {
      // A certificate we do not hold yet, e.g. the new one of a rotation: fetch the list once.
      try {
        await this.refreshPlatformCertificates()
      } catch (err) {
        throw new SignatureVerificationError({
          message: `Response signed under ${serial}, which the platform certificate download did not bring`,
          reason: 'serial_mismatch',
          cause: err,
          ...context,
        })
      }
    }
    const trust = o.platformKeys.trust(o.nowSeconds())
    const verification = verifyResponseSignature({
      ...trust,
      keyFor: (s) => brought.get(s) ?? trust.keyFor?.(s),
      headers: (name) => responseHeaders[name.toLowerCase()],
      body: raw,
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

/** The certificates a download brings, serial → PEM; called on the raw answer before it is verified. */
type Download = (raw: string) => ReadonlyMap<string, string>

/**
 * The certificates of a GET /v3/certificates answer, decrypted. AES-GCM under the APIv3 key
 * authenticates each of them; the answer's signature is then checked with them.
 */
function decryptCertificates(raw: string, apiv3Key: string): Map<string, string> {
  const out = new Map<string, string>()
  let data: unknown
  try {
    data = (JSON.parse(raw) as { data?: unknown }).data
  } catch (err) {
    throw new ApiError({ message: 'Certificate download answer is not valid JSON', cause: err })
  }
  if (!Array.isArray(data)) {
    throw new ApiError({ message: 'Certificate download answer has no data list' })
  }
  for (const item of data as Record<string, unknown>[]) {
    const e = (item?.encrypt_certificate ?? {}) as Record<string, unknown>
    const serial = item?.serial_no
    if (typeof serial !== 'string') {
      throw new ApiError({ message: 'Certificate download answer lists one without serial_no' })
    }
    try {
      out.set(
        serial,
        decryptCallbackResource({
          ciphertext: String(e.ciphertext),
          apiv3Key,
          associatedData: String(e.associated_data),
          nonce: String(e.nonce),
        }),
      )
    } catch (err) {
      throw new ApiError({
        message: `Platform certificate ${serial} does not decrypt with the APIv3 key`,
        cause: err,
      })
    }
  }
  return out
}

type Method = (this: WxCouponClient, params?: object) => unknown
type Page = { next_page_token?: string } & Record<string, unknown>

function define(name: string, fn: Method): void {
  Object.defineProperty(fn, 'name', { value: name })
  Object.defineProperty(WxCouponClient.prototype, name, {
    value: fn,
    writable: true,
    configurable: true,
  })
}

for (const name of OPERATION_NAMES) {
  const op: OperationSpec = OPERATIONS[name]
  const shape = { ...op, path: operationPath(op) }
  // A later revision's list queries have members of their own (stock_bundle_id, …).
  const later = op.revisions?.['2025-11']?.query
  const revised = later ? { ...shape, query: later } : shape
  define(op.sdk, async function (params) {
    const s = this.revision === '2025-08' ? shape : revised
    const { pathAndQuery, body } = buildOperationRequest(s, params)
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

/** A client whose methods are typed by revision `R` (runtime: the same WxCouponClient). */
export type WxCouponClientFor<R extends Revision> = Omit<WxCouponClient, keyof OperationMethods> &
  OperationMethods<R>

/**
 * A client for a partner on revision `R`: `clientFor({ ...options, revision: '2025-11' })` has
 * sendCouponBundle, preSendCoupon, … and its useCoupon takes no sequential_coupon_index.
 */
export function clientFor<R extends Revision>(
  options: WxCouponClientOptions & { revision: R },
): WxCouponClientFor<R> {
  return new WxCouponClient(options) as unknown as WxCouponClientFor<R>
}
