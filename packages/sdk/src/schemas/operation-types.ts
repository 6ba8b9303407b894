import type { Static, TSchema } from 'typebox'
import type { OperationName, Operations } from './operations.ts'
import type { Revision } from './revision-2025-11.ts'

/**
 * Types derived from the operation table: what each operation takes from the path, the query
 * and the body, and what it answers. The server's bindings and the SDK's methods are typed by
 * these, so a schema change reaches both at compile time. `…In<K, R>` is the same for one
 * revision; the plain forms are what the server may receive: any revision's.
 */

/** What a table entry's schema member `M` validates; nothing when the entry has none. */
export type PartOf<Entry, M extends string> = Entry extends {
  readonly [P in M]: infer S extends TSchema
}
  ? Static<S>
  : Record<never, never>

/** The entry's own part (the seed's revision, or the only one of a later operation). */
type BasePart<K extends OperationName, M extends string> = PartOf<Operations[K], M>

/** Revision `R`'s part, falling back to the entry's own where the revision does not change it. */
type RevisionPart<
  K extends OperationName,
  R extends Revision,
  M extends string,
> = R extends '2025-08'
  ? BasePart<K, M>
  : Operations[K] extends { readonly revisions: { readonly [P in R]: infer X } }
    ? X extends { readonly [P in M]: TSchema }
      ? PartOf<X, M>
      : BasePart<K, M>
    : BasePart<K, M>

/** The operations a partner on revision `R` can call. */
export type OperationIn<R extends Revision> = {
  [K in OperationName]: Operations[K] extends { readonly only: infer O }
    ? O extends R
      ? K
      : never
    : K
}[OperationName]

export type PathIn<K extends OperationName, _R extends Revision> = BasePart<K, 'params'>
export type QueryIn<K extends OperationName, R extends Revision> = RevisionPart<K, R, 'query'>
export type BodyIn<K extends OperationName, R extends Revision> = RevisionPart<K, R, 'body'>
export type ResponseIn<K extends OperationName, R extends Revision> = RevisionPart<K, R, 'response'>

export type PathOf<K extends OperationName> = BasePart<K, 'params'>
export type QueryOf<K extends OperationName> = QueryIn<K, Revision>
export type BodyOf<K extends OperationName> = BodyIn<K, Revision>
export type ResponseOf<K extends OperationName> = ResponseIn<K, Revision>

/** One request as the server hands it to a service: each part validated by its schema. */
export interface RequestOf<K extends OperationName> {
  params: PathOf<K>
  query: QueryOf<K>
  body: BodyOf<K>
}
