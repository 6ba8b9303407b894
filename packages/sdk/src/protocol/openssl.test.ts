import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { signRequest } from './authorization.ts'
import { generateRsaKeyPair, signSha256WithRsa, verifySha256WithRsa } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'
import {
  GET_MESSAGE,
  GET_MESSAGE_SIGNATURE,
  TEST_PRIVATE_KEY_PEM,
  TEST_PUBLIC_KEY_PEM,
} from './test-vectors.fixture.ts'

/** Cross-checks against an implementation not written here: the openssl command line. */

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-openssl-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function openssl(args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  // A missing binary must fail loudly: a skipped cross-check would look like a passing one.
  if (r.error) throw new Error(`cannot run openssl (needed for these tests): ${r.error.message}`)
  return { status: r.status, stdout: r.stdout }
}

const message = buildRequestMessage({
  method: 'POST',
  url: '/v3/marketing/partner/product-coupon/users/o1/coupons/123/return',
  timestamp: '1754272800',
  nonce: 'NONCE123',
  body: '{"out_request_no":"退券-0001","brand_id":"120344"}',
}).toString('utf8')

test('an openssl-generated key signs with openssl; we verify; a changed message fails', () => {
  assert.equal(
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'key.pem'])
      .status,
    0,
  )
  assert.equal(openssl(['pkey', '-in', 'key.pem', '-pubout', '-out', 'pub.pem']).status, 0)
  writeFileSync(join(dir, 'msg.txt'), message)
  assert.equal(
    openssl(['dgst', '-sha256', '-sign', 'key.pem', '-out', 'sig.bin', 'msg.txt']).status,
    0,
  )
  const signature = readFileSync(join(dir, 'sig.bin')).toString('base64')
  const pub = readFileSync(join(dir, 'pub.pem'), 'utf8')
  assert.equal(verifySha256WithRsa(message, signature, pub), true)
  assert.equal(verifySha256WithRsa(message.replace('0001', '0002'), signature, pub), false)
  // Our signRequest with the openssl key produces the very same signature.
  const ours = signRequest({
    method: 'POST',
    url: '/v3/marketing/partner/product-coupon/users/o1/coupons/123/return',
    body: '{"out_request_no":"退券-0001","brand_id":"120344"}',
    mchid: '1',
    serialNo: 'S',
    privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'),
    timestamp: 1754272800,
    nonce: 'NONCE123',
  })
  assert.equal(ours.signature, signature)
})

test('we sign; `openssl dgst -verify` says Verified OK; a changed message fails there too', () => {
  const { privateKeyPem, publicKeyPem } = generateRsaKeyPair()
  writeFileSync(join(dir, 'our-pub.pem'), publicKeyPem)
  writeFileSync(join(dir, 'our-msg.txt'), message)
  writeFileSync(
    join(dir, 'our-sig.bin'),
    Buffer.from(signSha256WithRsa(message, privateKeyPem), 'base64'),
  )
  const ok = openssl([
    'dgst',
    '-sha256',
    '-verify',
    'our-pub.pem',
    '-signature',
    'our-sig.bin',
    'our-msg.txt',
  ])
  assert.equal(ok.status, 0)
  assert.match(ok.stdout, /Verified OK/)
  writeFileSync(join(dir, 'our-msg.txt'), `${message}x`)
  const bad = openssl([
    'dgst',
    '-sha256',
    '-verify',
    'our-pub.pem',
    '-signature',
    'our-sig.bin',
    'our-msg.txt',
  ])
  assert.notEqual(bad.status, 0)
  // Key formats are the ones WeChat Pay hands out: PKCS#8 private, SPKI public.
  assert.match(privateKeyPem, /^-----BEGIN PRIVATE KEY-----/)
  assert.match(publicKeyPem, /^-----BEGIN PUBLIC KEY-----/)
  writeFileSync(join(dir, 'our-key.pem'), privateKeyPem)
  assert.match(openssl(['pkey', '-in', 'our-key.pem', '-noout', '-text']).stdout, /2048 bit/)
})

test('the pasted known-answer signature still matches what openssl computes now', () => {
  writeFileSync(join(dir, 'kat-key.pem'), TEST_PRIVATE_KEY_PEM)
  writeFileSync(join(dir, 'kat-msg.txt'), GET_MESSAGE)
  const signed = openssl([
    'dgst',
    '-sha256',
    '-sign',
    'kat-key.pem',
    '-out',
    'kat.bin',
    'kat-msg.txt',
  ])
  assert.equal(signed.status, 0)
  assert.equal(readFileSync(join(dir, 'kat.bin')).toString('base64'), GET_MESSAGE_SIGNATURE)
  assert.equal(verifySha256WithRsa(GET_MESSAGE, GET_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM), true)
  const pub = openssl(['pkey', '-in', 'kat-key.pem', '-pubout'])
  assert.equal(pub.stdout, TEST_PUBLIC_KEY_PEM)
})

test('an openssl signature that was tampered with is refused', () => {
  writeFileSync(join(dir, 'tamper-key.pem'), TEST_PRIVATE_KEY_PEM)
  writeFileSync(join(dir, 'tamper-msg.txt'), message)
  openssl(['dgst', '-sha256', '-sign', 'tamper-key.pem', '-out', 'tamper.bin', 'tamper-msg.txt'])
  const sig = readFileSync(join(dir, 'tamper.bin'))
  assert.equal(verifySha256WithRsa(message, sig.toString('base64'), TEST_PUBLIC_KEY_PEM), true)
  sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1
  assert.equal(verifySha256WithRsa(message, sig.toString('base64'), TEST_PUBLIC_KEY_PEM), false)
})
