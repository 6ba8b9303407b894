import type { Revision } from '@wxcoupon/sdk/schemas'
import type { BehaviourOverrides } from './settings-schema.ts'

/**
 * Behaviour the sources leave open (spec/README.md "Open questions"). Each answer is one named
 * setting; the rules read the setting and never hard-code the answer.
 */
export interface BehaviourSettings {
  /** Q1: keep use_* of a coupon/round after it is returned (default: omit them). */
  readonly keepUseInfoAfterReturn: boolean
  /** Q2: which SEQUENTIAL round may be returned: only the latest used one, or any used one. */
  readonly sequentialReturnPolicy: 'lifo' | 'any-used'
  /** Q3: detail_item_list lists every round from issuance, or only rounds already unlocked. */
  readonly detailListMode: 'all' | 'unlocked'
  /** Q4: error for an index sent for SINGLE / missing for SEQUENTIAL. */
  readonly indexMisuseError: 'INVALID_REQUEST' | 'PARAM_ERROR'
  /** Q5: a USED coupon past valid_end_time: reject the return (268578776) or allow it. */
  readonly returnAfterExpiry: 'reject' | 'allow'
  /** Q8: an idempotent replay answers the current entity, or the entity as first answered. */
  readonly replayResponse: 'current' | 'snapshot'
  /** Q9: create-product-coupon number reused with other data: ALREADY_EXISTS or 268578927. */
  readonly createConflictError: 'ALREADY_EXISTS' | 'INVALID_REQUEST'
  /** Q11: display_info.name length; the schema caps it at 20, strict mode asks 3–15. */
  readonly displayNameLength: { readonly min: number; readonly max: number }
  /** Product coupons and stocks are approved at creation, or wait in AUDITING for /sandbox/. */
  readonly approval: 'on_create' | 'manual'
  /**
   * Q17: interface rate limits (protocol §7), counted per brand and operation (or per partner),
   * with per-operation overrides of the spec's values.
   */
  readonly notify: {
    /** Q7: retry schedule: WeChat Pay's 15-step payment schedule, or a fast one for tests. */
    readonly schedule: 'standard' | 'fast'
    /** A receiver must answer within this many milliseconds (5 s per §10.4). */
    readonly timeoutMs: number
    /** Loopback is always allowed and link-local never; other private ranges only if set. */
    readonly allowPrivateNetworks: boolean
    /** Q6: also send PRODUCT_COUPON.USE / PRODUCT_COUPON.RETURN (off: the seed-era page has none). */
    readonly emitUseReturnEvents: boolean
  }
  /**
   * The API revision of partners created without one, and of the bootstrap partner: 2025-08
   * (the seed's, SINGLE | SEQUENTIAL) or 2025-11 (SINGLE | PROGRESSIVE_BUNDLE).
   */
  readonly revision: Revision
  readonly rateLimits: {
    readonly enabled: boolean
    readonly per: 'brand' | 'partner'
    readonly overrides: Readonly<Record<string, { limit: number; perSeconds: number }>>
  }
}

export const DEFAULT_BEHAVIOUR: BehaviourSettings = Object.freeze({
  keepUseInfoAfterReturn: false,
  sequentialReturnPolicy: 'lifo',
  detailListMode: 'all',
  indexMisuseError: 'INVALID_REQUEST',
  returnAfterExpiry: 'reject',
  replayResponse: 'current',
  createConflictError: 'ALREADY_EXISTS',
  displayNameLength: Object.freeze({ min: 1, max: 20 }),
  approval: 'on_create',
  notify: Object.freeze({
    schedule: 'standard' as const,
    timeoutMs: 5000,
    allowPrivateNetworks: false,
    emitUseReturnEvents: false,
  }),
  revision: '2025-08',
  rateLimits: Object.freeze({ enabled: true, per: 'brand' as const, overrides: Object.freeze({}) }),
})

/** The defaults with `overrides` on top; `rateLimits` keys left out keep their defaults. */
export function behaviour(
  overrides: Partial<BehaviourSettings> | BehaviourOverrides = {},
): BehaviourSettings {
  const { rateLimits, ...rest } = overrides
  return Object.freeze({
    ...DEFAULT_BEHAVIOUR,
    ...(rest as Partial<BehaviourSettings>),
    ...(rateLimits
      ? { rateLimits: Object.freeze({ ...DEFAULT_BEHAVIOUR.rateLimits, ...rateLimits }) }
      : {}),
  })
}

// The settings file's schema and these settings must not drift apart (the file's rateLimits
// may leave keys out; filled in, it is the settings' own).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Filled = Omit<Required<BehaviourOverrides>, 'rateLimits'> & {
  rateLimits: Required<NonNullable<BehaviourOverrides['rateLimits']>>
}
const _inSync: Same<Filled, BehaviourSettings> = true
void _inSync
