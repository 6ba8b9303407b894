import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkResponseSignature,
  RESPONSE_HEADERS,
  type ResponseVerification,
  readResponseSignatureHeaders,
  SIGNATURE_PROBE_PREFIX,
  signResponse,
  verifyResponseSignature,
} from './response-signature.ts'
import { generateRsaKeyPair, verifySha256WithRsa } from './rsa.ts'
import { buildResponseMessage, type SignedBody } from './signing-message.ts'
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
  opts: { body?: SignedBody; at?: number; tolerance?: number; publicKey?: string } = {},
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

test('one order of checks: headers, serial, timestamp, probe, signature; the first failure wins', () => {
  const faults: [string, Record<string, string>][] = [
    ['missing_header', { 'Wechatpay-Nonce': '' }],
    ['serial_mismatch', { 'Wechatpay-Serial': 'PUB_KEY_ID_02' }],
    ['bad_timestamp', { 'Wechatpay-Timestamp': '17e8' }],
    ['stale_timestamp', { 'Wechatpay-Timestamp': String(now - 3600) }],
    ['signature_probe', { 'Wechatpay-Signature': `${SIGNATURE_PROBE_PREFIX}AAAA` }],
    ['bad_signature', { 'Wechatpay-Nonce': 'changed' }],
  ]
  for (const [i, [first, a]] of faults.entries()) {
    assert.deepEqual(verify({ ...signed, ...a }), fails(first), first)
    for (const [later, b] of faults.slice(i + 1)) {
      // Two faults on one header cannot both be present; the later one's value wins the spread.
      const sameHeader = Object.keys(a).some((k) => k in b)
      if (sameHeader) continue
      assert.deepEqual(verify({ ...signed, ...b, ...a }), fails(first), `${first} before ${later}`)
    }
  }
})

test('reading the headers: in order, each missing, empty or repeated one named', () => {
  const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]))
  const read = (h: Record<string, string | string[]>) =>
    readResponseSignatureHeaders((name) => h[name])
  assert.deepEqual(read(lower), {
    ok: true,
    value: {
      timestamp: signed['Wechatpay-Timestamp'],
      nonce: signed['Wechatpay-Nonce'],
      signature: signed['Wechatpay-Signature'],
      serial: KEY_ID,
    },
  })
  for (const name of Object.keys(signed)) {
    const key = name.toLowerCase()
    const { [key]: _gone, ...rest } = lower
    assert.deepEqual(read(rest), { ok: false, reason: 'missing_header', header: name })
    assert.deepEqual(read({ ...lower, [key]: '' }), {
      ok: false,
      reason: 'missing_header',
      header: name,
    })
    assert.deepEqual(read({ ...lower, [key]: ['a', 'b'] }), {
      ok: false,
      reason: 'duplicate_header',
      header: name,
    })
  }
  // The first header in order decides, whichever fault the later one has.
  assert.deepEqual(read({ ...lower, 'wechatpay-timestamp': '', 'wechatpay-serial': ['a', 'b'] }), {
    ok: false,
    reason: 'missing_header',
    header: 'Wechatpay-Timestamp',
  })
  assert.deepEqual(read({ ...lower, 'wechatpay-nonce': ['a', 'b'], 'wechatpay-signature': '' }), {
    ok: false,
    reason: 'duplicate_header',
    header: 'Wechatpay-Nonce',
  })
})

test('the body may be the bytes received: verified as they are, never decoded', () => {
  const bytes = Buffer.from(body, 'utf8')
  assert.deepEqual(verify(signed, { body: bytes }), { ok: true })
  const raw = Buffer.from([0x7b, 0xff, 0x7d])
  const h = signResponse({
    body: raw,
    privateKey: TEST_PRIVATE_KEY_PEM,
    keyId: KEY_ID,
    timestamp: now,
  })
  assert.deepEqual(verify(h, { body: raw }), { ok: true })
  // Negative control: the replacement-character text those bytes decode to does not verify.
  assert.deepEqual(verify(h, { body: raw.toString('utf8') }), fails('bad_signature'))
  const read = readResponseSignatureHeaders(getter(h))
  assert.ok(read.ok)
  const trust = { publicKey: TEST_PUBLIC_KEY_PEM, publicKeyId: KEY_ID, nowSeconds: now }
  assert.deepEqual(checkResponseSignature(read.value, raw, trust), { ok: true })
  assert.deepEqual(
    checkResponseSignature(read.value, Buffer.from('{}'), trust),
    fails('bad_signature'),
  )
})

test('signResponse draws its nonce from the injected randomness when none is given', () => {
  const random = (n: number) => Buffer.alloc(n, 1)
  const a = signResponse({
    body,
    privateKey: TEST_PRIVATE_KEY_PEM,
    keyId: KEY_ID,
    timestamp: now,
    random,
  })
  assert.equal(a['Wechatpay-Nonce'], '1'.repeat(32))
  assert.deepEqual(verify(a), { ok: true })
  const b = signResponse({ body, privateKey: TEST_PRIVATE_KEY_PEM, keyId: KEY_ID, timestamp: now })
  assert.match(b['Wechatpay-Nonce'], /^[0-9A-Za-z]{32}$/)
  assert.notEqual(b['Wechatpay-Nonce'], a['Wechatpay-Nonce'])
})
