import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signRequest } from '../../packages/sdk/src/protocol/authorization.ts'
import { signBrandRequest } from '../../packages/sdk/src/protocol/brand-authorization.ts'
import { verifyResponseSignature } from '../../packages/sdk/src/protocol/response-signature.ts'
import type { SandboxFile } from '../../packages/sdk/src/schemas/sandbox-file.ts'
import { ERRORS } from '../../src/domain/errors.ts'
import { type BehaviourSettings, behaviour } from '../../src/domain/settings.ts'
import { type RunningServer, type StartOptions, startServer } from '../../src/server/start.ts'
import type { Store } from '../../src/store/store.ts'

/**
 * A real server on a loopback port with its own data dir, and a client that signs like an
 * official one. Every response it sees is checked against the contract: signed, Request-ID,
 * errors in the catalogue's exact shape, nothing leaked.
 */

export interface PartnerCreds {
  mchid: string
  serialNo: string
  privateKey: KeyObject
}

/** A brand calling in its own name (/brand/…). */
export interface BrandCreds {
  brandId: string
  serialNo: string
  privateKey: KeyObject
  publicKeyId: string
  publicKey: KeyObject
}

export interface CallOptions {
  partner?: PartnerCreds
  /** brandCall: another brand's credentials. */
  brand?: BrandCreds
  /** Bytes to send instead of JSON.stringify(body). */
  rawBody?: string
  headers?: Record<string, string>
  timestamp?: number
  nonce?: string
  /** Sign these instead of what is sent (to forge mismatches). */
  signUrl?: string
  signBody?: string
  signMethod?: string
  /** Replace the Authorization header entirely; null omits it. */
  authorization?: string | null
  contentType?: string | null
}

export interface Reply {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
  json: any
}

