// Test support for the SDK tests: a fake WeChat Pay behind an injected fetch. It checks request
// signatures the way the real service does and signs its answers with a separate platform key,
// written against node:crypto directly so the SDK's own protocol helpers are not trusted here.
import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import type { WxCouponClientOptions } from './client.ts'

function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
}

export const merchantKeys = rsaKeyPair()
export const platformKeys = rsaKeyPair()
export const MCHID = '1900000001'
export const SERIAL_NO = '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB'
export const PUB_KEY_ID = 'PUB_KEY_ID_0119000000012025080400000000000001'
export const NOW = 1754272800
export const BASE_URL = 'https://wx.example.test'

export interface SeenRequest {
  method: string
  url: string
  /** Path and query exactly as sent. */
  target: string
  headers: Record<string, string>
  body: string | undefined
  nonce: string
  timestamp: string
  /** Whether the fake accepted the Authorization header and its signature. */
  signed: boolean
}

export interface Reply {
  status?: number
  body?: string | object
  headers?: Record<string, string>
  /** Added to the clock for Wechatpay-Timestamp. */
  timestampOffset?: number
  serial?: string
  /** Changes the body after it was signed. */
  tamper?: (body: string) => string
}

/** Returns the reply for the n-th request (0-based), or throws to simulate a network failure. */
export type Handler = (req: SeenRequest, n: number) => Reply | Promise<Reply>

const AUTH = /^WECHATPAY2-SHA256-RSA2048 (.+)$/

function checkAuthorization(
  method: string,
  target: string,
  body: string | undefined,
  header: string | undefined,
  now: number,
): { ok: boolean; nonce: string; timestamp: string } {
  const params: Record<string, string> = {}
  for (const m of (AUTH.exec(header ?? '')?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
    params[m[1] ?? ''] = m[2] ?? ''
  }
  const { mchid, serial_no, nonce_str = '', timestamp = '', signature = '' } = params
  const message = `${method}\n${target}\n${timestamp}\n${nonce_str}\n${body ?? ''}\n`
  const ok =
    mchid === MCHID &&
    serial_no === SERIAL_NO &&
    Math.abs(now - Number(timestamp)) <= 300 &&
    verify('sha256', Buffer.from(message), merchantKeys.publicKey, Buffer.from(signature, 'base64'))
  return { ok, nonce: nonce_str, timestamp }
}

export function fakeWechat(handler: Handler, now: () => number = () => NOW) {
  const requests: SeenRequest[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input)
    const parsed = new URL(url)
    const target = parsed.pathname + parsed.search
    const method = init?.method ?? 'GET'
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v
    })
    const body = typeof init?.body === 'string' ? init.body : undefined
    const auth = checkAuthorization(method, target, body, headers.authorization, now())
    const seen: SeenRequest = {
      method,
      url,
      target,
      headers,
      body,
      nonce: auth.nonce,
      timestamp: auth.timestamp,
      signed: auth.ok,
    }
    requests.push(seen)
    const reply: Reply = auth.ok
      ? await handler(seen, requests.length - 1)
      : { status: 401, body: { code: 'SIGN_ERROR', message: '签名错误，请检查后再试' } }
    return signedResponse(reply, now())
  }
  return { fetch, requests }
}

export function signedResponse(reply: Reply, now: number): Response {
  const text =
    reply.body === undefined
      ? ''
      : typeof reply.body === 'string'
        ? reply.body
        : JSON.stringify(reply.body)
  const timestamp = String(Math.floor(now) + (reply.timestampOffset ?? 0))
  const nonce = 'c5ac7061fccab6bf3e254dcf98995b8c'
  const signature = sign(
    'sha256',
    Buffer.from(`${timestamp}\n${nonce}\n${text}\n`),
    platformKeys.privateKey,
  ).toString('base64')
  const sent = reply.tamper ? reply.tamper(text) : text
  // A Response with status 204 must have a null body, not an empty one.
  return new Response(sent === '' ? null : sent, {
    status: reply.status ?? 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Request-ID': '08E68E97CC0610DF0618AC86BCA80120082880CF05',
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature': signature,
      'Wechatpay-Serial': reply.serial ?? PUB_KEY_ID,
      ...reply.headers,
    },
  })
}

export function clientOptions(
  overrides: Partial<WxCouponClientOptions> = {},
): WxCouponClientOptions {
  return {
    mchid: MCHID,
    serialNo: SERIAL_NO,
    privateKey: merchantKeys.privateKey,
    platformPublicKey: platformKeys.publicKey,
    platformPublicKeyId: PUB_KEY_ID,
    baseUrl: BASE_URL,
    nowSeconds: () => NOW,
    sleep: async () => {},
    random: () => 0.5,
    ...overrides,
  }
}

/** Every error a test provoked, so a file can finally check none of them leaks the key. */
export const thrownErrors: unknown[] = []

export async function rejectsWith<E>(
  promise: Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise
  } catch (err) {
    thrownErrors.push(err)
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`)
    return err
  }
  assert.fail(`expected ${cls.name}, but the promise resolved`)
}

export function throwsWith<E>(fn: () => unknown, cls: abstract new (...args: never[]) => E): E {
  try {
    fn()
  } catch (err) {
    thrownErrors.push(err)
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`)
    return err
  }
  assert.fail(`expected ${cls.name}, but nothing was thrown`)
}

/** Any 16-character run of the private key's Base64 body counts as a leak. */
export function assertNoPrivateKeyIn(errors: readonly unknown[]): void {
  assert.ok(errors.length > 0, 'no errors were captured, so nothing was checked')
  const body = merchantKeys.privateKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  const pieces: string[] = []
  for (let i = 0; i + 16 <= body.length; i += 16) pieces.push(body.slice(i, i + 16))
  for (const err of errors) {
    const texts: string[] = []
    for (
      let e: unknown = err;
      e !== undefined && e !== null;
      e = (e as { cause?: unknown }).cause
    ) {
      texts.push(String(e), String((e as { stack?: unknown }).stack ?? ''))
      if (texts.length > 20) break
    }
    const all = texts.join('\n')
    for (const p of pieces) assert.ok(!all.includes(p), `private key material in: ${String(err)}`)
  }
}
