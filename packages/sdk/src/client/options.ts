import type { KeyObject } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { isApiV3Key, type PrivateKeyInput, type PublicKeyInput } from '../protocol/index.ts'
import { REVISIONS, type Revision } from '../schemas/revision-2025-11.ts'
import { loadPrivateKey } from './key-files.ts'
import { nodeFetch } from './node-transport.ts'
import { PlatformKeySet } from './platform-keys.ts'
import { type RetryOptions, resolveRetryOptions } from './retry.ts'
import { SDK_VERSION } from './version.ts'

export interface WxCouponClientOptions {
  /** The partner's merchant number (服务商商户号). */
  mchid: string
  /** Serial number of the merchant API certificate whose private key signs requests. */
  serialNo: string
  /** PKCS#8 PEM text, a path to a PEM file (any string without `-----BEGIN`), or a KeyObject. */
  privateKey: PrivateKeyInput
  /**
   * WeChat Pay public key: SPKI PEM text, a path to a PEM file, or a KeyObject. Give it (with
   * its id), platform certificates, or the APIv3 key to download them — any of them together.
   */
  platformPublicKey?: PublicKeyInput
  /** Id of that key, `PUB_KEY_ID_…`; responses signed under a key not held are rejected. */
  platformPublicKeyId?: string
  /**
   * Platform certificates by serial (partners in certificate or transition key mode): PEM
   * certificate text, a path to one, or a KeyObject.
   */
  platformCertificates?: Readonly<Record<string, PublicKeyInput>>
  /**
   * The partner's APIv3 key. With it, an answer signed under a certificate serial the client
   * does not hold makes it download the platform certificates (GET /v3/certificates) once and
   * verify again, so a certificate rotation needs no restart; see refreshPlatformCertificates.
   */
  apiv3Key?: string
  /** Default `https://api.mch.weixin.qq.com`; may carry a path prefix (kept when signing). */
  baseUrl?: string
  fetch?: typeof fetch
  /** Unix seconds, fractional allowed; signs requests and checks response timestamps. */
  nowSeconds?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Uniform in [0, 1); only used for retry jitter. */
  random?: () => number
  retry?: Partial<RetryOptions>
  /**
   * Called before each retry sleeps, so retries are never silent (an injected fault, a 429):
   * log it, count it, or fail a test on it.
   */
  onRetry?: (event: RetryEvent) => void
  /** Per attempt, covering connect, headers and body. Default 10000. */
  timeoutMs?: number
  /** Replaces the default `wxcoupon-sdk/<version> (node <version>)`. */
  userAgent?: string
  /**
   * The API revision the partner is on: `2025-08` (the default, SINGLE and SEQUENTIAL) or
   * `2025-11` (SINGLE and PROGRESSIVE_BUNDLE). It types the methods (a 2025-11 client has the
   * bundle methods and no SEQUENTIAL fields) and picks the query members lists send.
   */
  revision?: Revision
}

/** What `onRetry` is told: which call, which retry (1 for the first), why, and the wait. */
export interface RetryEvent {
  method: string
  /** The request-target, as signed. */
  target: string
  retry: number
  delayMs: number
  error: unknown
}

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com'

// A record rather than a list, so adding an option to the interface without listing it here
// fails to compile.
const OPTION_KEYS: Record<keyof WxCouponClientOptions, true> = {
  mchid: true,
  serialNo: true,
  privateKey: true,
  platformPublicKey: true,
  platformPublicKeyId: true,
  platformCertificates: true,
  apiv3Key: true,
  baseUrl: true,
  fetch: true,
  nowSeconds: true,
  sleep: true,
  random: true,
  retry: true,
  onRetry: true,
  timeoutMs: true,
  userAgent: true,
  revision: true,
}
const ALLOWED_OPTIONS = Object.keys(OPTION_KEYS)

