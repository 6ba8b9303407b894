import type { Json, JsonObject } from './types.ts'

/**
 * Paths into a parsed JSON body, and reading and writing at them: what the structural
 * mutations and the schema-valid create variants both edit bodies with.
 */

export type Key = string | number

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// Own-property access only: a `__proto__` member added by a step must stay plain data and never
// reach Object.prototype of the test process.
export function own(v: Json, k: Key): Json | undefined {
  if (Array.isArray(v)) return typeof k === 'number' ? v[k] : undefined
  if (isObject(v) && typeof k === 'string' && Object.hasOwn(v, k)) {
    return Object.getOwnPropertyDescriptor(v, k)?.value as Json
  }
  return undefined
}

export function put(v: Json, k: Key, x: Json): void {
  if (Array.isArray(v) && typeof k === 'number') v[k] = x
  else if (isObject(v) && typeof k === 'string') {
    Object.defineProperty(v, k, { value: x, enumerable: true, writable: true, configurable: true })
  }
}

export function nodes(root: Json): Key[][] {
  const out: Key[][] = []
  const walk = (v: Json, path: Key[]) => {
    out.push(path)
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, [...path, i])
      })
    } else if (isObject(v)) for (const k of Object.keys(v)) walk(own(v, k) ?? null, [...path, k])
  }
  walk(root, [])
  return out
}

export function getAt(root: Json, path: Key[]): Json {
  let v: Json = root
  for (const k of path) v = own(v, k) ?? null
  return v
}

/** Returns the new root (the root itself may be replaced). */
export function setAt(root: Json, path: Key[], x: Json): Json {
  if (path.length === 0) return x
  const parent = getAt(root, path.slice(0, -1))
  put(parent, path[path.length - 1] as Key, x)
  return root
}

export function deleteAt(root: Json, path: Key[]): Json {
  if (path.length === 0) return {}
  const parent = getAt(root, path.slice(0, -1))
  const k = path[path.length - 1] as Key
  if (Array.isArray(parent) && typeof k === 'number') parent.splice(k, 1)
  else if (isObject(parent) && typeof k === 'string') delete parent[k]
  return root
}

export const pointer = (path: Key[]) => `/${path.join('/')}`
