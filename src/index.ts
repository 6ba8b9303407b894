/**
 * The `wxcoupon` package's entry point: the SDK (`@wxcoupon/sdk`), re-exported so that an
 * application that installed the sandbox gets the client from the same name.
 */
export * from '@wxcoupon/sdk'
