import assert from 'node:assert/strict'
import { verifyResponseSignature } from '../../../packages/sdk/src/protocol/response-signature.ts'
import { ERRORS } from '../../../src/domain/errors.ts'
import type { TestServer } from '../harness.ts'
import { header, type RawReply } from './transport.ts'
import type { HttpCase } from './types.ts'

/**
 * Judging one answer: the checks TestServer.call makes, for replies fetched without it, and
 * the verdict on a case (a 5xx, or a 2xx on a request built to be refused, is a finding).
 */

const CATALOGUE = new Set(Object.values(ERRORS).map((e) => `${e.status} ${e.code} ${e.message}`))
// The harness's leak patterns, for the requests that cannot go through it.
export const LEAK =
  /\bat \S+ \(|\.ts:\d|\.js:\d|SELECT |INSERT |UPDATE |SQLITE|sqlite|node_modules|\/tmp\/|\/root\/|\/work\//
const KEY = /BEGIN [A-Z ]*KEY/

/** What TestServer.call checks, for replies it did not fetch itself. */
export function checkReply(
  s: TestServer,
  r: RawReply,
  o: { wechat: boolean; head: boolean },
): void {
  const requestId = header(r.headers, 'request-id') ?? ''
  assert.match(requestId, /^[0-9A-F]{42}(-\d+)?$/, 'every response carries a Request-ID')
  // A HEAD reply is signed over the body a GET would have had, which is not sent.
  if (!o.head) {
    const verdict = verifyResponseSignature({
      headers: (n) => header(r.headers, n),
      body: r.text,
      publicKey: s.platformKey,
      publicKeyId: s.sandbox.platform.public_key_id,
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    assert.deepEqual(verdict, { ok: true }, `response signature (${r.status})`)
  }
  if (r.status >= 400 && !o.head) {
    const json = JSON.parse(r.text)
    assert.ok(
      CATALOGUE.has(`${r.status} ${json.code} ${json.message}`),
      `error not in the catalogue: ${r.status} ${r.text.slice(0, 200)}`,
    )
    assert.deepEqual(
      Object.keys(json).filter((k) => !['code', 'message', 'detail'].includes(k)),
      [],
      'error body is {code, message, detail?}',
    )
    assert.match(requestId, /-\d+$/, 'failed calls carry the numeric code in Request-ID')
  }
  assert.doesNotMatch(r.text, LEAK, 'no stack trace, SQL or path in a response')
  if (o.wechat || r.status >= 400) assert.doesNotMatch(r.text, KEY, 'no key material')
}

export interface Outcome {
  /** `status code` for the breakdown. */
  key: string
  problem?: string
  /** The product coupon an accepted schema-valid create made. */
  created?: string
  sentBody?: Buffer
}

export function codeOf(text: string): string {
  try {
    return (JSON.parse(text) as { code?: string }).code ?? '-'
  } catch {
    return text === '' ? '(empty)' : '(not JSON)'
  }
}

export function judge(
  c: HttpCase,
  status: number,
  text: string,
): Pick<Outcome, 'problem' | 'created'> {
  if (status >= 500) return { problem: `${status} ${text.slice(0, 200)}` }
  if (status >= 200 && status < 300 && c.mutating) {
    if (c.mayCreate) {
      return { created: (JSON.parse(text) as { product_coupon_id: string }).product_coupon_id }
    }
    return { problem: `a bad request was accepted: ${status} ${text.slice(0, 200)}` }
  }
  return {}
}
