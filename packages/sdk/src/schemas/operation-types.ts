import type { Static, TSchema } from 'typebox'
import type { OperationName, Operations } from './operations.ts'

/**
 * Types derived from the operation table: what each operation takes from the path, the query
 * and the body, and what it answers. The server's bindings and the SDK's methods are typed by
 * these, so a schema change reaches both at compile time.
 */

/** What a table entry's schema member `M` validates; nothing when the entry has none. */
export type PartOf<Entry, M extends string> = Entry extends {
  readonly [P in M]: infer S extends TSchema
}
  ? Static<S>
  : Record<never, never>

export type PathOf<K extends OperationName> = PartOf<Operations[K], 'params'>
export type QueryOf<K extends OperationName> = PartOf<Operations[K], 'query'>
export type BodyOf<K extends OperationName> = PartOf<Operations[K], 'body'>
export type ResponseOf<K extends OperationName> = Static<Operations[K]['response']>

/** One request as the server hands it to a service: each part validated by its schema. */
export interface RequestOf<K extends OperationName> {
  params: PathOf<K>
  query: QueryOf<K>
  body: BodyOf<K>
}