const CATALOGUE = new Set(Object.values(ERRORS).map((e) => `${e.status} ${e.code} ${e.message}`))
const LEAK =
  /\bat \S+ \(|\.ts:\d|\.js:\d|SELECT |INSERT |UPDATE |SQLITE|sqlite|node_modules|\/tmp\/|\/root\/|\/work\//
const KEY = /BEGIN [A-Z ]*KEY/

export interface TestServerOptions {
  settings?: BehaviourSettings
  /** PostgreSQL instead of the data dir's SQLite file (several instances may share it). */
  databaseUrl?: string
  /** Opens the store at each start (a wrapped or deliberately broken one). */
  openStore?: () => Store
  /** The server's real time in seconds (signature windows), for tests of their edges. */
  realNowSeconds?: () => number
  /** Also serve the intercepting proxy (sandbox.json proxy_url). */
  proxyPort?: number
  /** The server's log (default: none). */
  logger?: StartOptions['logger']
}

export class TestServer {
  server!: RunningServer
  readonly dataDir: string
  readonly settings: BehaviourSettings | undefined
  readonly #options: TestServerOptions
  platformKey!: KeyObject
  partner!: PartnerCreds
  /** The bootstrap brand's direct credentials (sandbox.json brand_direct). */
  brand!: BrandCreds
  /** Brand WeChat Pay keys answers may be signed with (key id → key). */
  readonly brandKeys = new Map<string, KeyObject>()
  /** Platform certificates answers may be signed with (partners in the certificate modes). */
  readonly certificates = new Map<string, KeyObject>()

  constructor(dataDir: string, options: TestServerOptions = {}) {
    this.dataDir = dataDir
    this.settings = options.settings
    this.#options = options
  }

  get sandbox(): SandboxFile {
    return this.server.sandbox
  }

  get baseUrl(): string {
    return this.server.baseUrl
  }

  async start(): Promise<this> {
    const o = this.#options
    this.attach(
      await startServer({
        port: 0,
        dataDir: this.dataDir,
        ...(this.settings ? { settings: this.settings } : {}),
        ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
        ...(o.openStore ? { store: o.openStore() } : {}),
        ...(o.realNowSeconds ? { realNowSeconds: o.realNowSeconds } : {}),
        ...(o.proxyPort === undefined ? {} : { proxyPort: o.proxyPort }),
        ...(o.logger === undefined ? {} : { logger: o.logger }),
      }),
    )
    return this
  }

  /** Talks to `server` (in this process, or a facade over a server process). */
  protected attach(server: RunningServer): void {
    this.server = server
    const s = server.sandbox
    this.platformKey = createPublicKey(readFileSync(s.platform.public_key_file, 'utf8'))
    this.partner = {
      mchid: s.partner.mchid,
      serialNo: s.partner.serial_no,
      privateKey: createPrivateKey(readFileSync(s.partner.private_key_file, 'utf8')),
    }
    const b = s.brand_direct
    if (b) {
      this.brand = {
        brandId: b.brand_id,
        serialNo: b.serial_no,
        privateKey: createPrivateKey(readFileSync(b.private_key_file, 'utf8')),
        publicKeyId: b.public_key_id,
        publicKey: createPublicKey(readFileSync(b.public_key_file, 'utf8')),
      }
      this.brandKeys.set(b.public_key_id, this.brand.publicKey)
    }
  }

  /** Accepts answers signed with this brand's WeChat Pay key too. */
  trustBrand(brand: BrandCreds): void {
    this.brandKeys.set(brand.publicKeyId, brand.publicKey)
  }

  /**
   * A brand-signed call (WECHATPAY-BRAND-SHA256-RSA2048) with the brand's Wechatpay-Serial;
   * `o.headers` may override or (with '') blank it, `o.authorization` replace the header.
   */
  async brandCall(
    method: string,
    path: string,
    body?: unknown,
    o: CallOptions = {},
  ): Promise<Reply> {
    const brand = o.brand ?? this.brand
    const text = o.rawBody ?? (body === undefined ? '' : JSON.stringify(body))
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Wechatpay-Serial': brand.publicKeyId,
    }
    if (text !== '' && o.contentType !== null) {
      headers['Content-Type'] = o.contentType ?? 'application/json'
    }
    if (o.authorization !== null) {
      headers.Authorization =
        o.authorization ??
        signBrandRequest({
          method: o.signMethod ?? method,
          url: o.signUrl ?? path,
          body: o.signBody ?? text,
          brandId: brand.brandId,
          serialNo: brand.serialNo,
          privateKey: brand.privateKey,
          ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
          ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
        }).authorization
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...o.headers },
      ...(text === '' ? {} : { body: text }),
    })
    return this.#check(res, true)
  }

  /** Accepts answers signed with this platform certificate too (serial → PEM). */
  trustCertificate(serialNo: string, certificatePem: string): void {
    this.certificates.set(serialNo, createPublicKey(certificatePem))
  }

  async restart(): Promise<void> {
    await this.server.close()
    await this.start()
  }

  async close(): Promise<void> {
    await this.server.close()
    rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** A signed APIv3 call; `path` is the request-target after the host. */
  async call(method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<Reply> {
    const partner = o.partner ?? this.partner
    const text = o.rawBody ?? (body === undefined ? '' : JSON.stringify(body))
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (text !== '' && o.contentType !== null) {
      headers['Content-Type'] = o.contentType ?? 'application/json'
    }
    if (o.authorization !== null) {
      headers.Authorization =
        o.authorization ??
        signRequest({
          method: o.signMethod ?? method,
          url: o.signUrl ?? path,
          body: o.signBody ?? text,
          mchid: partner.mchid,
          serialNo: partner.serialNo,
          privateKey: partner.privateKey,
          ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
          ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
        }).authorization
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...o.headers },
      ...(text === '' ? {} : { body: text }),
    })
    return this.#check(res, true)
  }

  /** A sandbox control call with the admin token (or another token). */
  async admin(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token ?? this.sandbox.admin_token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return this.#check(res, false)
  }

  async #check(res: Response, wechatApi: boolean): Promise<Reply> {
    const text = await res.text()
    const requestId = res.headers.get('request-id') ?? ''
    assert.match(requestId, /^[0-9A-F]{42}(-\d+)?$/, 'every response carries a Request-ID')
    const serial = res.headers.get('wechatpay-serial') ?? ''
    const certificate = this.certificates.get(serial) ?? this.brandKeys.get(serial)
    const verdict = verifyResponseSignature({
      headers: (n) => res.headers.get(n) ?? undefined,
      body: text,
      publicKey: certificate ?? this.platformKey,
      publicKeyId: certificate ? serial : this.sandbox.platform.public_key_id,
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    assert.deepEqual(
      verdict,
      { ok: true },
      `response signature (${res.status} ${text.slice(0, 80)})`,
    )
    const json = text === '' ? undefined : JSON.parse(text)
    if (res.status >= 400) {
      assert.ok(
        CATALOGUE.has(`${res.status} ${json.code} ${json.message}`),
        `error not in the catalogue: ${res.status} ${text}`,
      )
      assert.deepEqual(
        Object.keys(json).filter((k) => !['code', 'message', 'detail'].includes(k)),
        [],
        'error body is {code, message, detail?}',
      )
      assert.match(requestId, /-\d+$/, 'failed calls carry the numeric code in Request-ID')
    }
    assert.doesNotMatch(text, LEAK, 'no stack trace, SQL or path in a response')
    // Only POST /sandbox/partners hands out a private key, by design.
    if (wechatApi || res.status >= 400) assert.doesNotMatch(text, KEY, 'no key material')
    return { status: res.status, headers: res.headers, text, json }
  }
}

/** Rate limits are off unless a test asks for them: suites fire bursts on one brand. */
export const TEST_SETTINGS = behaviour({
  rateLimits: { enabled: false, per: 'brand', overrides: {} },
})

export async function startTestServer(
  settings: BehaviourSettings = TEST_SETTINGS,
  options: Omit<TestServerOptions, 'settings'> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-test-'))
  return new TestServer(dir, { ...options, settings }).start()
}

export function partnerFrom(p: {
  mchid: string
  serial_no: string
  private_key_pem: string
}): PartnerCreds {
  return { mchid: p.mchid, serialNo: p.serial_no, privateKey: createPrivateKey(p.private_key_pem) }
}

/** The status, code and (optionally) message, field and numeric code of a failed call. */
export function expectError(
  r: Reply,
  status: number,
  code: string,
  message?: string,
  extra: { field?: string; numeric?: number } = {},
): void {
  assert.equal(r.status, status, r.text)
  assert.equal(r.json.code, code, r.text)
  if (message !== undefined) assert.equal(r.json.message, message)
  if (extra.field !== undefined) assert.equal(r.json.detail?.field, extra.field, r.text)
  if (extra.numeric !== undefined) {
    assert.match(r.headers.get('request-id') ?? '', new RegExp(`-${extra.numeric}$`))
  }
}
