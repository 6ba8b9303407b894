/**
 * The TypeBox schemas: the one source of validation (server), TypeScript types (server and
 * SDK) and the OpenAPI document. `@wxcoupon/sdk/schemas`.
 */
export * from './brand-operations.ts'
export * from './certificates.ts'
export * from './control-types.ts'
export * from './coupon-config.ts'
export * from './entities.ts'
export * from './enums.ts'
export * from './fields.ts'
export * from './operation-types.ts'
export * from './operations.ts'
export * from './requests.ts'
export * from './revision-2025-11.ts'
export * from './sandbox.ts'
export * from './sandbox-file.ts'
