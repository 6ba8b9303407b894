import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Sandbox, startSandbox } from 'wxcoupon'

/** The guide's Vitest example (docs/testing.md): one sandbox for the file, reset per test. */
let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())

test('the sandbox answers signed calls', async () => {
  await sb.client().setNotifyConfig({ notify_url: 'http://127.0.0.1:9/wxcoupon/notify' })
  const config = await sb.client().getNotifyConfig()
  expect(config.notify_url).toBe('http://127.0.0.1:9/wxcoupon/notify')
})

test('the journal recorded them, with the Request-ID the client got', async () => {
  const { data } = await sb.admin.listRequests({ operation: 'set_notify_config' })
  expect(data).toHaveLength(1)
  expect(data[0]?.status).toBe(200)
  expect(data[0]?.request_id).toMatch(/^[0-9A-F]{42}$/)
})
