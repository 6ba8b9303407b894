import fc from 'fast-check'
import type { TSchema } from 'typebox'
import { isObject, type Key, own } from './json-tree.ts'
import type { Json } from './types.ts'

/**
 * Random values that satisfy a TypeBox schema, for bodies that must get past validation and
 * reach the service's own rules (refused and schema-valid create cases).
 */

export interface Schema {
  type?: string
  enum?: Json[]
  anyOf?: Schema[]
  const?: Json
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  minLength?: number
  maxLength?: number
  pattern?: string
  minimum?: number
  maximum?: number
}

/** Paths into `value` that `schema` describes, including optional members it lacks. */
export function slots(schema: Schema, value: Json | undefined, path: Key[]): Key[][] {
  const out: Key[][] = path.length ? [path] : []
  if (value === undefined) return out
  if (schema.type === 'object' && isObject(value)) {
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      out.push(...slots(sub, own(value, k), [...path, k]))
    }
  } else if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    const items = schema.items
    value.forEach((v, i) => {
      out.push(...slots(items, v, [...path, i]))
    })
  }
  return out
}

export function schemaAt(schema: Schema, path: Key[]): Schema {
  let s: Schema | undefined = schema
  for (const k of path) s = typeof k === 'number' ? s?.items : s?.properties?.[k]
  return s ?? {}
}

const textUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('grapheme' as const, 'grapheme-ascii' as const) },
  { weight: 1, arbitrary: fc.constant('binary' as const) },
)

/** Values that satisfy `schema` (JSON Schema as TypeBox emits it), kept small. */
export function valid(schema: TSchema): fc.Arbitrary<Json> {
  const s = schema as Schema
  if (s.enum) return fc.constantFrom(...s.enum)
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.anyOf) return fc.oneof(...s.anyOf.map((x) => valid(x as TSchema)))
  switch (s.type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {}).map(
        ([k, v]) => [k, valid(v as TSchema)] as const,
      )
      return fc.record(Object.fromEntries(props), {
        requiredKeys: s.required ?? [],
      }) as fc.Arbitrary<Json>
    }
    case 'array': {
      const min = s.minItems ?? 0
      const max = Math.min(s.maxItems ?? 3, min + 2)
      const item = valid((s.items ?? {}) as TSchema)
      return s.uniqueItems
        ? fc.uniqueArray(item, {
            minLength: min,
            maxLength: max,
            selector: (v) => JSON.stringify(v),
          })
        : fc.array(item, { minLength: min, maxLength: max })
    }
    case 'string': {
      const min = s.minLength ?? 0
      const max = s.maxLength ?? 64
      if (s.pattern) {
        return fc
          .stringMatching(new RegExp(s.pattern))
          .filter((v) => v.length >= min && v.length <= max)
      }
      return textUnit.chain((unit) => fc.string({ unit, minLength: min, maxLength: max }))
    }
    case 'integer': {
      const any = fc.integer({ min: s.minimum ?? -(2 ** 31), max: s.maximum ?? 2 ** 31 })
      const bounds = [s.minimum, s.maximum].filter((x): x is number => x !== undefined)
      return bounds.length ? fc.oneof(any, fc.constantFrom(...bounds)) : any
    }
    case 'number':
      return fc.double({
        min: s.minimum ?? -1e9,
        max: s.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      })
    case 'boolean':
      return fc.boolean()
    default:
      return fc.constant(null)
  }
}
