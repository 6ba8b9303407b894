import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildRequestMessage, buildResponseMessage } from './signing-message.ts'
import {
  EXAMPLE_NONCE,
  EXAMPLE_TIMESTAMP,
  GET_URL,
  RETURN_BODY,
  RETURN_URL,
} from './test-vectors.fixture.ts'

// Known answers from the protocol §2.1 worked example, typed out literally so that a change in
// line order, separator or trailing newline cannot hide behind shared constants.
const RETURN_EXPECTED =
  'POST\n' +
  '/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/887755443322/return\n' +
  '1754272800\n' +
  '5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n' +
  '{"product_coupon_id":"1002323","stock_id":"100232301","appid":"wx233544546545989","out_request_no":"MCHRETURN20250804001","brand_id":"120344"}\n'

test('POST return example: five lines, the last one terminated too', () => {
  const m = buildRequestMessage({
    method: 'POST',
    url: RETURN_URL,
    timestamp: EXAMPLE_TIMESTAMP,
    nonce: EXAMPLE_NONCE,
    body: RETURN_BODY,
  })
  assert.deepEqual(m, Buffer.from(RETURN_EXPECTED, 'utf8'))
  assert.equal(m.filter((b) => b === 0x0a).length, 5)
})

test('GET: the body line is empty, so the message ends in \\n\\n; the query is kept as sent', () => {
  const m = buildRequestMessage({
    method: 'GET',
    url: GET_URL,
    timestamp: EXAMPLE_TIMESTAMP,
    nonce: EXAMPLE_NONCE,
    body: '',
  })
  assert.equal(
    m.toString('utf8'),
    'GET\n' +
      '/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/887755443322' +
      '?product_coupon_id=1002323&stock_id=100232301&appid=wx233544546545989&brand_id=120344\n' +
      '1754272800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n\n',
  )
})

test('nothing is normalised: method case, encoded path and body whitespace pass through', () => {
  const m = buildRequestMessage({
    method: 'patch',
    url: '/v3/x/a%20b+c?q=1&q=2',
    timestamp: '1',
    nonce: 'n',
    body: '{ "a" : 1 }',
  })
  assert.equal(m.toString('utf8'), 'patch\n/v3/x/a%20b+c?q=1&q=2\n1\nn\n{ "a" : 1 }\n')
})

test('response message: timestamp, nonce, body; an empty body still ends in \\n', () => {
  assert.deepEqual(
    buildResponseMessage({ timestamp: '1754272800', nonce: 'abc', body: '{"a":"商品券"}' }),
    Buffer.from('1754272800\nabc\n{"a":"商品券"}\n', 'utf8'),
  )
  assert.equal(
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: '' }).toString('utf8'),
    '1\nn\n\n',
  )
})

test('a body given as bytes is the same message as its text, and is never decoded', () => {
  const request = { method: 'POST', url: RETURN_URL, timestamp: EXAMPLE_TIMESTAMP }
  const text = { ...request, nonce: EXAMPLE_NONCE, body: RETURN_BODY }
  assert.deepEqual(
    buildRequestMessage({ ...text, body: Buffer.from(RETURN_BODY, 'utf8') }),
    buildRequestMessage(text),
  )
  // A plain Uint8Array (what fetch hands out) works as well as a Buffer.
  const bytes = new Uint8Array(Buffer.from('{"a":"商品券"}', 'utf8'))
  assert.deepEqual(
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: bytes }),
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: '{"a":"商品券"}' }),
  )
  // Bytes that are not UTF-8 go into the message as they are, not as U+FFFD.
  const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d])
  assert.deepEqual(
    buildRequestMessage({ ...request, nonce: 'n', body: raw }),
    Buffer.concat([
      Buffer.from(`POST\n${RETURN_URL}\n${EXAMPLE_TIMESTAMP}\nn\n`),
      raw,
      Buffer.from('\n'),
    ]),
  )
  assert.deepEqual(
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: new Uint8Array(0) }),
    Buffer.from('1\nn\n\n'),
  )
  // Negative control: the text those bytes decode to is a different message.
  assert.notDeepEqual(
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: raw }),
    buildResponseMessage({ timestamp: '1', nonce: 'n', body: raw.toString('utf8') }),
  )
})

test('the message length is its byte length: what sign_message_length reports', () => {
  const m = buildRequestMessage({
    method: 'GET',
    url: '/v3/商品',
    timestamp: '1',
    nonce: 'n',
    body: '',
  })
  assert.equal(m.length, Buffer.byteLength('GET\n/v3/商品\n1\nn\n\n'))
  assert.notEqual(m.length, 'GET\n/v3/商品\n1\nn\n\n'.length)
})
