/** Kept in step with package.json by version.test.ts; a constant so dist needs no JSON import. */
export const SDK_VERSION = '0.1.0'
