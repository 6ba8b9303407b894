import { defineConfig } from 'vitest/config'

/** Only the Vitest files: they prove startSandbox runs under Vitest as under node:test. */
export default defineConfig({
  test: { include: ['test/vitest/*.vitest.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
})
