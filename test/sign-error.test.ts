import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { buildRequestMessage } from '../packages/sdk/src/protocol/signing-message.ts'
import { API } from './helpers/fixtures.ts'
import { expectError, startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * The 401s as WeChat Pay answers them (issue 12, research §2): a failed signature carries
 * `detail.sign_information` — the method, the request-target as received, the byte length of
 * the message the server built and that message with its body cut to 8 characters — keys in
 * the real service's order; the other causes keep their own messages, checked in the order
 * header format → scheme → timestamp → mchid and serial → signature.
 */

let s: TestServer
let frozen: number
before(async () => {
  s = await startTestServer(undefined, { realNowSeconds: () => frozen })
})
after(() => s.close())

const forged = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
let wrongKey: ReturnType<typeof forged>

describe('a failed signature shows what the server signed', () => {
  before(() => {
    wrongKey = forged()
    frozen = Math.floor(Date.now() / 1000)
  })

  test('POST with a body: the exact detail, keys in order, the body cut to 8 characters', async () => {
    const path = `${API}/notify-configs`
    const text = '{"notify_url":"https://example.com/wxcoupon/notify"}'
    const nonce = 'N'.repeat(32)
    const r = await s.call('POST', path, undefined, {
      rawBody: text,
      timestamp: frozen,
      nonce,
      partner: { ...s.partner, privateKey: wrongKey },
    })
    expectError(r, 401, 'SIGN_ERROR', '错误的签名，验签失败')
    const message = buildRequestMessage({
      method: 'POST',
      url: path,
      timestamp: String(frozen),
      nonce,
      body: text,
    })
    const expected = {
      code: 'SIGN_ERROR',
      message: '错误的签名，验签失败',
      detail: {
        detail: { issue: 'sign not match' },
        field: 'signature',
        location: 'authorization',
        sign_information: {
          method: 'POST',
          sign_message_length: message.length,
          truncated_sign_message: `POST\n${path}\n${frozen}\n${nonce}\n{"notify\n`,
          url: path,
        },
      },
    }
    // Byte for byte, so the key order is checked too.
    assert.equal(r.text, JSON.stringify(expected))
  })

  test('GET: the message is shown whole; the url is the request-target with its query as sent', async () => {
    const target = `${API}/product-coupons/1000000001?brand_id=120001&x=%E4%B8%AD`
    const r = await s.call('GET', target, undefined, {
      timestamp: frozen,
      nonce: 'abc',
      partner: { ...s.partner, privateKey: wrongKey },
    })
    const info = r.json.detail.sign_information
    const whole = `GET\n${target}\n${frozen}\nabc\n\n`
    assert.equal(info.truncated_sign_message, whole)
    assert.equal(info.sign_message_length, Buffer.byteLength(whole))
    assert.equal(info.url, target)
    assert.equal(info.method, 'GET')
  })

  test('characters, not bytes, are cut; the length counts bytes', async () => {
    const text = '{"a":"退券退券退券退券"}'
    const r = await s.call('POST', `${API}/notify-configs`, undefined, {
      rawBody: text,
      timestamp: frozen,
      nonce: 'n',
      partner: { ...s.partner, privateKey: wrongKey },
    })
    const info = r.json.detail.sign_information
    assert.ok(info.truncated_sign_message.endsWith('\n{"a":"退券\n'), info.truncated_sign_message)
    const head = `POST\n${API}/notify-configs\n${frozen}\nn\n`
    assert.equal(info.sign_message_length, Buffer.byteLength(`${head}${text}\n`))
  })

  test('the message the server built is the one a correct client signs (control: it succeeds)', async () => {
    const r = await s.call('GET', `${API}/notify-configs`, undefined, { timestamp: frozen })
    assert.notEqual(r.status, 401, r.text)
  })
})

describe('the other 401s and their order', () => {
  before(() => {
    frozen = Math.floor(Date.now() / 1000)
  })
  const path = `${API}/notify-configs`

  test('format and scheme have their own messages', async () => {
    const format = await s.call('GET', path, undefined, { authorization: null })
    expectError(
      format,
      401,
      'SIGN_ERROR',
      'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》',
    )
    const scheme = await s.call('GET', path, undefined, { authorization: 'Bearer abc' })
    expectError(scheme, 401, 'SIGN_ERROR', 'Http头Authorization认证类型不正确')
    const syntax = await s.call('GET', path, undefined, {
      authorization: 'WECHATPAY2-SHA256-RSA2048 mchid=1',
    })
    expectError(syntax, 401, 'SIGN_ERROR', format.json.message)
  })

  test('the timestamp is checked before the merchant, the serial and the signature', async () => {
    const stale = { timestamp: frozen - 301 }
    const cases = [
      { partner: { ...s.partner, mchid: '1999999999' } },
      { partner: { ...s.partner, serialNo: 'A'.repeat(40) } },
      { partner: { ...s.partner, privateKey: forged() } },
    ]
    for (const c of cases) {
      const r = await s.call('GET', path, undefined, { ...c, ...stale })
      expectError(
        r,
        401,
        'SIGN_ERROR',
        'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟',
      )
      assert.match(r.json.detail.issue, new RegExp(`server's time is ${frozen}`))
      assert.equal(r.json.detail.location, 'authorization')
    }
    // Controls: inside the window each case fails for its own reason.
    const messages = []
    for (const c of cases) messages.push((await s.call('GET', path, undefined, c)).json.message)
    assert.deepEqual(messages, [
      '商户号不存在或未开通APIv3',
      '商户证书序列号有误。',
      '错误的签名，验签失败',
    ])
  })

  test('the merchant before its serial, both before the signature', async () => {
    const both = await s.call('GET', path, undefined, {
      partner: { ...s.partner, mchid: '1999999999', serialNo: 'A'.repeat(40) },
    })
    expectError(both, 401, 'SIGN_ERROR', '商户号不存在或未开通APIv3')
    const serialAndKey = await s.call('GET', path, undefined, {
      partner: { ...s.partner, serialNo: 'A'.repeat(40), privateKey: forged() },
    })
    expectError(serialAndKey, 401, 'SIGN_ERROR', '商户证书序列号有误。')
    assert.equal(serialAndKey.json.detail, undefined, 'only a failed signature shows the message')
  })
})
