import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WxCouponClient } from '../index.ts'
import {
  clientOptions,
  fakeWechat,
  NOW,
  PUB_KEY_ID,
  type SeenRequest,
} from './fake-wechat.fixture.ts'
import {
  BRAND_ID,
  COUPON_CODE,
  couponRef,
  createBody,
  createResponse,
  OPENID,
  PRODUCT_COUPON_ID,
  productCoupon,
  STOCK_ID,
  stock,
  userCoupon,
} from './samples.fixture.ts'

const P = '/v3/marketing/partner/product-coupon'

/** A client whose fake server answers `reply` to everything; returns what the server saw. */
function setup(reply: object) {
  const server = fakeWechat(() => ({ body: reply }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const only = (): SeenRequest => {
    assert.equal(server.requests.length, 1)
    const req = server.requests[0]
    assert.ok(req)
    assert.ok(req.signed, 'the fake server rejected the request signature')
    return req
  }
  return { client, only }
}

test('createProductCoupon POSTs the body as given and parses the answer', async () => {
  const { client, only } = setup(createResponse)
  const res = await client.createProductCoupon(createBody)
  assert.deepEqual(res, createResponse)
  const req = only()
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${P}/product-coupons`)
  assert.equal(req.body, JSON.stringify(createBody))
})

test('getProductCoupon GETs by id with brand_id in the query and no body', async () => {
  const { client, only } = setup(productCoupon)
  const res = await client.getProductCoupon({
    product_coupon_id: PRODUCT_COUPON_ID,
    brand_id: BRAND_ID,
  })
  assert.deepEqual(res, productCoupon)
  const req = only()
  assert.equal(req.method, 'GET')
  assert.equal(req.target, `${P}/product-coupons/${PRODUCT_COUPON_ID}?brand_id=${BRAND_ID}`)
  assert.equal(req.body, undefined)
  assert.equal(req.headers['content-type'], undefined)
})

test('getStock GETs the stock under its product coupon', async () => {
  const { client, only } = setup(stock)
  const res = await client.getStock({
    product_coupon_id: PRODUCT_COUPON_ID,
    stock_id: STOCK_ID,
    brand_id: BRAND_ID,
  })
  assert.deepEqual(res, stock)
  const req = only()
  assert.equal(req.method, 'GET')
  assert.equal(
    req.target,
    `${P}/product-coupons/${PRODUCT_COUPON_ID}/stocks/${STOCK_ID}?brand_id=${BRAND_ID}`,
  )
})

test('sendCoupon puts openid in the path only and keeps coupon_code in the body', async () => {
  const { client, only } = setup(userCoupon)
  const body = { ...couponRef, send_request_no: 'MCHSEND202508040001', coupon_code: 'ASSIGNED01' }
  const res = await client.sendCoupon({ openid: OPENID, ...body })
  assert.deepEqual(res, userCoupon)
  const req = only()
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${P}/users/${OPENID}/coupons`)
  assert.deepEqual(JSON.parse(req.body ?? ''), body)
})

const userPath = { openid: OPENID, coupon_code: COUPON_CODE }

function assertUserOp(req: SeenRequest, action: string, body: object): void {
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${P}/users/${OPENID}/coupons/${COUPON_CODE}/${action}`)
  const sent = JSON.parse(req.body ?? '') as Record<string, unknown>
  assert.deepEqual(sent, body)
  assert.equal(Object.hasOwn(sent, 'openid'), false)
  assert.equal(Object.hasOwn(sent, 'coupon_code'), false)
}

test('confirmCoupon POSTs to …/confirm without openid or coupon_code in the body', async () => {
  const { client, only } = setup(userCoupon)
  const body = { ...couponRef, out_request_no: 'MCHCONFIRM20250804001' }
  assert.deepEqual(await client.confirmCoupon({ ...userPath, ...body }), userCoupon)
  assertUserOp(only(), 'confirm', body)
})

test('useCoupon POSTs to …/use and sends sequential_coupon_index 0', async () => {
  const { client, only } = setup(userCoupon)
  const body = {
    ...couponRef,
    use_time: '2025-08-04T12:00:00+08:00',
    associated_order_info: { transaction_id: '4200000000202508040000000001' },
    out_request_no: 'MCHUSE20250804001',
    sequential_coupon_index: 0,
  }
  assert.deepEqual(await client.useCoupon({ ...userPath, ...body }), userCoupon)
  const req = only()
  assertUserOp(req, 'use', body)
  assert.match(req.body ?? '', /"sequential_coupon_index":0[,}]/)
})

test('returnCoupon POSTs to …/return and sends sequential_coupon_index 0', async () => {
  const { client, only } = setup(userCoupon)
  const body = { ...couponRef, out_request_no: 'MCHRETURN20250804001', sequential_coupon_index: 0 }
  assert.deepEqual(await client.returnCoupon({ ...userPath, ...body }), userCoupon)
  const req = only()
  assertUserOp(req, 'return', body)
  assert.equal(req.body, JSON.stringify(body))
})

test('getUserCoupon sends the four query parameters in the documented order', async () => {
  const { client, only } = setup(userCoupon)
  const res = await client.getUserCoupon({ openid: OPENID, coupon_code: COUPON_CODE, ...couponRef })
  assert.deepEqual(res, userCoupon)
  const req = only()
  assert.equal(req.method, 'GET')
  assert.equal(
    req.target,
    `${P}/users/${OPENID}/coupons/${COUPON_CODE}` +
      `?product_coupon_id=${PRODUCT_COUPON_ID}&stock_id=${STOCK_ID}&appid=${couponRef.appid}` +
      `&brand_id=${BRAND_ID}`,
  )
  assert.equal(req.body, undefined)
})

test('undefined members are dropped from the body, and the bytes signed are the bytes sent', async () => {
  const { client, only } = setup(userCoupon)
  const body = { ...couponRef, send_request_no: 'MCHSEND202508040001', attach: undefined }
  // exactOptionalPropertyTypes forbids this in TS; plain JS callers can still do it.
  await client.sendCoupon({
    openid: OPENID,
    ...(body as typeof couponRef & { send_request_no: string }),
  })
  const req = only()
  assert.equal(req.body?.includes('attach'), false)
  assert.equal(req.body, JSON.stringify({ ...couponRef, send_request_no: 'MCHSEND202508040001' }))
})

test('sends the documented headers', async () => {
  const { client, only } = setup(userCoupon)
  await client.returnCoupon({
    openid: OPENID,
    coupon_code: COUPON_CODE,
    ...couponRef,
    out_request_no: 'R0000001',
  })
  const h = only().headers
  assert.equal(h.accept, 'application/json')
  assert.equal(h['content-type'], 'application/json')
  assert.equal(h['wechatpay-serial'], PUB_KEY_ID)
  assert.equal(h['user-agent'], `wxcoupon-sdk/0.1.0 (node ${process.version})`)
  assert.match(h.authorization ?? '', /^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",/)
  assert.match(h.authorization ?? '', new RegExp(`timestamp="${NOW}"`))
})

test('path and query values are percent-encoded, and the signature covers the encoded form', async () => {
  const { client, only } = setup(userCoupon)
  await client.getUserCoupon({
    openid: "o/x y?'#",
    coupon_code: 'C(1)*!',
    ...couponRef,
    appid: "wx'&=+",
  })
  const req = only()
  assert.equal(
    req.target,
    `${P}/users/o%2Fx%20y%3F%27%23/coupons/C%281%29%2A%21` +
      `?product_coupon_id=${PRODUCT_COUPON_ID}&stock_id=${STOCK_ID}&appid=wx%27%26%3D%2B` +
      `&brand_id=${BRAND_ID}`,
  )
})

test('a baseUrl path prefix is kept and signed; trailing slashes are dropped', async () => {
  const server = fakeWechat(() => ({ body: productCoupon }))
  const client = new WxCouponClient(
    clientOptions({ fetch: server.fetch, baseUrl: 'http://127.0.0.1:8080/sandbox//' }),
  )
  await client.getProductCoupon({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID })
  const req = server.requests[0]
  assert.ok(req?.signed)
  assert.equal(
    req.url,
    `http://127.0.0.1:8080/sandbox${P}/product-coupons/${PRODUCT_COUPON_ID}?brand_id=${BRAND_ID}`,
  )
})

test('missing or dot-segment path parameters are refused before anything is sent', async () => {
  const server = fakeWechat(() => ({ body: userCoupon }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  await assert.rejects(
    client.getUserCoupon({ openid: '..', coupon_code: COUPON_CODE, ...couponRef }),
    TypeError,
  )
  await assert.rejects(
    client.getUserCoupon({ openid: OPENID, coupon_code: '', ...couponRef }),
    TypeError,
  )
  await assert.rejects(client.request('GET', 'no-leading-slash'), TypeError)
  await assert.rejects(client.request('GET', '/a/../b'), TypeError)
  assert.equal(server.requests.length, 0)
})

test('request() reaches endpoints without a dedicated method, and empty 2xx bodies are undefined', async () => {
  const server = fakeWechat(() => ({ status: 204 }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const res = await client.request('POST', `${P}/notify-configs`, {
    notify_url: 'https://x.test/cb',
  })
  assert.equal(res, undefined)
  assert.ok(server.requests[0]?.signed)
})
