import fc from 'fast-check'
import type { TSchema } from 'typebox'
import { deleteAt, getAt, isObject, type Key, nodes, pointer, put, setAt } from './json-tree.ts'
import { accepted } from './oracles.ts'
import type { Json, JsonObject } from './types.ts'
import { evilKey, evilNumber, evilString, evilValue, preview } from './values.ts'

/**
 * (1) Structural mutations of valid bodies: steps that delete, replace, wrap, nest or edit
 * members, and `mutate`, which applies them and then makes sure the result is refused.
 */

type StringEdit =
  | { kind: 'append' | 'prepend' | 'insert'; text: string; at: number }
  | { kind: 'repeat'; n: number }
  | { kind: 'empty' | 'upper' | 'lower' | 'pad' | 'spaces' | 'truncate' }

type NumberEdit =
  | { kind: 'replace'; value: number }
  | { kind: 'negate' | 'half' | 'scale' | 'quote' | 'bool' }

export type Step =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: Json }
  | { op: 'wrap'; at: number; as: 'array' | 'object' }
  | { op: 'nest'; at: number; depth: number; array: boolean }
  | { op: 'addKey'; at: number; key: string; value: Json }
  | { op: 'string'; at: number; edit: StringEdit }
  | { op: 'number'; at: number; edit: NumberEdit }

const stringEdit: fc.Arbitrary<StringEdit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('append' as const, 'prepend' as const, 'insert' as const),
    text: evilString,
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant('repeat' as const), n: fc.integer({ min: 2, max: 100 }) }),
  fc.record({
    kind: fc.constantFrom(
      'empty' as const,
      'upper' as const,
      'lower' as const,
      'pad' as const,
      'spaces' as const,
      'truncate' as const,
    ),
  }),
)

const numberEdit: fc.Arbitrary<NumberEdit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: evilNumber }),
  fc.record({
    kind: fc.constantFrom(
      'negate' as const,
      'half' as const,
      'scale' as const,
      'quote' as const,
      'bool' as const,
    ),
  }),
)

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: evilValue }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('wrap' as const),
      at: fc.nat(),
      as: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      at: fc.nat(),
      depth: fc.integer({ min: 2, max: 80 }),
      array: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      at: fc.nat(),
      key: evilKey,
      value: evilValue,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('string' as const), at: fc.nat(), edit: stringEdit }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('number' as const), at: fc.nat(), edit: numberEdit }),
  },
)

/** Anything past the body limit is refused alike, so bigger strings only cost time. */
const MAX_STRING = 100_000

function editString(s: string, e: StringEdit): string {
  return editStringUncapped(s, e).slice(0, MAX_STRING)
}

function editStringUncapped(s: string, e: StringEdit): string {
  switch (e.kind) {
    case 'append':
      return s + e.text
    case 'prepend':
      return e.text + s
    case 'insert': {
      const at = s.length === 0 ? 0 : e.at % s.length
      return s.slice(0, at) + e.text + s.slice(at)
    }
    case 'repeat':
      return s.repeat(e.n)
    case 'empty':
      return ''
    case 'upper':
      return s.toUpperCase()
    case 'lower':
      return s.toLowerCase()
    case 'pad':
      return s.padEnd(s.length + 300, 'A')
    case 'spaces':
      return ` ${s} `
    case 'truncate':
      return s.slice(0, Math.max(0, s.length - 1))
  }
}

function editNumber(n: number, e: NumberEdit): Json {
  switch (e.kind) {
    case 'replace':
      return e.value
    case 'negate':
      return -n
    case 'half':
      return n + 0.5
    case 'scale':
      return n * 1e6
    case 'quote':
      return String(n)
    case 'bool':
      return n !== 0
  }
}

function nest(v: Json, depth: number, array: boolean): Json {
  let out = v
  for (let i = 0; i < depth; i++) out = array ? [out] : { a: out }
  return out
}

/** Applies one step; returns the new root and what was done. */
export function applyStep(root: Json, s: Step): { root: Json; did: string } {
  // fast-check hands out the same instances again (constantFrom's [] and {}): inserting them
  // uncopied would let later steps edit them in place, even into cycles.
  const fresh = (v: Json) => structuredClone(v)
  const all = nodes(root)
  const pick = (paths: Key[][]) => paths[s.at % paths.length]
  switch (s.op) {
    case 'delete': {
      const p = pick(all.filter((x) => x.length > 0)) ?? []
      return { root: deleteAt(root, p), did: `delete ${pointer(p)}` }
    }
    case 'set': {
      const p = pick(all) ?? []
      return { root: setAt(root, p, fresh(s.value)), did: `set ${pointer(p)}=${preview(s.value)}` }
    }
    case 'wrap': {
      const p = pick(all) ?? []
      const v = getAt(root, p)
      return {
        root: setAt(root, p, s.as === 'array' ? [v] : { value: v }),
        did: `wrap ${pointer(p)} in ${s.as}`,
      }
    }
    case 'nest': {
      const p = pick(all) ?? []
      return {
        root: setAt(root, p, nest(getAt(root, p), s.depth, s.array)),
        did: `nest ${pointer(p)} ${s.depth} deep`,
      }
    }
    case 'addKey': {
      const p = pick(all.filter((x) => isObject(getAt(root, x)))) ?? []
      const parent = getAt(root, p)
      if (!isObject(parent)) return { root, did: 'addKey (no object)' }
      put(parent, s.key, fresh(s.value))
      return { root, did: `add ${pointer([...p, s.key])}=${preview(s.value)}` }
    }
    case 'string': {
      const p = pick(all.filter((x) => typeof getAt(root, x) === 'string'))
      if (!p) return { root, did: 'string edit (no string)' }
      const v = editString(getAt(root, p) as string, s.edit)
      return { root: setAt(root, p, v), did: `${s.edit.kind} ${pointer(p)}=${preview(v)}` }
    }
    case 'number': {
      const p = pick(all.filter((x) => typeof getAt(root, x) === 'number'))
      if (!p) return { root, did: 'number edit (no number)' }
      const v = editNumber(getAt(root, p) as number, s.edit)
      return { root: setAt(root, p, v), did: `${s.edit.kind} ${pointer(p)}=${preview(v)}` }
    }
  }
}

/**
 * Applies `steps` to a copy of `template`; if the result would still pass the schema, removes a
 * required member (or wraps the body in an array) so that the body is certainly refused.
 */
export function mutate(
  template: JsonObject,
  schema: TSchema,
  steps: Step[],
  force: number,
  rejectedBy: (bytes: Buffer) => boolean = (b) => !accepted(b, schema),
): { body: Buffer; label: string } {
  let root: Json = structuredClone(template)
  const did: string[] = []
  for (const s of steps) {
    const r = applyStep(root, s)
    root = r.root
    did.push(r.did)
  }
  let body = Buffer.from(JSON.stringify(root))
  if (!rejectedBy(body)) {
    const required = (schema as { required?: string[] }).required ?? []
    const key = required[force % Math.max(1, required.length)]
    if (isObject(root) && key !== undefined) {
      delete root[key]
      did.push(`forced: delete /${key}`)
    } else {
      root = [root]
      did.push('forced: wrap body in array')
    }
    body = Buffer.from(JSON.stringify(root))
  }
  return { body, label: did.join('; ') }
}
