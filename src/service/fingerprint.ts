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
  return createHash('sha256')
    .update(canonicalJson({ ...extra, body: knownFields(schema)(body) }))
    .digest('base64url')
}

type Project = (v: unknown) => unknown

const projections = new WeakMap<object, Project>()

/**
 * The value with only the fields its schema declares: what `Value.Clean` keeps, as a function
 * built once per schema. Fingerprints are stored with request numbers, so this must agree with
 * Value.Clean exactly (fingerprint.test.ts); shapes it does not model go to Value.Clean.
 */
export function knownFields(schema: TSchema): Project {
  let p = projections.get(schema)
  if (!p) {
    p = build(schema)
    projections.set(schema, p)
  }
  return p
}

const PRIMITIVE = new Set(['string', 'number', 'integer', 'boolean', 'null'])
const COMPOSITE = ['anyOf', 'oneOf', 'allOf', 'not', '$ref', 'if', 'patternProperties']

function isPrimitive(s: Record<string, unknown>): boolean {
  return (
    typeof s.type === 'string' &&
    PRIMITIVE.has(s.type) &&
    !COMPOSITE.some((k) => k in s) &&
    !('properties' in s) &&
    !('items' in s)
  )
}

function build(schema: TSchema): Project {
  const s = schema as Record<string, unknown>
  if (isPrimitive(s)) return (v) => v
  // Enumerations (an enum of values, or a union of primitive literals) keep the value as it is.
  const keys = Object.keys(s).filter((k) => k !== 'type' && k !== 'description')
  if (keys.length === 1 && Array.isArray(s.enum) && s.enum.every((x) => typeof x !== 'object')) {
    return (v) => v
  }
  if (keys.length === 1 && Array.isArray(s.anyOf) && s.anyOf.every(isPrimitive)) {
    return (v) => v
  }
  const plainObject =
    s.type === 'object' &&
    typeof s.properties === 'object' &&
    s.properties !== null &&
    (s.additionalProperties === undefined || s.additionalProperties === false) &&
    !COMPOSITE.some((k) => k in s)
  if (plainObject) {
    const fields = Object.entries(s.properties as Record<string, TSchema>).map(
      ([k, child]) => [k, knownFields(child)] as const,
    )
    return (v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
      const src = v as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const [k, child] of fields) if (Object.hasOwn(src, k)) out[k] = child(src[k])
      return out
    }
  }
  const plainArray =
    s.type === 'array' &&
    typeof s.items === 'object' &&
    s.items !== null &&
    !Array.isArray(s.items) &&
    !COMPOSITE.some((k) => k in s)
  if (plainArray) {
    const item = knownFields(s.items as TSchema)
    return (v) => (Array.isArray(v) ? v.map(item) : v)
  }
  return (v) => Value.Clean(schema, structuredClone(v))
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
