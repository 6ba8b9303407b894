import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { RateLimitError, WxCouponClient } from 'wxcoupon'
import { behaviour } from '../src/domain/settings.ts'
import { confirmed } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * The real interface limiter (not a fault): over the limit the server answers 429 with no
 * state change, and the SDK's back-off retries with the same parameters succeed once the
 * bucket refills. Real sleeps of about a second: the limit is one call per second.
 */

let s: TestServer
before(async () => {
  s = await startTestServer(
    behaviour({
      rateLimits: {
        enabled: true,
        per: 'brand',
        overrides: { get_user_coupon: { limit: 1, perSeconds: 1 } },
      },
    }),
  )
})
after(() => s.close())

test('a 429 from the limiter is retried with back-off until it succeeds', async () => {
  const c = await confirmed(s)
  const sb = s.sandbox
  const options = {
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: sb.partner.private_key_file,
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: s.baseUrl,
  }
  const once = new WxCouponClient({ ...options, retry: { maxRetries: 0 } })
  const sleeps: number[] = []
  const patient = new WxCouponClient({
    ...options,
    retry: { maxRetries: 4 },
    sleep: (ms) => {
      sleeps.push(ms)
      return new Promise((resolve) => setTimeout(resolve, ms))
    },
  })
  assert.equal((await once.getUserCoupon(c)).coupon_state, 'EFFECTIVE')
  const limited = await once.getUserCoupon(c).catch((e: unknown) => e)
  assert.ok(limited instanceof RateLimitError, String(limited))
  assert.equal(limited.status, 429)
  assert.equal(limited.code, 'RATELIMIT_EXCEEDED')
  assert.equal((await patient.getUserCoupon(c)).coupon_state, 'EFFECTIVE')
  assert.ok(sleeps.length >= 1, 'the patient client met the limit and backed off')
})
