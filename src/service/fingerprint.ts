import { createHash } from 'node:crypto'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'

/**
 * The fingerprint of a request's significant fields. Built from the parsed, schema-known
 * fields — not from raw bytes — because key order and whitespace may differ between a request
 * and its legitimate retry, and unknown fields are ignored by the API.
 */
export function fingerprint(
  schema: TSchema,
  body: unknown,
  extra: Record<string, unknown>,
): string {
  const known = Value.Clean(schema, structuredClone(body))
  return createHash('sha256')
    .update(canonicalJson({ ...extra, body: known }))
    .digest('base64url')
}

/** JSON with object keys sorted at every depth. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`
  }
  return JSON.stringify(v)
}
