import assert from 'node:assert/strict'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { NotificationSerialError } from '../packages/sdk/src/client/notification-errors.ts'
import { parseNotification } from '../packages/sdk/src/client/notifications.ts'
import { verifyResponseSignature } from '../packages/sdk/src/protocol/response-signature.ts'
import { API, sentCoupon } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * Callbacks per key mode (issue 12): in certificate mode every delivery is signed with the
 * partner's signing certificate; in transition mode a configurable share of deliveries is
 * signed with the public key and the rest with the certificate, so a receiver that accepts only
 * one of the two is caught; a rotation moves deliveries to the new certificate.
 */

let s: TestServer
const deliveries: { headers: IncomingHttpHeaders; body: string }[] = []
const receiver = createServer((req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => {
    body += c.toString()
  })
  req.on('end', () => {
    deliveries.push({ headers: req.headers, body })
    res.statusCode = 204
    res.end()
  })
})

before(async () => {
  s = await startTestServer()
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  const address = receiver.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const r = await s.call('POST', `${API}/notify-configs`, {
    notify_url: `http://127.0.0.1:${port}/wxcoupon/notify`,
  })
  assert.equal(r.status, 200, r.text)
})
after(async () => {
  receiver.close()
  await s.close()
})

const mchid = () => s.sandbox.partner.mchid
const keys = new Map<string, KeyObject>()

async function keyMode(body: Record<string, unknown>) {
  const r = await s.admin('POST', `/sandbox/partners/${mchid()}/key-mode`, body)
  assert.equal(r.status, 200, r.text)
  for (const c of r.json.platform_certificates ?? []) {
    s.trustCertificate(c.serial_no, c.certificate_pem)
    keys.set(c.serial_no, createPublicKey(c.certificate_pem))
  }
  return r.json
}

/** Waits for the next `n` deliveries after those already seen. */
async function nextDeliveries(seen: number, n: number) {
  for (let i = 0; i < 400 && deliveries.length < seen + n; i++) await sleep(25)
  assert.ok(deliveries.length >= seen + n, `${deliveries.length - seen} of ${n} deliveries`)
  return deliveries.slice(seen, seen + n)
}

/**
 * Each delivery verifies under the key its Wechatpay-Serial names, and the SDK's parser given
 * the public key and the certificates accepts it; returns the serials.
 */
function verifiedSerials(list: typeof deliveries): string[] {
  const certificates = Object.fromEntries(keys)
  keys.set(s.sandbox.platform.public_key_id, s.platformKey)
  return list.map((d) => {
    const parsed = parseNotification({
      headers: d.headers,
      body: d.body,
      platformPublicKey: s.platformKey,
      platformPublicKeyId: s.sandbox.platform.public_key_id,
      platformCertificates: certificates,
      apiv3Key: s.sandbox.partner.apiv3_key,
    })
    assert.equal(parsed.event_type, 'PRODUCT_COUPON_SP.SEND')
    const serial = String(d.headers['wechatpay-serial'])
    const key = keys.get(serial)
    assert.ok(key, `a serial the partner was given: ${serial}`)
    const verdict = verifyResponseSignature({
      headers: (name) => {
        const v = d.headers[name]
        return typeof v === 'string' ? v : undefined
      },
      body: d.body,
      publicKey: key,
      publicKeyId: serial,
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    assert.deepEqual(verdict, { ok: true })
    return serial
  })
}

async function notificationId(seen: number): Promise<string> {
  await sentCoupon(s)
  const [d] = await nextDeliveries(seen, 1)
  return JSON.parse(d?.body ?? '{}').id
}

async function redeliver(id: string, times: number) {
  for (let i = 0; i < times; i++) {
    const r = await s.admin('POST', `/sandbox/notifications/${id}/redeliver`)
    assert.equal(r.status, 200, r.text)
  }
}

test('public_key mode (the bootstrap partner): callbacks signed with the public key', async () => {
  const seen = deliveries.length
  await notificationId(seen)
  assert.deepEqual(verifiedSerials(deliveries.slice(seen)), [s.sandbox.platform.public_key_id])
})

test('certificate mode: every delivery signed with the signing certificate; a rotation moves them', async () => {
  const view = await keyMode({ key_mode: 'certificate' })
  const first = view.platform_certificates[0].serial_no
  let seen = deliveries.length
  const id = await notificationId(seen)
  await redeliver(id, 3)
  const four = await nextDeliveries(seen, 4)
  assert.deepEqual(verifiedSerials(four), [first, first, first, first])
  // A receiver that kept only the public key refuses them (the point of the exercise).
  assert.throws(
    () =>
      parseNotification({
        headers: four[0]?.headers ?? {},
        body: four[0]?.body ?? '',
        platformPublicKey: s.platformKey,
        platformPublicKeyId: s.sandbox.platform.public_key_id,
        apiv3Key: s.sandbox.partner.apiv3_key,
      }),
    NotificationSerialError,
  )
  const added = await s.admin('POST', `/sandbox/partners/${mchid()}/platform-certificates`, {
    activate_after_seconds: 0,
  })
  s.trustCertificate(added.json.serial_no, added.json.certificate_pem)
  keys.set(added.json.serial_no, createPublicKey(added.json.certificate_pem))
  seen = deliveries.length
  await redeliver(id, 1)
  assert.deepEqual(verifiedSerials(await nextDeliveries(seen, 1)), [added.json.serial_no])
})

test('transition mode: 0 % and 100 % of deliveries under the public key, and a share in between', async () => {
  const pub = s.sandbox.platform.public_key_id
  const view = await keyMode({ key_mode: 'transition', callback_public_key_percent: 0 })
  const signing = view.platform_certificates.at(-1).serial_no
  let seen = deliveries.length
  const id = await notificationId(seen)
  await redeliver(id, 4)
  assert.deepEqual(verifiedSerials(await nextDeliveries(seen, 5)), Array(5).fill(signing))

  await keyMode({ key_mode: 'transition', callback_public_key_percent: 100 })
  seen = deliveries.length
  await redeliver(id, 5)
  assert.deepEqual(verifiedSerials(await nextDeliveries(seen, 5)), Array(5).fill(pub))

  // Half and half: 24 deliveries all under one key would happen once in 8 million runs.
  await keyMode({ key_mode: 'transition', callback_public_key_percent: 50 })
  seen = deliveries.length
  await redeliver(id, 24)
  const serials = new Set(verifiedSerials(await nextDeliveries(seen, 24)))
  assert.deepEqual([...serials].sort(), [pub, signing].sort())
})
