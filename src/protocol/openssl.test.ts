import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { signRequest } from './authorization.ts'
import { generateRsaKeyPair, signSha256WithRsa, verifySha256WithRsa } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'

/** Cross-checks against an implementation not written here: the openssl command line. */

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-openssl-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function openssl(args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout }
}

const message = buildRequestMessage({
  method: 'POST',
  url: '/v3/marketing/partner/product-coupon/users/o1/coupons/123/return',
  timestamp: '1754272800',
  nonce: 'NONCE123',
  body: '{"out_request_no":"退券-0001","brand_id":"120344"}',
})

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
