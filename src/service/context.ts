import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import type { BehaviourSettings } from '../domain/settings.ts'
import type { Store } from '../store/store.ts'
import type { PageCodec } from './page-token.ts'
import type { SandboxClock } from './sandbox-clock.ts'

/** What every operation needs; built once by the server and passed down explicitly. */
export interface ServiceDeps {
  readonly store: Store
  readonly settings: BehaviourSettings
  readonly clock: SandboxClock
  readonly random: RandomBytes
  /** Signs page tokens of list endpoints. */
  readonly pages: PageCodec
  /** Told after a commit that wrote callbacks, so they leave at once instead of at next poll. */
  readonly outbox?: { wake(): void }
  /** Told after a commit that changed a partner's platform keys, so none signs from a stale cache. */
  readonly platformKeys?: { changed(mchid: string): void }
}

/** The authenticated caller of one API request. */
export interface Caller {
  readonly mchid: string
  /**
   * A brand calling in its own name (/brand/…): the brand, whose own partner row `mchid` is.
   * Its request numbers are kept apart from its partners' (the same number may be used by both).
   */
  readonly brandDirect?: string
  /** The partner's API revision; absent: 2025-08. */
  readonly revision?: Revision
}

export function revisionOf(caller: Caller): Revision {
  return caller.revision ?? '2025-08'
}
