import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import * as requests from '@wxcoupon/sdk/schemas'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { canonicalJson, fingerprint, knownFields } from './fingerprint.ts'

/** The first formula: stored fingerprints were made with it, so retries must keep matching. */
function byValueClean(schema: TSchema, body: unknown, extra: Record<string, unknown>): string {
  const known = Value.Clean(schema, structuredClone(body))
  return createHash('sha256')
    .update(canonicalJson({ ...extra, body: known }))
    .digest('base64url')
}

/** A value of the schema with every optional field present and unknown fields at every level. */
function sample(schema: TSchema, seed: number): unknown {
  const s = schema as Record<string, unknown>
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return s.enum[seed % s.enum.length]
  if (Array.isArray(s.anyOf)) return sample(s.anyOf[seed % s.anyOf.length] as TSchema, seed + 1)
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = { [`unknown_${seed}`]: { nested: [seed] } }
      for (const [k, child] of Object.entries((s.properties ?? {}) as Record<string, TSchema>)) {
        out[k] = sample(child, seed + k.length)
      }
      return out
    }
    case 'array':
      return [sample(s.items as TSchema, seed), sample(s.items as TSchema, seed + 1)]
    case 'integer':
    case 'number':
      return seed
    case 'boolean':
      return seed % 2 === 0
    default:
      return `v${seed}`
  }
}

const schemas = Object.entries(requests as Record<string, unknown>).filter(
  (e): e is [string, TSchema] => typeof e[1] === 'object' && e[1] !== null && 'type' in e[1],
)

test('knownFields keeps exactly what Value.Clean keeps, for every request schema', () => {
  assert.ok(schemas.length >= 15, `${schemas.length} schemas`)
  for (const [name, schema] of schemas) {
    for (const seed of [0, 1, 2, 7]) {
      const body = sample(schema, seed)
      const before = structuredClone(body)
      assert.deepEqual(
        knownFields(schema)(body),
        Value.Clean(schema, structuredClone(body)),
        `${name} seed ${seed}`,
      )
      assert.deepEqual(body, before, `${name}: the request body is left as it was`)
      const extra = { mchid: '1900000001' }
      assert.equal(fingerprint(schema, body, extra), byValueClean(schema, body, extra), name)
    }
  }
})

test('unknown fields and key order do not change a fingerprint; known values do', () => {
  const schema = requests.ReturnCouponBody
  const body = {
    product_coupon_id: '1000000013',
    stock_id: '1000000013001',
    appid: 'wx1234567890abcdef',
    brand_id: '120344',
    out_request_no: 'ret-1',
  }
  const f = fingerprint(schema, body, { mchid: '1' })
  const reordered = Object.fromEntries(Object.entries(body).reverse())
  assert.equal(fingerprint(schema, { ...reordered, extra_field: 1 }, { mchid: '1' }), f)
  assert.notEqual(fingerprint(schema, { ...body, stock_id: '1000000013002' }, { mchid: '1' }), f)
  assert.notEqual(fingerprint(schema, body, { mchid: '2' }), f)
})
