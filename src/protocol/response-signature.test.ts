import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  RESPONSE_HEADERS,
  type ResponseVerification,
  signResponse,
  verifyResponseSignature,
} from './response-signature.ts'
import { generateRsaKeyPair, verifySha256WithRsa } from './rsa.ts'
import { buildResponseMessage } from './signing-message.ts'
import { TEST_PRIVATE_KEY_PEM, TEST_PUBLIC_KEY_PEM } from './test-vectors.fixture.ts'

const now = 1_754_272_800
const body = '{"coupon_code":"887755443322","coupon_state":"EFFECTIVE","备注":"商品券"}'
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000'
const signed = signResponse({
  body,
  privateKey: TEST_PRIVATE_KEY_PEM,
  keyId: KEY_ID,
  timestamp: now,
  nonce: 'c5ac7061fccab6bf3e254dcf98995b8c',
})

/** Case-insensitive lookup, as Node's IncomingMessage and fetch's Headers provide. */
const getter = (h: Record<string, string>) => (name: string) =>
  Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]

function verify(
  h: Record<string, string>,
  opts: { body?: string; at?: number; tolerance?: number; publicKey?: string } = {},
): ResponseVerification {
  return verifyResponseSignature({
    headers: getter(h),
    body: opts.body ?? body,
    publicKey: opts.publicKey ?? TEST_PUBLIC_KEY_PEM,
    publicKeyId: KEY_ID,
    nowSeconds: opts.at ?? now,
    ...(opts.tolerance === undefined ? {} : { toleranceSeconds: opts.tolerance }),
  })
}
const fails = (reason: string) => ({ ok: false, reason })

test('signResponse: the four headers, signature over the 3-line message', () => {
  assert.deepEqual(Object.keys(signed).sort(), [
    'Wechatpay-Nonce',
    'Wechatpay-Serial',
    'Wechatpay-Signature',
    'Wechatpay-Timestamp',
  ])
  assert.equal(signed['Wechatpay-Timestamp'], '1754272800')
  assert.equal(signed['Wechatpay-Serial'], KEY_ID)
  const message = `1754272800\nc5ac7061fccab6bf3e254dcf98995b8c\n${body}\n`
  assert.equal(
    verifySha256WithRsa(message, signed['Wechatpay-Signature'], TEST_PUBLIC_KEY_PEM),
    true,
  )
  assert.deepEqual(Object.values(RESPONSE_HEADERS), [
    'wechatpay-timestamp',
    'wechatpay-nonce',
    'wechatpay-signature',
    'wechatpay-serial',
  ])
})

test('sign → verify, with any header-name case; an empty body too', () => {
  assert.deepEqual(verify(signed), { ok: true })
  const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]))
  assert.deepEqual(verify(lower), { ok: true })
  const empty = signResponse({
    body: '',
    privateKey: TEST_PRIVATE_KEY_PEM,
    keyId: KEY_ID,
    timestamp: now,
    nonce: 'n',
  })
  assert.deepEqual(verify(empty, { body: '' }), { ok: true })
  assert.deepEqual(verify(empty, { body: '\n' }), fails('bad_signature'))
})

test('each header missing or empty → missing_header', () => {
  for (const name of Object.keys(signed)) {
    const { [name]: _gone, ...rest } = signed as Record<string, string>
    assert.deepEqual(verify(rest), fails('missing_header'), name)
    assert.deepEqual(verify({ ...signed, [name]: '' }), fails('missing_header'), name)
  }
})

test('non-integer timestamps → bad_timestamp', () => {
  for (const ts of [
    '17e8',
    '-1',
    '+1754272800',
    '1754272800.0',
    ' 1754272800',
    '0x1A',
    'NaN',
    '١٧٥',
  ]) {
    assert.deepEqual(verify({ ...signed, 'Wechatpay-Timestamp': ts }), fails('bad_timestamp'), ts)
  }
})

test('clock skew: Java rule, |now − ts| ≥ tolerance rejects', () => {
  assert.deepEqual(verify(signed, { at: now + 299 }), { ok: true })
  assert.deepEqual(verify(signed, { at: now - 299 }), { ok: true })
  assert.deepEqual(verify(signed, { at: now + 300 }), fails('stale_timestamp'))
  assert.deepEqual(verify(signed, { at: now - 300 }), fails('stale_timestamp'))
  assert.deepEqual(verify(signed, { at: now + 86_400 }), fails('stale_timestamp'))
  assert.deepEqual(verify(signed, { at: now + 59, tolerance: 60 }), { ok: true })
  assert.deepEqual(verify(signed, { at: now + 60, tolerance: 60 }), fails('stale_timestamp'))
})

test('another key id → serial_mismatch', () => {
  assert.deepEqual(
    verify({ ...signed, 'Wechatpay-Serial': 'PUB_KEY_ID_02' }),
    fails('serial_mismatch'),
  )
  assert.deepEqual(
    verify({ ...signed, 'Wechatpay-Serial': KEY_ID.toLowerCase() }),
    fails('serial_mismatch'),
  )
})

test('tampered body, nonce or timestamp, or another key → bad_signature', () => {
  assert.deepEqual(verify(signed, { body: `${body} ` }), fails('bad_signature'))
  assert.deepEqual(
    verify(signed, { body: body.replace('EFFECTIVE', 'USED') }),
    fails('bad_signature'),
  )
  assert.deepEqual(verify({ ...signed, 'Wechatpay-Nonce': 'x' }), fails('bad_signature'))
  assert.deepEqual(
    verify({ ...signed, 'Wechatpay-Timestamp': String(now + 1) }),
    fails('bad_signature'),
  )
  const other = generateRsaKeyPair().publicKeyPem
  assert.deepEqual(verify(signed, { publicKey: other }), fails('bad_signature'))
  assert.deepEqual(
    verify({ ...signed, 'Wechatpay-Signature': 'not base64!' }),
    fails('bad_signature'),
  )
})

test('a WECHATPAY/SIGNTEST/ probe is rejected as such', () => {
  const probe = `WECHATPAY/SIGNTEST/${signed['Wechatpay-Signature']}`
  assert.deepEqual(verify({ ...signed, 'Wechatpay-Signature': probe }), fails('signature_probe'))
})

test('the same check verifies a callback (same headers, same 3-line message)', () => {
  const envelope =
    '{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","event_type":"PRODUCT_COUPON_SP.SEND"}'
  const h = signResponse({
    body: envelope,
    privateKey: TEST_PRIVATE_KEY_PEM,
    keyId: KEY_ID,
    timestamp: now,
    nonce: 'cb',
  })
  assert.equal(
    verifySha256WithRsa(
      buildResponseMessage({ timestamp: String(now), nonce: 'cb', body: envelope }),
      h['Wechatpay-Signature'],
      TEST_PUBLIC_KEY_PEM,
    ),
    true,
  )
  assert.deepEqual(verify(h, { body: envelope }), { ok: true })
})
