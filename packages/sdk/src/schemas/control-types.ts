import type { Static, TSchema } from 'typebox'
import type { ControlName, SandboxControls } from './sandbox.ts'

/** Types derived from the sandbox control table, as operation-types.ts does for the API. */

type Member<K extends ControlName, M extends string> = SandboxControls[K] extends {
  readonly [P in M]: infer S extends TSchema
}
  ? Static<S>
  : Record<never, never>

export type ControlPathOf<K extends ControlName> = Member<K, 'params'>
export type ControlQueryOf<K extends ControlName> = Member<K, 'query'>
export type ControlBodyOf<K extends ControlName> = Member<K, 'body'>
export type ControlResponseOf<K extends ControlName> = Static<SandboxControls[K]['response']>

export interface ControlRequestOf<K extends ControlName> {
  params: ControlPathOf<K>
  query: ControlQueryOf<K>
  body: ControlBodyOf<K>
}
