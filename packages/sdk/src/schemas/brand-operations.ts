import type { TSchema } from 'typebox'
import type { BodyOf, PathOf, QueryOf, ResponseOf } from './operation-types.ts'
import {
  OPERATION_NAMES,
  OPERATIONS,
  type OperationName,
  type OperationSpec,
  type Operations,
  type RateLimit,
} from './operations.ts'

/**
 * Brand-direct mode (品牌直连): every product-coupon operation of the table again, under
 * /brand/marketing/product-coupon, for a brand that calls in its own name. Derived, never
 * written out: each brand operation is its partner twin (same revision, same rules) with the
 * prefix swapped and `brand_id` taken out of its query, body and answer — the brand signature
 * names the brand, and brand answers carry no brand_id. The derivation strips every schema
 * member of the entry, whatever it is called, so members added to the partner table later
 * (per-revision shapes, new operations) get their brand twin with no change here. Operations
 * outside the product-coupon prefix (GET /v3/certificates: brand mode has no platform
 * certificates) have none.
 */

export const BRAND_PREFIX = '/brand/marketing/product-coupon'

/** The partner operations that have a brand twin: those below the product-coupon prefix not marked `brand: false`. */
export type BrandableName = {
  [K in OperationName]: Operations[K] extends { readonly prefix: string }
    ? never
    : Operations[K] extends { readonly brand: false }
      ? never
      : K
}[OperationName]

/** `brand_` + the partner name: how rate limits, faults and the journal name a brand call. */
export type BrandOperationName = `brand_${BrandableName}`

export interface BrandOperationSpec extends OperationSpec {
  readonly prefix: typeof BRAND_PREFIX
  /** The partner twin whose service runs it. */
  readonly partner: BrandableName
}

/** A schema with every `brand_id` member taken out, at any depth. */
export function withoutBrandId<S extends TSchema>(schema: S): S {
  return strip(schema) as S
}

const COMBINATORS = ['anyOf', 'oneOf', 'allOf'] as const

/** Nodes without a brand_id below them come back as they are (named schemas stay named). */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) {
    const out = node.map(strip)
    return out.every((v, i) => v === node[i]) ? node : out
  }
  if (node === null || typeof node !== 'object') return node
  const s = node as Record<string, unknown>
  const out: Record<string, unknown> = { ...s }
  let changed = false
  const props = s.properties as Record<string, unknown> | undefined
  if (props && typeof props === 'object') {
    const kept: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(props)) {
      if (k === 'brand_id') {
        changed = true
        continue
      }
      kept[k] = strip(v)
      if (kept[k] !== v) changed = true
    }
    out.properties = kept
    if (Array.isArray(s.required)) out.required = s.required.filter((r) => r !== 'brand_id')
  }
  for (const key of ['items', ...COMBINATORS] as const) {
    if (s[key] === undefined) continue
    out[key] = strip(s[key])
    if (out[key] !== s[key]) changed = true
  }
  return changed ? out : node
}

/** A schema-shaped value: a JSON Schema node as TypeBox builds them. */
function isSchema(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const o = v as Record<string, unknown>
  return 'type' in o || 'properties' in o || COMBINATORS.some((c) => c in o)
}

/** Every schema member of an entry (and of nested plain records of schemas) without brand_id. */
function stripEntry(value: unknown): unknown {
  if (isSchema(value)) return strip(value)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = stripEntry(v)
  return out
}

/** An object schema left with no members (BrandQuery was only brand_id): no query at all. */
function emptyObject(s: unknown): boolean {
  const p = (s as { properties?: object } | undefined)?.properties
  return p !== undefined && Object.keys(p).length === 0
}

/**
 * Brand interface limits, per brand: the user-coupon calls keep their 500/s, every other one is
 * 20/s (the brand pages give create 20/s where partners have 1,000/min).
 */
const BRAND_MANAGEMENT: RateLimit = { limit: 20, perSeconds: 1 }

function brandRateLimit(partner: RateLimit): RateLimit {
  return partner.perSeconds === 1 && partner.limit >= 500 ? partner : BRAND_MANAGEMENT
}

export function brandTwin(name: BrandableName, op: OperationSpec): BrandOperationSpec {
  const twin = stripEntry(op) as Record<string, unknown>
  if (emptyObject(twin.query)) delete twin.query
  return {
    ...(twin as unknown as OperationSpec),
    rateLimit: brandRateLimit(op.rateLimit),
    prefix: BRAND_PREFIX,
    partner: name,
    summary: op.summary.replace(/\s*\(no brand_id\)/, '').replace("partner's", "brand's"),
  }
}

export const BRANDABLE_NAMES = OPERATION_NAMES.filter((n): n is BrandableName => {
  const op: OperationSpec = OPERATIONS[n]
  return op.prefix === undefined && op.brand !== false
})

export const BRAND_OPERATIONS = Object.fromEntries(
  BRANDABLE_NAMES.map((n) => [`brand_${n}`, brandTwin(n, OPERATIONS[n])]),
) as Readonly<Record<BrandOperationName, BrandOperationSpec>>

export const BRAND_OPERATION_NAMES = Object.keys(BRAND_OPERATIONS) as BrandOperationName[]

export function brandName(partner: BrandableName): BrandOperationName {
  return `brand_${partner}`
}

/** Every operation the WeChat-compatible API serves, partner and brand. */
export type ApiOperationName = OperationName | BrandOperationName

export function isApiOperationName(name: string): name is ApiOperationName {
  return Object.hasOwn(OPERATIONS, name) || Object.hasOwn(BRAND_OPERATIONS, name)
}

export function apiOperation(name: ApiOperationName): OperationSpec {
  return Object.hasOwn(BRAND_OPERATIONS, name)
    ? BRAND_OPERATIONS[name as BrandOperationName]
    : OPERATIONS[name as OperationName]
}

// Types of a brand call: its partner twin's, brand_id taken out.

/** `T` with every `brand_id` member taken out, at any depth. */
export type WithoutBrandId<T> = T extends readonly (infer E)[]
  ? WithoutBrandId<E>[]
  : T extends object
    ? { [P in keyof T as P extends 'brand_id' ? never : P]: WithoutBrandId<T[P]> }
    : T

export type BrandPathOf<K extends BrandableName> = PathOf<K>
export type BrandQueryOf<K extends BrandableName> = Omit<QueryOf<K>, 'brand_id'>
export type BrandBodyOf<K extends BrandableName> = Omit<BodyOf<K>, 'brand_id'>
export type BrandResponseOf<K extends BrandableName> = WithoutBrandId<ResponseOf<K>>
