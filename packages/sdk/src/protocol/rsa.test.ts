import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { test } from 'node:test'
import {
  generateRsaKeyPair,
  publicKeyPemFromPrivate,
  randomSerialNo,
  signSha256WithRsa,
  verifySha256WithRsa,
} from './rsa.ts'
import {
  GET_MESSAGE,
  GET_MESSAGE_SIGNATURE,
  RETURN_MESSAGE,
  RETURN_MESSAGE_SIGNATURE,
  TEST_PRIVATE_KEY_PEM,
  TEST_PUBLIC_KEY_PEM,
} from './test-vectors.fixture.ts'

test('known answers: our signatures equal the ones openssl produced (POST and GET)', () => {
  assert.equal(signSha256WithRsa(RETURN_MESSAGE, TEST_PRIVATE_KEY_PEM), RETURN_MESSAGE_SIGNATURE)
  assert.equal(signSha256WithRsa(GET_MESSAGE, TEST_PRIVATE_KEY_PEM), GET_MESSAGE_SIGNATURE)
  assert.equal(
    verifySha256WithRsa(RETURN_MESSAGE, RETURN_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM),
    true,
  )
  assert.equal(verifySha256WithRsa(GET_MESSAGE, GET_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM), true)
})

test('KeyObjects work as well as PEM strings', () => {
  const priv = createPrivateKey(TEST_PRIVATE_KEY_PEM)
  const pub = createPublicKey(TEST_PUBLIC_KEY_PEM)
  assert.equal(signSha256WithRsa(RETURN_MESSAGE, priv), RETURN_MESSAGE_SIGNATURE)
  assert.equal(verifySha256WithRsa(RETURN_MESSAGE, RETURN_MESSAGE_SIGNATURE, pub), true)
})

test('a changed message, a swapped signature or another key does not verify', () => {
  const v = (m: string, s: string, k = TEST_PUBLIC_KEY_PEM) => verifySha256WithRsa(m, s, k)
  assert.equal(v(`${RETURN_MESSAGE} `, RETURN_MESSAGE_SIGNATURE), false)
  assert.equal(v(RETURN_MESSAGE.replace('POST', 'post'), RETURN_MESSAGE_SIGNATURE), false)
  assert.equal(v(RETURN_MESSAGE, GET_MESSAGE_SIGNATURE), false)
  assert.equal(
    v(RETURN_MESSAGE, RETURN_MESSAGE_SIGNATURE, generateRsaKeyPair().publicKeyPem),
    false,
  )
})

test('malformed signatures are "not verified", never an exception', () => {
  const sig = RETURN_MESSAGE_SIGNATURE
  const flipped = Buffer.from(sig, 'base64')
  flipped[0] = (flipped[0] ?? 0) ^ 1
  const bad: unknown[] = [
    '',
    'abc',
    '!!!!',
    '====',
    ' '.repeat(4),
    `${sig}A`,
    `${sig}AAAA`, // valid Base64, but 260 bytes instead of 256
    sig.slice(0, -4),
    ` ${sig.slice(1)}`,
    `${sig.slice(0, 10)}\n${sig.slice(11)}`,
    sig.replace(/=+$/, ''), // unpadded: not canonical
    sig.replaceAll('+', '-').replaceAll('/', '_'), // base64url is a different alphabet
    flipped.toString('base64'),
    'A'.repeat(100_000),
    undefined,
    null,
    42,
    Buffer.from(sig, 'base64'),
  ]
  for (const s of bad) {
    assert.equal(
      verifySha256WithRsa(RETURN_MESSAGE, s as string, TEST_PUBLIC_KEY_PEM),
      false,
      String(s).slice(0, 40),
    )
  }
  // A key that is not a key is also just "not verified".
  assert.equal(verifySha256WithRsa(RETURN_MESSAGE, sig, 'not a key'), false)
  assert.equal(verifySha256WithRsa(RETURN_MESSAGE, sig, TEST_PRIVATE_KEY_PEM.slice(0, 200)), false)
})

test('key pairs come in the formats WeChat Pay hands out, and belong together', () => {
  const { privateKeyPem, publicKeyPem } = generateRsaKeyPair()
  assert.match(privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
  assert.match(publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/)
  const pub = createPublicKey(publicKeyPem)
  assert.equal(pub.asymmetricKeyType, 'rsa')
  assert.equal(pub.asymmetricKeyDetails?.modulusLength, 2048)
  assert.equal(publicKeyPemFromPrivate(privateKeyPem), publicKeyPem)
  const s = signSha256WithRsa('hello', privateKeyPem)
  assert.equal(verifySha256WithRsa('hello', s, publicKeyPem), true)
})

test('the public half of the fixed key is the fixed public key', () => {
  assert.equal(publicKeyPemFromPrivate(TEST_PRIVATE_KEY_PEM), TEST_PUBLIC_KEY_PEM)
})

test('serial numbers: 40 upper-case hex characters, deterministic under injected randomness', () => {
  assert.match(randomSerialNo(), /^[0-9A-F]{40}$/)
  assert.notEqual(randomSerialNo(), randomSerialNo())
  assert.equal(
    randomSerialNo((n) => Buffer.alloc(n, 0x4f)),
    '4F'.repeat(20),
  )
})
