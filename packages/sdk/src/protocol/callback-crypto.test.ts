import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CallbackDecryptError,
  decryptCallbackResource,
  encryptCallbackResource,
  generateApiV3Key,
  generateCallbackNonce,
  isApiV3Key,
} from './callback-crypto.ts'
import { GCM_VECTOR } from './test-vectors.fixture.ts'

const { plaintext, ciphertext, ...p } = GCM_VECTOR

test('known answer (Python cryptography) and round trip', () => {
  assert.equal(encryptCallbackResource({ ...p, plaintext }), ciphertext)
  assert.equal(decryptCallbackResource({ ...p, ciphertext }), plaintext)
  // ciphertext ‖ 16-byte tag: the output is exactly 16 bytes longer than the UTF-8 plaintext.
  assert.equal(Buffer.from(ciphertext, 'base64').length, Buffer.byteLength(plaintext) + 16)
})

test('round trip of UTF-8 (Chinese) text with fresh keys and nonces', () => {
  const text = JSON.stringify({ summary: '商品券领券通知', brand: '品牌-甲', emoji: '🎟️', n: 1 })
  for (let i = 0; i < 20; i++) {
    const q = {
      apiv3Key: generateApiV3Key(),
      nonce: generateCallbackNonce(),
      associatedData: 'product_coupon_sp',
    }
    const c = encryptCallbackResource({ ...q, plaintext: text })
    assert.equal(decryptCallbackResource({ ...q, ciphertext: c }), text)
  }
  assert.equal(
    decryptCallbackResource({ ...p, ciphertext: encryptCallbackResource({ ...p, plaintext: '' }) }),
    '',
  )
})

test('tampered ciphertext, tag, nonce, AAD or the wrong key → CallbackDecryptError', () => {
  const bytes = Buffer.from(ciphertext, 'base64')
  const flip = (i: number) => {
    const b = Buffer.from(bytes)
    b[i] = (b[i] ?? 0) ^ 0x01
    return b.toString('base64')
  }
  const wrongKeys = ['X123456789abcdefghijklmnopqrstuv', p.apiv3Key.toUpperCase(), 'short', '']
  const variants: Record<string, unknown>[] = [
    { ...p, ciphertext: flip(0) },
    { ...p, ciphertext: flip(bytes.length - 17) }, // last ciphertext byte
    { ...p, ciphertext: flip(bytes.length - 16) }, // first tag byte
    { ...p, ciphertext: flip(bytes.length - 1) }, // last tag byte
    { ...p, ciphertext: bytes.subarray(0, -1).toString('base64') }, // truncated tag
    { ...p, ciphertext: bytes.subarray(16).toString('base64') }, // dropped prefix
    { ...p, ciphertext: 'AAAA' }, // shorter than a tag
    { ...p, ciphertext: '' },
    { ...p, ciphertext: `${ciphertext}!` }, // Buffer.from would silently drop the '!'
    // Buffer.from also decodes base64url and skips blanks; neither is what was sent.
    { ...p, ciphertext: ciphertext.replaceAll('+', '-').replaceAll('/', '_') },
    { ...p, ciphertext: `${ciphertext.slice(0, 4)}\n${ciphertext.slice(4, -1)}` },
    { ...p, ciphertext, nonce: 'j9g1wAzF9Xn2' },
    { ...p, ciphertext, nonce: 'j9g1wAzF9Xn' }, // 11 bytes
    { ...p, ciphertext, associatedData: 'product_coupon' },
    { ...p, ciphertext, associatedData: '' },
    { ...p, ciphertext, associatedData: undefined },
    { ...p, ciphertext: 42 },
    ...wrongKeys.map((apiv3Key) => ({ ...p, ciphertext, apiv3Key })),
    { ...p, ciphertext, apiv3Key: 1234 },
  ]
  for (const v of variants) {
    assert.throws(
      () => decryptCallbackResource(v as Parameters<typeof decryptCallbackResource>[0]),
      (e: unknown) => {
        assert.ok(e instanceof CallbackDecryptError, String(e))
        assert.equal(e.name, 'CallbackDecryptError')
        // The key never leaks into the message (nor does the plaintext).
        assert.ok(!e.message.includes(String(v.apiv3Key) || '\0'), e.message)
        assert.ok(!e.message.includes(p.apiv3Key), e.message)
        assert.ok(!e.message.includes('商品券'), e.message)
        return true
      },
      JSON.stringify(v).slice(0, 120),
    )
  }
})

test('encrypt refuses keys that are not 32 bytes and nonces that are not 12 bytes (UTF-8)', () => {
  const base = { ...p, plaintext: 'x' }
  for (const apiv3Key of ['', 'short', `${p.apiv3Key}x`, `${p.apiv3Key.slice(0, 31)}é`]) {
    assert.throws(() => encryptCallbackResource({ ...base, apiv3Key }), TypeError)
  }
  for (const nonce of ['', '12345678901', '1234567890123', `${'a'.repeat(11)}é`]) {
    assert.throws(() => encryptCallbackResource({ ...base, nonce }), TypeError)
  }
  assert.throws(
    () => encryptCallbackResource({ ...base, apiv3Key: 'short' }),
    (e: unknown) => e instanceof TypeError && !e.message.includes('short'),
  )
})

test('APIv3 keys: 32 chars of [0-9A-Za-z], deterministic under injected randomness', () => {
  assert.match(generateApiV3Key(), /^[0-9A-Za-z]{32}$/)
  assert.notEqual(generateApiV3Key(), generateApiV3Key())
  assert.equal(
    generateApiV3Key((n) => Buffer.alloc(n, 10)),
    'A'.repeat(32),
  )
  assert.match(generateCallbackNonce(), /^[0-9A-Za-z]{12}$/)
})

test('isApiV3Key: exactly 32 ASCII letters and digits', () => {
  assert.equal(isApiV3Key(generateApiV3Key()), true)
  assert.equal(isApiV3Key('0123456789abcdefABCDEF0123456789'), true)
  for (const k of [
    '',
    'a'.repeat(31),
    'a'.repeat(33),
    `${'a'.repeat(31)}-`,
    `${'a'.repeat(31)}é`,
  ]) {
    assert.equal(isApiV3Key(k), false, k)
  }
  assert.equal(isApiV3Key(undefined), false)
  assert.equal(isApiV3Key(Buffer.from('a'.repeat(32))), false)
})
