import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  AUTH_SCHEME,
  type AuthorizationParams,
  type AuthorizationParseFailure,
  buildAuthorization,
  parseAuthorization,
  signRequest,
} from './authorization.ts'
import { verifySha256WithRsa } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'
import {
  EXAMPLE_NONCE,
  RETURN_BODY,
  RETURN_MESSAGE_SIGNATURE,
  RETURN_URL,
  TEST_PRIVATE_KEY_PEM,
  TEST_PUBLIC_KEY_PEM,
} from './test-vectors.fixture.ts'

const params: AuthorizationParams = {
  mchid: '1900000001',
  nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB242',
  timestamp: '1554208460',
  serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
  signature: RETURN_MESSAGE_SIGNATURE,
}
const pairs: Record<string, string> = {
  mchid: params.mchid,
  nonce_str: params.nonceStr,
  timestamp: params.timestamp,
  serial_no: params.serialNo,
  signature: params.signature,
}
const header = (parts: string[], sep = ',') => `${AUTH_SCHEME} ${parts.join(sep)}`
const part = (k: string) => `${k}="${pairs[k]}"`
const KEYS = Object.keys(pairs)
const good = buildAuthorization(params)

const failsWith = (h: string | undefined, reason: AuthorizationParseFailure) =>
  assert.deepEqual(parseAuthorization(h), { ok: false, reason }, JSON.stringify(h?.slice(0, 90)))

test('build emits the Java order; parse reads it back', () => {
  assert.equal(AUTH_SCHEME, 'WECHATPAY2-SHA256-RSA2048')
  assert.equal(
    good,
    `WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",` +
      `signature="${RETURN_MESSAGE_SIGNATURE}",timestamp="1554208460",` +
      'serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"',
  )
  assert.deepEqual(parseAuthorization(good), { ok: true, value: params })
})

test('the five fields in any order (all 120 permutations), and the Go order', () => {
  const perms = (xs: string[]): string[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => perms(xs.filter((_, j) => j !== i)).map((p) => [x, ...p]))
  const all = perms(KEYS)
  assert.equal(all.length, 120)
  for (const order of all) {
    assert.deepEqual(parseAuthorization(header(order.map(part))), { ok: true, value: params })
  }
})

test('spaces and tabs around commas are tolerated', () => {
  for (const sep of [', ', ' ,', ' , ', ',\t', '\t,\t', ',   ']) {
    assert.deepEqual(parseAuthorization(header(KEYS.map(part), sep)), { ok: true, value: params })
  }
})

test('missing header, wrong scheme, brand scheme', () => {
  const rest = good.slice(AUTH_SCHEME.length + 1)
  failsWith(undefined, 'missing')
  failsWith('', 'missing')
  failsWith(`WECHATPAY2-SHA256-RSA2048X ${rest}`, 'scheme')
  failsWith(`wechatpay2-sha256-rsa2048 ${rest}`, 'scheme')
  failsWith(`WECHATPAY-BRAND-SHA256-RSA2048 ${rest},brand_id="120344"`, 'scheme')
  failsWith(`Bearer ${rest}`, 'scheme')
  failsWith(`WECHATPAY2-SHA256-RSA2048\t${rest}`, 'scheme')
  failsWith('WECHATPAY2-SHA256-RSA2048', 'scheme')
  failsWith(` ${good}`, 'scheme')
  // Exactly one space after the scheme.
  failsWith(`WECHATPAY2-SHA256-RSA2048  ${rest}`, 'syntax')
  failsWith('WECHATPAY2-SHA256-RSA2048 ', 'syntax')
})

test('each field missing, each field duplicated', () => {
  for (const k of KEYS) {
    failsWith(header(KEYS.filter((x) => x !== k).map(part)), 'missing_field')
    failsWith(header([...KEYS.map(part), part(k)]), 'duplicate')
    failsWith(header([...KEYS.map(part), `${k}="other"`]), 'duplicate')
  }
})

test('unquoted, unknown, empty, quote or CR/LF inside, stray separators', () => {
  failsWith(good.replace('mchid="1900000001"', 'mchid=1900000001'), 'syntax')
  failsWith(good.replace('mchid="1900000001"', "mchid='1900000001'"), 'syntax')
  failsWith(good.replace('mchid="1900000001"', 'mchid="1900000001'), 'syntax')
  failsWith(good.replace('mchid="1900000001"', 'mchid = "1900000001"'), 'syntax')
  failsWith(good.replace('mchid="1900000001"', 'MCHID="1900000001"'), 'syntax')
  failsWith(good.replace('mchid="1900000001"', 'mchid="19"00"'), 'syntax')
  failsWith(`${good},realm="x"`, 'unknown_field')
  failsWith(`${good},brand_id="120344"`, 'unknown_field')
  failsWith(`${good},__proto__="x"`, 'unknown_field')
  for (const k of KEYS) failsWith(good.replace(`${k}="${pairs[k]}"`, `${k}=""`), 'empty_field')
  for (const bad of ['\r\n', '\n', '\r', '\0', '\x7f']) {
    failsWith(good.replace('mchid="1900000001"', `mchid="19${bad}00"`), 'syntax')
  }
  failsWith(`${good}\r\nX-Injected: 1`, 'syntax')
  failsWith(`${good},`, 'syntax')
  failsWith(`${good} `, 'syntax')
  failsWith(good.replace(',', ',,'), 'syntax')
  failsWith(good.replace(',', ';'), 'syntax')
  failsWith(good.replace(',', ' '), 'syntax')
})

