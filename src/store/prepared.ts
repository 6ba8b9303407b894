import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely'
import type { Database } from './schema.ts'

/**
 * A query built and compiled once per dialect, then executed with new values. Kysely builds an
 * immutable tree and compiles it to SQL on every call — tens of microseconds, about as much as
 * SQLite takes to run the statement — and the statements of a coupon write have a fixed shape.
 * The builder runs once with placeholder strings; each later call binds its arguments in
 * their places. Values must always be present (null, never undefined): Kysely drops undefined
 * columns, which would change the shape.
 */
export function prepared<A extends readonly unknown[], O>(
  arity: number,
  build: (db: Kysely<Database>, ...args: A) => Compilable<O>,
): (db: Kysely<Database>, dialect: string, ...args: A) => Promise<QueryResult<O>> {
  const compiled = new Map<string, { query: CompiledQuery<O>; slots: readonly Slot[] }>()
  return (db, dialect, ...args) => {
    let c = compiled.get(dialect)
    if (!c) {
      c = compileOnce(db, arity, build)
      compiled.set(dialect, c)
    }
    const parameters = c.slots.map((s) => (s.arg === undefined ? s.value : args[s.arg]))
    return db.executeQuery<O>({ ...c.query, parameters })
  }
}

/** A compiled parameter: one of the call's arguments, or a constant the builder wrote. */
interface Slot {
  arg?: number
  value?: unknown
}

const placeholder = (i: number) => `\u0000wxcoupon-arg-${i}\u0000`

function compileOnce<A extends readonly unknown[], O>(
  db: Kysely<Database>,
  arity: number,
  build: (db: Kysely<Database>, ...args: A) => Compilable<O>,
): { query: CompiledQuery<O>; slots: readonly Slot[] } {
  const names = Array.from({ length: arity }, (_, i) => placeholder(i))
  const query = build(db, ...(names as unknown as A)).compile()
  const slots = query.parameters.map((v): Slot => {
    const i = typeof v === 'string' ? names.indexOf(v) : -1
    return i >= 0 ? { arg: i } : { value: v }
  })
  // An argument the SQL never binds was inlined or dropped: the statement would ignore it.
  for (let i = 0; i < arity; i++) {
    if (!slots.some((s) => s.arg === i)) throw new Error(`prepared query never binds argument ${i}`)
  }
  return { query, slots }
}
