import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { oid, time, unsignedInteger } from './der.ts'
import {
  certificateSerial,
  issuePlatformCertificate,
  issueTlsCertificate,
  newSandboxCa,
} from './sandbox-ca.ts'

/**
 * The DER encoder and the certificates made with it, checked by parsers not written here:
 * Node's X509Certificate and `openssl verify -x509_strict` / `openssl x509 -text`.
 */

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-x509-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const openssl = (args: string[]) => promisify(execFile)('openssl', args, { encoding: 'utf8' })

const rsa = () => {
  const k = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKeyPem: k.privateKey, publicKeyPem: k.publicKey }
}

const now = Math.floor(Date.now() / 1000)
const ca = newSandboxCa(rsa(), now, randomBytes)
const caFile = join(dir, 'ca.pem')
writeFileSync(caFile, ca.certificatePem)

test('DER pieces: OIDs, integers, times (known encodings)', () => {
  assert.equal(oid('1.2.840.113549.1.1.11').toString('hex'), '06092a864886f70d01010b')
  assert.equal(unsignedInteger(Buffer.from([0x80])).toString('hex'), '02020080')
  assert.equal(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex'), '020105')
  assert.equal(time(0).toString('ascii', 2), '700101000000Z')
  // 2050 and later are GeneralizedTime (tag 0x18).
  assert.equal(time(2_524_608_000)[0], 0x18)
})

test('the CA: self-signed, a CA, verified strictly by openssl', async () => {
  const x = new X509Certificate(ca.certificatePem)
  assert.ok(x.ca && x.checkIssued(x) && x.verify(x.publicKey))
  const r = await openssl(['verify', '-x509_strict', '-CAfile', caFile, caFile])
  assert.match(r.stdout, /OK/)
})

test('a platform certificate: 40-hex serial, five years, issued by the CA, not a CA', async () => {
  const serialNo = certificateSerial(randomBytes)
  assert.match(serialNo, /^[1-7][0-9A-F]{39}$/)
  const keys = rsa()
  const { certificatePem, notAfter } = issuePlatformCertificate(ca, {
    mchid: '1900000001',
    serialNo,
    publicKeyPem: keys.publicKeyPem,
    notBefore: now,
  })
  const x = new X509Certificate(certificatePem)
  assert.equal(x.serialNumber, serialNo)
  assert.equal(Date.parse(x.validTo) / 1000, notAfter)
  assert.equal(Date.parse(x.validFrom) / 1000, now)
  assert.ok(!x.ca)
  const file = join(dir, 'platform.pem')
  writeFileSync(file, certificatePem)
  assert.match((await openssl(['verify', '-x509_strict', '-CAfile', caFile, file])).stdout, /OK/)
  const text = (await openssl(['x509', '-in', file, '-noout', '-text'])).stdout
  assert.match(text, /Digital Signature, Non Repudiation, Key Encipherment/)
  assert.match(text, /Public-Key: \(2048 bit\)/)
  // Control: another CA did not issue it.
  const other = newSandboxCa(rsa(), now, randomBytes)
  assert.ok(!x.verify(new X509Certificate(other.certificatePem).publicKey))
})

test('the TLS certificate names the loopback and WeChat Pay hosts; openssl checks the hosts', async () => {
  const t = await issueTlsCertificate(ca, {
    hosts: ['0.0.0.0', 'sandbox.test'],
    nowSeconds: now,
    random: randomBytes,
  })
  const x = new X509Certificate(t.certificatePem)
  for (const host of [
    'api.mch.weixin.qq.com',
    'api2.mch.weixin.qq.com',
    'localhost',
    'sandbox.test',
  ]) {
    assert.equal(x.checkHost(host), host)
  }
  assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1')
  assert.equal(x.checkIP('::1'), '::1')
  assert.equal(x.checkHost('evil.example'), undefined)
  const file = join(dir, 'tls.pem')
  writeFileSync(file, t.certificatePem)
  const ok = await openssl([
    'verify',
    '-x509_strict',
    '-purpose',
    'sslserver',
    '-verify_hostname',
    'api.mch.weixin.qq.com',
    '-CAfile',
    caFile,
    file,
  ])
  assert.match(ok.stdout, /OK/)
  await assert.rejects(
    openssl(['verify', '-verify_hostname', 'evil.example', '-CAfile', caFile, file]),
  )
})
