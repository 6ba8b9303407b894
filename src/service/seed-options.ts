/**
 * What `wxcoupon seed` accepts, apart from the seeding itself: the CLI builds its options from
 * these without loading the store and service modules (they cost most of a CLI start).
 */

/** What a seeded coupon can be: sent and unconfirmed, confirmed, or used. */
export const SEED_STATES = ['CONFIRMING', 'EFFECTIVE', 'USED'] as const
export type SeedState = (typeof SEED_STATES)[number]

/**
 * Tens of milliseconds of inserts: a running server on the same SQLite file is never held up
 * for long, and this few objects die young instead of burdening the collector.
 */
export const DEFAULT_BATCH = 2_000
