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
  assert.equal(m, RETURN_EXPECTED)
  assert.equal(m.split('\n').length - 1, 5)
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
    m,
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
  assert.equal(m, 'patch\n/v3/x/a%20b+c?q=1&q=2\n1\nn\n{ "a" : 1 }\n')
})

test('response message: timestamp, nonce, body; an empty body still ends in \\n', () => {
  assert.equal(
    buildResponseMessage({ timestamp: '1754272800', nonce: 'abc', body: '{"a":"商品券"}' }),
    '1754272800\nabc\n{"a":"商品券"}\n',
  )
  assert.equal(buildResponseMessage({ timestamp: '1', nonce: 'n', body: '' }), '1\nn\n\n')
})
