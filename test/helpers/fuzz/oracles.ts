import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { parseAuthorization } from '../../../packages/sdk/src/protocol/authorization.ts'
import { parseJsonBody } from '../../../src/server/request-body.ts'

/**
 * Oracles that mirror the server's own parser, schemas and Authorization check, so that a
 * generator can tell whether a request it built would get through and make it fail for sure.
 */

/** Matches buildApp's default: larger bodies are refused before they are read. */
export const BODY_LIMIT = 64 * 1024

const validators = new Map<TSchema, (v: unknown) => boolean>()
function check(schema: TSchema): (v: unknown) => boolean {
  let v = validators.get(schema)
  if (!v) {
    const compiled = Compile(schema)
    v = (x) => compiled.Check(x)
    validators.set(schema, v)
  }
  return v
}

/** Whether the server would get past Content-Type, UTF-8, strict JSON and `schema`. */
export function accepted(
  bytes: Buffer,
  schema: TSchema,
  contentType: string | null = 'application/json',
): boolean {
  if (bytes.length > BODY_LIMIT) return false
  try {
    return check(schema)(parseJsonBody(contentType?.trim() ?? undefined, bytes))
  } catch {
    return false
  }
}

/** Whether the body reaches the sandbox handler at all (its hook parses every non-empty body). */
export function parsesAtAll(bytes: Buffer, contentType: string | null): boolean {
  if (bytes.length === 0) return true
  try {
    parseJsonBody(contentType?.trim() ?? undefined, bytes)
    return true
  } catch {
    return false
  }
}

/** HTTP drops optional whitespace around a header value, and so does fetch. */
export function trimOws(v: string): string {
  return v.replace(/^[\t ]+|[\t ]+$/g, '')
}

/**
 * True when an Authorization header, as sent, cannot verify: it does not parse, or the signed
 * material (mchid, nonce, timestamp) or the signature bytes differ from a valid one. A changed
 * serial_no alone is not counted, since how strictly it is matched is the store's business.
 */
export function authDefinitelyFails(sent: string, valid: string): boolean {
  const a = parseAuthorization(trimOws(sent))
  const b = parseAuthorization(valid)
  if (!a.ok || !b.ok) return true
  const x = a.value
  const y = b.value
  if (x.mchid !== y.mchid || x.nonceStr !== y.nonceStr || x.timestamp !== y.timestamp) return true
  if (x.signature === y.signature) return false
  if (x.signature.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(x.signature)) return true
  // Base64 has spare bits in its last character: a different string may decode to the same bytes.
  return !Buffer.from(x.signature, 'base64').equals(Buffer.from(y.signature, 'base64'))
}