test('over-long headers are refused before any scanning', () => {
  failsWith(`${AUTH_SCHEME} ${'a'.repeat(10_000)}`, 'too_long')
  failsWith(`${good},${'x'.repeat(10 * 1024)}`, 'too_long')
  failsWith('x'.repeat(4097), 'too_long')
  // 4096 is still allowed: it fails on content, not on length.
  failsWith(`${AUTH_SCHEME} ${'a'.repeat(4096 - AUTH_SCHEME.length - 1)}`, 'syntax')
})

// Linear time is a property of the hand scanner (no regex); speed is measured by the bench,
// never asserted here. These inputs would make a backtracking pattern explode.
test('hostile near-misses are refused', () => {
  const room = 4096 - AUTH_SCHEME.length - 1
  const hostile = [
    'a="'.repeat(Math.floor(room / 3)),
    'a="x",'.repeat(Math.floor(room / 6)),
    `mchid="${'\\'.repeat(room - 8)}`,
    ' ,'.repeat(Math.floor(room / 2)),
  ].map((s) => `${AUTH_SCHEME} ${s}`.slice(0, 4096))
  for (const h of hostile) assert.equal(parseAuthorization(h).ok, false, h.slice(0, 60))
})

test('property: parse never throws on arbitrary input', () => {
  const mutated = fc
    .tuple(fc.nat({ max: good.length }), fc.nat({ max: 8 }), fc.string({ maxLength: 8 }))
    .map(([at, cut, ins]) => good.slice(0, at) + ins + good.slice(at + cut))
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        mutated,
      ),
      (h) => {
        const r = parseAuthorization(h)
        assert.equal(typeof r.ok, 'boolean')
      },
    ),
    { numRuns: 3000 },
  )
  for (const junk of [null, 42, {}, ['a'], Symbol.iterator]) {
    assert.deepEqual(parseAuthorization(junk as unknown as string), {
      ok: false,
      reason: 'missing',
    })
  }
})

test('property: build → parse round-trips any safe values', () => {
  // Safe = printable ASCII except `"`, which is all a quoted value may hold.
  const safeChar = fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x22)
  const value = fc
    .array(safeChar, { minLength: 1, maxLength: 60 })
    .map((cs) => String.fromCharCode(...cs))
  fc.assert(
    fc.property(value, value, value, value, value, (mchid, nonceStr, timestamp, serialNo, sig) => {
      const p = { mchid, nonceStr, timestamp, serialNo, signature: sig }
      assert.deepEqual(parseAuthorization(buildAuthorization(p)), { ok: true, value: p })
    }),
    { numRuns: 1000 },
  )
})

test('signRequest: known-answer signature, header the server parses, message it rebuilds', () => {
  const r = signRequest({
    method: 'POST',
    url: RETURN_URL,
    body: RETURN_BODY,
    mchid: '1900000001',
    serialNo: 'ABC123',
    privateKey: TEST_PRIVATE_KEY_PEM,
    timestamp: 1754272800,
    nonce: EXAMPLE_NONCE,
  })
  assert.equal(r.signature, RETURN_MESSAGE_SIGNATURE)
  assert.equal(r.timestamp, '1754272800')
  assert.equal(r.nonce, EXAMPLE_NONCE)
  assert.deepEqual(parseAuthorization(r.authorization), {
    ok: true,
    value: {
      mchid: '1900000001',
      nonceStr: EXAMPLE_NONCE,
      timestamp: '1754272800',
      serialNo: 'ABC123',
      signature: RETURN_MESSAGE_SIGNATURE,
    },
  })
})

test('signRequest defaults: now in unix seconds and a fresh 32-char nonce', () => {
  const before = Math.floor(Date.now() / 1000)
  const r = signRequest({
    method: 'GET',
    url: '/v3/x?a=1',
    body: '',
    mchid: '1',
    serialNo: 'S',
    privateKey: TEST_PRIVATE_KEY_PEM,
  })
  const after = Math.floor(Date.now() / 1000)
  assert.match(r.timestamp, /^\d{10}$/)
  assert.ok(Number(r.timestamp) >= before && Number(r.timestamp) <= after)
  assert.match(r.nonce, /^[0-9A-Za-z]{32}$/)
  const message = buildRequestMessage({ method: 'GET', url: '/v3/x?a=1', body: '', ...r })
  assert.equal(verifySha256WithRsa(message, r.signature, TEST_PUBLIC_KEY_PEM), true)
})
