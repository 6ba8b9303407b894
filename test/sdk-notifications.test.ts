import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
// The built package, as a consumer imports it (package.json "exports").
import {
  createNotificationHandler,
  type Notification,
  NotificationError,
  NotificationSerialError,
  NotificationSignatureError,
  NotificationTimestampError,
  parseNotification,
  type UserProductCouponEntity,
  WxCouponClient,
} from 'wxcoupon'
import { productCouponBody, reqNo } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * The callback story end to end against a real server: an integrator's receiver built with the
 * SDK gets the SEND callback, confirms the coupon from it, and refuses every deliberately
 * faulty delivery the sandbox can produce.
 */

interface Delivery {
  headers: IncomingHttpHeaders
  body: Buffer
  status?: number
}

let s: TestServer
let wx: WxCouponClient
let receiver: Server
let notifyUrl: string
const deliveries: Delivery[] = []
const events: Notification[] = []
const confirmed: UserProductCouponEntity[] = []

before(async () => {
  s = await startTestServer()
  const sb = s.sandbox
  wx = new WxCouponClient({
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: sb.partner.private_key_file,
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: s.baseUrl,
    retry: { maxRetries: 0 },
  })
  const handler = createNotificationHandler({
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    apiv3Key: sb.partner.apiv3_key,
    onEvent: async (n) => {
      events.push(n)
      const d = n.data
      confirmed.push(
        await wx.confirmCoupon({
          openid: d.openid,
          coupon_code: d.coupon_code,
          product_coupon_id: d.product_coupon_id,
          stock_id: d.stock_id,
          appid: d.appid,
          brand_id: d.brand_id,
          out_request_no: reqNo('CFM'),
        }),
      )
    },
  })
  // Records each delivery as it came over the wire; the handler reads the same chunks.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    const d: Delivery = { headers: req.headers, body: Buffer.alloc(0) }
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      d.body = Buffer.concat(chunks)
      deliveries.push(d)
    })
    res.on('finish', () => {
      d.status = res.statusCode
    })
    handler(req, res)
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wxpay/notify`
})
after(async () => {
  receiver.closeAllConnections()
  receiver.close()
  await s.close()
})

test('notify_url is set and read back through the SDK', async () => {
  const set = await wx.setNotifyConfig({ notify_url: notifyUrl })
  assert.equal(set.notify_url, notifyUrl)
  assert.match(set.update_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/)
  assert.deepEqual(await wx.getNotifyConfig(), set)
})

let notificationId = ''

test('send → SEND callback → the receiver confirms the coupon from the event alone', async () => {
  const sb = s.sandbox
  const pc = await wx.createProductCoupon(productCouponBody(s))
  const ref = {
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid: sb.appid,
    brand_id: sb.brand_id,
  }
  const sendNo = reqNo('SEND')
  const sent = await wx.sendCoupon({
    openid: sb.openid,
    ...ref,
    send_request_no: sendNo,
    attach: 'order-42',
  })
  assert.equal(sent.coupon_state, 'CONFIRMING')
  const coupon = { openid: sb.openid, coupon_code: sent.coupon_code, ...ref }

  // Delivery is asynchronous: poll a bounded number of times, asserting nothing about time.
  let state: string = sent.coupon_state
  for (let i = 0; i < 200 && state !== 'EFFECTIVE'; i++) {
    await sleep(50)
    state = (await wx.getUserCoupon(coupon)).coupon_state
  }
  assert.equal(state, 'EFFECTIVE', 'the receiver confirmed the coupon')
  assert.equal(events.length, 1)
  assert.equal(confirmed[0]?.coupon_state, 'EFFECTIVE')

  const n = events[0] as Notification
  notificationId = n.id
  assert.match(n.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(n.event_type, 'PRODUCT_COUPON_SP.SEND')
  assert.equal(n.summary, '商品券领券通知')
  assert.equal(n.resource_type, 'encrypt-resource')
  assert.equal(n.original_type, 'coupon')
  assert.match(n.create_time, /\+08:00$/)
  // §10.5, every field against what the send API answered.
  assert.deepEqual(n.data, {
    brand_id: sb.brand_id,
    coupon_code: sent.coupon_code,
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid: sb.appid,
    openid: sb.openid,
    valid_begin_time: sent.valid_begin_time,
    valid_end_time: sent.valid_end_time,
    receive_time: sent.receive_time,
    send_request_no: sendNo,
    send_channel: 'API',
    attach: 'order-42',
  })

  // The genuine delivery as captured: 204, and it parses to the same notification directly.
  const genuine = deliveries.find((d) => d.status === 204)
  assert.ok(genuine)
  const keys = {
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    apiv3Key: sb.partner.apiv3_key,
  }
  assert.deepEqual(parseNotification({ ...keys, headers: genuine.headers, body: genuine.body }), n)

  const listed = await s.admin('GET', '/sandbox/notifications')
  const record = listed.json.notifications.find((x: { id: string }) => x.id === n.id)
  assert.ok(record, 'the sandbox lists the notification under the id the receiver saw')
  assert.equal(record.plaintext.coupon_code, sent.coupon_code)
})

const FAULTY = [
  ['signature_probe', NotificationSignatureError, 'signature_probe'],
  ['tampered_signature', NotificationSignatureError, 'bad_signature'],
  ['stale_timestamp', NotificationTimestampError, 'stale_timestamp'],
  ['wrong_serial', NotificationSerialError, 'serial_mismatch'],
] as const

for (const [kind, cls, reason] of FAULTY) {
  test(`faulty delivery ${kind}: 401, and parseNotification throws ${cls.name}`, async () => {
    assert.ok(notificationId, 'runs after the send test')
    const before = deliveries.length
    const r = await s.admin('POST', `/sandbox/notifications/${notificationId}/faulty`, { kind })
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(
      r.json.attempts.map((a: { status?: number }) => a.status),
      [401],
    )
    assert.equal(deliveries.length, before + 1)
    const d = deliveries[before] as Delivery
    assert.equal(d.status, 401)
    const sb = s.sandbox
    assert.throws(
      () =>
        parseNotification({
          platformPublicKey: sb.platform.public_key_file,
          platformPublicKeyId: sb.platform.public_key_id,
          apiv3Key: sb.partner.apiv3_key,
          headers: d.headers,
          body: d.body,
        }),
      (e: unknown) => {
        assert.ok(e instanceof cls && e instanceof NotificationError, String(e))
        assert.equal(e.reason, reason)
        if (e instanceof NotificationSignatureError)
          assert.equal(e.probe, kind === 'signature_probe')
        return true
      },
    )
    assert.equal(events.length, 1, 'onEvent is never reached')
  })
}

test('faulty delivery duplicate: both answered 200, onEvent not called again', async () => {
  assert.ok(notificationId, 'runs after the send test')
  const r = await s.admin('POST', `/sandbox/notifications/${notificationId}/faulty`, {
    kind: 'duplicate',
  })
  assert.equal(r.status, 200, r.text)
  assert.deepEqual(
    r.json.attempts.map((a: { status?: number }) => a.status),
    [200, 200],
  )
  assert.equal(events.length, 1)
  assert.equal(confirmed.length, 1)
})
