import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
// The built package, as a consumer imports it (package.json "exports").
import {
  ApiError,
  InvalidRequestError,
  NotFoundError,
  ParamError,
  PermissionError,
  SignatureVerificationError,
  WxCouponClient,
} from 'wxcoupon'
import { productCouponBody, reqNo, sandboxNow } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/** SDK ↔ server round trips: the client and the server agree on every byte they sign. */

let s: TestServer
let wx: WxCouponClient
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
})
after(() => s.close())

async function usedCoupon(kind: 'SINGLE' | 'SEQUENTIAL') {
  const sb = s.sandbox
  const pc = await wx.createProductCoupon(productCouponBody(s, { mode: kind, rounds: 2 }))
  const ref = {
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid: sb.appid,
    brand_id: sb.brand_id,
  }
  const sent = await wx.sendCoupon({ openid: sb.openid, ...ref, send_request_no: reqNo('SEND') })
  const coupon = { openid: sb.openid, coupon_code: sent.coupon_code, ...ref }
  await wx.confirmCoupon({ ...coupon, out_request_no: reqNo('CFM') })
  const used = await wx.useCoupon({
    ...coupon,
    use_time: await sandboxNow(s),
    associated_order_info: { transaction_id: '4200000000123456789123456789' },
    out_request_no: reqNo('USE'),
    ...(kind === 'SEQUENTIAL' ? { sequential_coupon_index: 0 } : {}),
  })
  return { pc, coupon, used }
}

test('SINGLE: the whole life cycle through the SDK, every response verified', async () => {
  const { pc, coupon, used } = await usedCoupon('SINGLE')
  assert.equal(used.coupon_state, 'USED')
  assert.deepEqual(
    await wx.getProductCoupon({
      product_coupon_id: pc.product_coupon_id,
      brand_id: coupon.brand_id,
    }),
    (({ stock: _s, ...e }) => e)(pc),
  )
  assert.equal(
    (
      await wx.getStock({
        product_coupon_id: pc.product_coupon_id,
        stock_id: pc.stock.stock_id,
        brand_id: coupon.brand_id,
      })
    ).sent_count_info.total_count,
    1,
  )
  const no = reqNo('RET')
  const returned = await wx.returnCoupon({ ...coupon, out_request_no: no })
  assert.equal(returned.coupon_state, 'EFFECTIVE')
  assert.equal(returned.single_usage_detail?.return_request_no, no)
  assert.deepEqual(
    await wx.returnCoupon({ ...coupon, out_request_no: no }),
    returned,
    'idempotent replay',
  )
  assert.deepEqual(await wx.getUserCoupon(coupon), returned)
})

test('SEQUENTIAL: sequential_coupon_index 0 reaches the server', async () => {
  const { coupon, used } = await usedCoupon('SEQUENTIAL')
  assert.equal(used.sequential_usage_detail?.used_count, 1)
  const r = await wx.returnCoupon({
    ...coupon,
    out_request_no: reqNo('RET'),
    sequential_coupon_index: 0,
  })
  assert.equal(r.sequential_usage_detail?.used_count, 0)
  assert.equal(r.sequential_usage_detail?.detail_item_list?.[0]?.detail_state, 'EFFECTIVE')
})

test('server errors arrive as the matching SDK error classes with their details', async () => {
  const { coupon } = await usedCoupon('SINGLE')
  const notFound = await wx
    .returnCoupon({ ...coupon, coupon_code: '1', out_request_no: reqNo('RET') })
    .catch((e: unknown) => e)
  assert.ok(notFound instanceof NotFoundError)
  assert.ok(notFound instanceof ApiError)
  assert.equal(notFound.status, 404)
  assert.equal(notFound.code, 'NOT_FOUND')
  assert.match(notFound.requestId ?? '', /^[0-9A-F]{42}-268578608$/)
  const param = await wx
    .returnCoupon({ ...coupon, out_request_no: 'short' })
    .catch((e: unknown) => e)
  assert.ok(param instanceof ParamError)
  assert.deepEqual((param.detail as { field: string }).field, '/out_request_no')
  const rule = await wx
    .returnCoupon({ ...coupon, out_request_no: reqNo('RET'), sequential_coupon_index: 0 })
    .catch((e: unknown) => e)
  assert.ok(rule instanceof InvalidRequestError)
  const noAuth = await wx
    .getProductCoupon({ product_coupon_id: coupon.product_coupon_id, brand_id: '1' })
    .catch((e: unknown) => e)
  assert.ok(noAuth instanceof PermissionError)
})

test('a client holding the wrong platform key refuses the answer', async () => {
  const sb = s.sandbox
  const { generateKeyPairSync } = await import('node:crypto')
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const wrong = new WxCouponClient({
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: sb.partner.private_key_file,
    platformPublicKey: publicKey,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: s.baseUrl,
  })
  const e = await wrong
    .getProductCoupon({ product_coupon_id: '1', brand_id: sb.brand_id })
    .catch((x: unknown) => x)
  assert.ok(e instanceof NotFoundError, 'errors are not verified (spec §4.2)')
  const pc = await wx.createProductCoupon(productCouponBody(s))
  const bad = await wrong
    .getProductCoupon({ product_coupon_id: pc.product_coupon_id, brand_id: sb.brand_id })
    .catch((x: unknown) => x)
  assert.ok(bad instanceof SignatureVerificationError)
})
