/**
 * The `wxcoupon` package's entry point: the SDK (`@wxcoupon/sdk`), re-exported so that an
 * application that installed the sandbox gets the client from the same name.
 */
export * from '@wxcoupon/sdk'
// The sandbox in a test process; its server is loaded only when startSandbox is called.
export { type Sandbox, type StartSandboxOptions, startSandbox } from './embed/start-sandbox.ts'
