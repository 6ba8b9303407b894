import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Wechatpay } from 'wechatpay-axios-plugin'
import { formatRfc3339 } from '../src/domain/time.ts'
import { body, productCouponBody, reqNo, usedCoupon } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * Clients not written in this repository complete signed calls against the server by changing
 * only the host: the npm WeChat Pay SDK wechatpay-axios-plugin (which verifies every response
 * signature itself), and a curl + openssl script following the official signing rules.
 */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

// biome-ignore lint/suspicious/noExplicitAny: the plugin builds its URL chain dynamically
type Chain = any

describe('wechatpay-axios-plugin (npm)', () => {
  function client(): Chain {
    const sb = s.sandbox
    return new Wechatpay({
      mchid: sb.partner.mchid,
      serial: sb.partner.serial_no,
      privateKey: readFileSync(sb.partner.private_key_file, 'utf8'),
      certs: { [sb.platform.public_key_id]: readFileSync(sb.platform.public_key_file, 'utf8') },
      baseURL: `${s.baseUrl}/`,
    } as never) as Chain
  }

  test('create → send → confirm → use → return → query, every response verified by the plugin', async () => {
    const wx = client()
    const api = wx.v3.marketing.partner.productCoupon
    const sb = s.sandbox
    const created = await api.productCoupons.post(productCouponBody(s))
    assert.equal(created.status, 200)
    const ref = {
      product_coupon_id: created.data.product_coupon_id as string,
      stock_id: created.data.stock.stock_id as string,
      appid: sb.appid,
      brand_id: sb.brand_id,
    }
    const sent = await api.users._openid_.coupons.post(
      { ...ref, send_request_no: reqNo('SEND') },
      { openid: sb.openid },
    )
    const coupon = api.users._openid_.coupons._coupon_code_
    const params = { openid: sb.openid, coupon_code: sent.data.coupon_code as string }
    const confirmed = await coupon.confirm.post({ ...ref, out_request_no: reqNo('CFM') }, params)
    assert.equal(confirmed.data.coupon_state, 'EFFECTIVE')
    const used = await coupon.use.post(
      {
        ...ref,
        use_time: formatRfc3339(Math.floor(Date.now() / 1000)),
        associated_order_info: { transaction_id: '4200000000123456789123456789' },
        out_request_no: reqNo('USE'),
      },
      params,
    )
    assert.equal(used.data.coupon_state, 'USED')
    const returned = await coupon.return.post({ ...ref, out_request_no: reqNo('RET') }, params)
    assert.equal(returned.data.coupon_state, 'EFFECTIVE')
    const got = await coupon.get({ ...params, params: ref })
    assert.deepEqual(got.data, returned.data)
  })

  test('errors reach the plugin as HTTP errors with WeChat error bodies', async () => {
    const sb = s.sandbox
    const coupon = client().v3.marketing.partner.productCoupon.users._openid_.coupons._coupon_code_
    await assert.rejects(
      coupon.return.post(
        {
          product_coupon_id: '1',
          stock_id: '1',
          appid: sb.appid,
          brand_id: sb.brand_id,
          out_request_no: reqNo('RET'),
        },
        { openid: sb.openid, coupon_code: '123' },
      ),
      (e: { response?: { status: number; data: { code: string } } }) => {
        assert.equal(e.response?.status, 404)
        assert.equal(e.response?.data.code, 'NOT_FOUND')
        return true
      },
    )
  })
})

describe('curl + openssl', () => {
  const script = fileURLToPath(new URL('./clients/openssl-curl.sh', import.meta.url))
  // Asynchronous: the server under test answers from this very process.
  async function run(
    method: string,
    path: string,
    payload = '',
  ): Promise<{ status: number; body: string }> {
    const sb = s.sandbox
    const r = await promisify(execFile)(
      script,
      [
        s.baseUrl,
        sb.partner.mchid,
        sb.partner.serial_no,
        sb.partner.private_key_file,
        sb.platform.public_key_file,
        method,
        path,
        payload,
      ],
      { encoding: 'utf8' },
    )
    const [status = '', ...rest] = r.stdout.split('\n')
    return { status: Number(status), body: rest.join('\n') }
  }

  test('a return signed by openssl succeeds and its response signature verifies with openssl', async () => {
    const c = await usedCoupon(s)
    const path = `/v3/marketing/partner/product-coupon/users/${c.openid}/coupons/${c.coupon_code}/return`
    const r = await run('POST', path, JSON.stringify(body(c, { out_request_no: reqNo('RET') })))
    assert.equal(r.status, 200, r.body)
    assert.equal(JSON.parse(r.body).coupon_state, 'EFFECTIVE')
    const q = `?product_coupon_id=${c.product_coupon_id}&stock_id=${c.stock_id}&appid=${c.appid}&brand_id=${c.brand_id}`
    const got = await run(
      'GET',
      `/v3/marketing/partner/product-coupon/users/${c.openid}/coupons/${c.coupon_code}${q}`,
    )
    assert.equal(got.status, 200)
    assert.deepEqual(JSON.parse(got.body), JSON.parse(r.body))
  })

  test('error responses are signed too (verified by openssl)', async () => {
    const r = await run('GET', '/v3/marketing/partner/product-coupon/product-coupons/1?brand_id=1')
    assert.equal(r.status, 403)
    assert.equal(JSON.parse(r.body).code, 'NO_AUTH')
  })
})
