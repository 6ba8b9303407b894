import type { Static } from 'typebox'
import type { PartOf } from './operation-types.ts'
import type { ControlName, SandboxControls } from './sandbox.ts'

/** Types derived from the sandbox control table, as operation-types.ts does for the API. */

export type ControlPathOf<K extends ControlName> = PartOf<SandboxControls[K], 'params'>
export type ControlQueryOf<K extends ControlName> = PartOf<SandboxControls[K], 'query'>
export type ControlBodyOf<K extends ControlName> = PartOf<SandboxControls[K], 'body'>
export type ControlResponseOf<K extends ControlName> = Static<SandboxControls[K]['response']>

export interface ControlRequestOf<K extends ControlName> {
  params: ControlPathOf<K>
  query: ControlQueryOf<K>
  body: ControlBodyOf<K>
}
