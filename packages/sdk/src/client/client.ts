import { signRequest, verifyResponseSignature } from '../protocol/index.ts'
import {
  API_PREFIX,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationSpec,
} from '../schemas/operations.ts'
import {
  ApiError,
  ConnectionError,
  errorFromResponse,
  lowerCaseHeaders,
  SignatureVerificationError,
} from './errors.ts'
import { buildOperationRequest } from './operation-request.ts'
import { type ResolvedOptions, resolveOptions, type WxCouponClientOptions } from './options.ts'
import { paginate } from './paginate.ts'
import type { OperationMethods } from './params.ts'
import { retryDelayMs, shouldRetry } from './retry.ts'

export type { WxCouponClientOptions } from './options.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

// ignoreBOM: the signature covers the bytes as sent, so a leading BOM must survive decoding.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * WeChat Pay APIv3 partner product-coupon (商品券) client. Every request is signed with the
 * merchant key, every 2xx answer is verified against the platform public key before it is
 * parsed, and failures surface as the classes in errors.ts. It has one method per operation of
 * the operation table (`returnCoupon`, `sendCoupon`, …) and an iterator per paged list, made
 * from the table below; they are async, so bad arguments reject the returned promise rather
 * than throwing synchronously.
 */
// The operation methods are defined on the prototype from the table, below the class.
export interface WxCouponClient extends OperationMethods {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above names the methods defined on the prototype below
export class WxCouponClient {
  // A private field keeps the key material out of util.inspect, JSON.stringify and spreads.
  readonly #o: ResolvedOptions

  constructor(options: WxCouponClientOptions) {
    this.#o = resolveOptions(options)
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
    const { retry, sleep, random, onRetry } = this.#o
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#attempt(method, url, target, bodyText)) as T
      } catch (err) {
        if (!shouldRetry(err, attempt, retry)) throw err
        const delayMs = retryDelayMs(attempt, retry, random)
        onRetry?.({ method, target, retry: attempt + 1, delayMs, error: err })
        await sleep(delayMs)
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
  define(op.sdk, async function (params) {
    const { pathAndQuery, body } = buildOperationRequest(op, params)
    return this.request(op.method, API_PREFIX + pathAndQuery, body)
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
