/**
 * A reference model of one stock's user coupons, written from the spec
 * (../shared/spec/entities-and-states.md §3.4, §4, §5; endpoints.md E8, E10–E15; protocol §8)
 * and the return seed — deliberately not from src/, so that a rule the server gets wrong is
 * not copied into the oracle. Pure: no I/O, times are Unix seconds.
 *
 * Where the spec leaves a choice open, the model takes the documented default setting
 * (keepUseInfoAfterReturn false, sequentialReturnPolicy lifo, detailListMode all,
 * indexMisuseError INVALID_REQUEST, returnAfterExpiry reject, replayResponse current).
 *
 * The model is split by concern (time, coupon-state, rules, effects, expected-entity); this
 * module is the one namespace the test and its commands read it through.
 */

export * from './coupon-state.ts'
export * from './effects.ts'
export * from './expected-entity.ts'
export * from './rules.ts'
export * from './time.ts'