export interface ResolvedOptions {
  mchid: string
  serialNo: string
  privateKey: KeyObject
  /** The platform keys held; downloads add to them. */
  platformKeys: PlatformKeySet
  apiv3Key?: string
  /** scheme://host[:port] */
  origin: string
  /** Path prefix of baseUrl without a trailing slash; '' for the real service. */
  basePath: string
  fetch: typeof fetch
  nowSeconds: () => number
  sleep: (ms: number) => Promise<void>
  random: () => number
  retry: RetryOptions
  onRetry: ((event: RetryEvent) => void) | undefined
  timeoutMs: number
  userAgent: string
  revision: Revision
}

export function resolveOptions(options: WxCouponClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('WxCouponClient needs an options object')
  }
  const unknown = Object.keys(options).filter((k) => !Object.hasOwn(OPTION_KEYS, k))
  if (unknown.length > 0) {
    throw new TypeError(
      `Unknown option(s) for WxCouponClient: ${unknown.join(', ')}. ` +
        `Allowed options: ${ALLOWED_OPTIONS.join(', ')}`,
    )
  }
  const o = options as Partial<WxCouponClientOptions>
  const { origin, basePath } = parseBaseUrl(o.baseUrl ?? DEFAULT_BASE_URL)
  const timeoutMs = o.timeoutMs ?? 10_000
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('timeoutMs must be a positive number')
  }
  if (o.platformPublicKeyId !== undefined)
    requiredString('platformPublicKeyId', o.platformPublicKeyId)
  // The value is never echoed: it is a secret.
  if (o.apiv3Key !== undefined && !isApiV3Key(o.apiv3Key)) {
    throw new TypeError('apiv3Key must be 32 ASCII letters and digits')
  }
  if (o.revision !== undefined && !REVISIONS.includes(o.revision)) {
    throw new TypeError(`revision must be one of ${REVISIONS.join(', ')}`)
  }
  const platformKeys = new PlatformKeySet(o)
  if (platformKeys.empty && o.apiv3Key === undefined) {
    throw new TypeError(
      'WxCouponClient needs platformPublicKey and platformPublicKeyId, platformCertificates, or apiv3Key (to download the certificates)',
    )
  }
  return {
    mchid: requiredString('mchid', o.mchid),
    serialNo: requiredString('serialNo', o.serialNo),
    privateKey: loadPrivateKey(o.privateKey),
    platformKeys,
    ...(o.apiv3Key === undefined ? {} : { apiv3Key: o.apiv3Key }),
    origin,
    basePath,
    fetch: optionalFunction('fetch', o.fetch) ?? nodeFetch,
    nowSeconds: optionalFunction('nowSeconds', o.nowSeconds) ?? (() => Date.now() / 1000),
    sleep: optionalFunction('sleep', o.sleep) ?? ((ms: number) => delay(ms)),
    random: optionalFunction('random', o.random) ?? Math.random,
    retry: resolveRetryOptions(o.retry),
    onRetry: optionalFunction('onRetry', o.onRetry),
    timeoutMs,
    userAgent:
      o.userAgent === undefined
        ? `wxcoupon-sdk/${SDK_VERSION} (node ${process.version})`
        : requiredString('userAgent', o.userAgent),
    revision: o.revision ?? '2025-08',
  }
}

function requiredString(name: string, value: unknown): string {
  // Header values must stay on one line (protocol §2.2), so control characters are refused here.
  if (typeof value !== 'string' || value === '' || hasControlCharacter(value)) {
    throw new TypeError(`${name} must be a non-empty single-line string`)
  }
  return value
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function`)
  }
  return value
}

function parseBaseUrl(baseUrl: string): { origin: string; basePath: string } {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new TypeError(`baseUrl is not an absolute URL: ${baseUrl}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('baseUrl must use http or https')
  }
  // Requests are signed over path + query; a query or fragment here would make the two disagree.
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError('baseUrl must not carry credentials, a query string or a fragment')
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') }
}
