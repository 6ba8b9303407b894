import type { TObject, TSchema } from 'typebox'

/** What a table entry (a WeChat operation or a sandbox control) says of its request. */
export interface RequestShape {
  readonly method: string
  readonly path: string
  readonly query?: TObject
  readonly body?: TSchema
}

/**
 * Turns one SDK call into the request a table entry describes: the path with its ids
 * encoded, the query members in the schema's order, and the rest as the body. Built once, so
 * the signed request-target is byte for byte the one sent.
 */

/**
 * encodeURIComponent plus the RFC 3986 sub-delimiters it leaves alone: the WHATWG URL parser
 * that fetch applies would percent-encode `'` in a query, and the request would then no longer
 * be the one that was signed.
 */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function required(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`)
  }
  return value
}

/** One path segment; `.` and `..` are refused because URL parsing would resolve them away. */
function segment(name: string, value: unknown): string {
  const s = required(name, value)
  if (s === '.' || s === '..') throw new TypeError(`${name} must not be a dot segment`)
  return encode(s)
}

/**
 * The query member callers pass as a number (params.ts types it so): `String()` of a fraction,
 * NaN or 1e21 is not the digit string the query schema accepts.
 */
const NUMERIC_MEMBER = 'page_size'

function numberText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer`)
  }
  return String(value)
}

export interface BuiltRequest {
  /** Path and query (below whatever prefix the shape's path is below), already encoded. */
  pathAndQuery: string
  body?: object
}

export function buildOperationRequest(op: RequestShape, params: object = {}): BuiltRequest {
  const given = params as Record<string, unknown>
  const inPath = new Set<string>()
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    inPath.add(name)
    return segment(name, given[name])
  })
  if (op.method === 'GET') return { pathAndQuery: path + queryOf(op, given) }
  if (!op.body) return { pathAndQuery: path }
  const body: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(given)) if (!inPath.has(k)) body[k] = v
  return { pathAndQuery: path, body }
}

/** Required members must be non-empty; an optional member left undefined is not sent at all. */
function queryOf(op: RequestShape, given: Record<string, unknown>): string {
  if (!op.query) return ''
  const mandatory = new Set(op.query.required ?? [])
  const parts: string[] = []
  for (const name of Object.keys(op.query.properties)) {
    const value = name === NUMERIC_MEMBER ? numberText(name, given[name]) : given[name]
    if (value === undefined && !mandatory.has(name)) continue
    parts.push(`${encode(name)}=${encode(required(name, value))}`)
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}
