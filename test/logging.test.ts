import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { startServer } from '../src/server/start.ts'

/** Secrets never reach the logs, even with request logging on. */
test('request logs carry no private key, APIv3 key, admin token or signature', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-log-'))
  let log = ''
  const stream = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString()
      done()
    },
  })
  const server = await startServer({ port: 0, dataDir: dir, logger: { level: 'trace', stream } })
  try {
    const sb = server.sandbox
    const admin = { Authorization: `Bearer ${sb.admin_token}`, 'Content-Type': 'application/json' }
    const partner = await (
      await fetch(`${server.baseUrl}/sandbox/partners`, {
        method: 'POST',
        headers: admin,
        body: '{}',
      })
    ).json()
    await fetch(
      `${server.baseUrl}/v3/marketing/partner/product-coupon/product-coupons/1?brand_id=${sb.brand_id}`,
      {
        headers: {
          Authorization:
            'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="c2lnbmF0dXJl",timestamp="1",serial_no="s"',
        },
      },
    )
    await fetch(`${server.baseUrl}/sandbox/clock`, {
      headers: { Authorization: 'Bearer wrong-token' },
    })
    assert.ok(log.includes('"statusCode":401'), 'requests were logged')
    const secrets = [
      readFileSync(sb.partner.private_key_file, 'utf8').split('\n')[1] ?? '',
      partner.private_key_pem.split('\n')[1],
      sb.partner.apiv3_key,
      partner.apiv3_key,
      sb.admin_token,
      'c2lnbmF0dXJl',
    ]
    for (const secret of secrets) {
      assert.ok(secret.length >= 12)
      assert.ok(!log.includes(secret), `a secret reached the log: ${secret.slice(0, 8)}…`)
    }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
