import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  callbackKey,
  DEFAULT_TRUST,
  knowsSerial,
  listedCertificates,
  type PartnerTrust,
  type PlatformCertificate,
  responseKey,
  signingCertificate,
} from './platform-trust.ts'

/** Which key signs, as pure rules: modes, activation, expiry, revocation, the callback share. */

const PUB = 'PUB_KEY_ID_0114232134912410000000000000'
const cert = (serialNo: string, signingFrom: number, more: Partial<PlatformCertificate> = {}) => ({
  serialNo,
  effectiveTime: signingFrom,
  expireTime: 10_000,
  signingFrom,
  ...more,
})
const trust = (mode: PartnerTrust['mode'], certificates: PlatformCertificate[]): PartnerTrust => ({
  ...DEFAULT_TRUST,
  mode,
  certificates,
})
const key = (t: PartnerTrust, now: number, requestSerial?: string, certificateDownload = false) =>
  responseKey(t, {
    publicKeyId: PUB,
    now,
    certificateDownload,
    ...(requestSerial === undefined ? {} : { requestSerial }),
  })

test('public_key mode (and a partner without certificates) always signs with the public key', () => {
  assert.deepEqual(key(DEFAULT_TRUST, 0, 'A'), { kind: 'public_key' })
  assert.deepEqual(key(trust('certificate', []), 0), { kind: 'public_key' })
  assert.deepEqual(key(trust('public_key', [cert('A', 0)]), 0, 'A'), { kind: 'public_key' })
})

test('certificate mode: the last activated, unless the request names a listed one', () => {
  const t = trust('certificate', [cert('A', 0), cert('B', 100)])
  assert.deepEqual(key(t, 99), { kind: 'certificate', serialNo: 'A' })
  assert.deepEqual(key(t, 100), { kind: 'certificate', serialNo: 'B' })
  assert.deepEqual(key(t, 50, 'B'), { kind: 'certificate', serialNo: 'B' }, 'listed, not active')
  assert.deepEqual(key(t, 150, 'A'), { kind: 'certificate', serialNo: 'A' })
  assert.deepEqual(key(t, 150, PUB), { kind: 'certificate', serialNo: 'B' })
})

test('expired and revoked certificates are not listed and sign only when nothing else can', () => {
  const t = trust('certificate', [
    cert('A', 0, { expireTime: 50 }),
    cert('B', 100, { revokedAt: 10 }),
  ])
  assert.deepEqual(listedCertificates(t, 60), [])
  assert.deepEqual(
    key(t, 60, 'A'),
    { kind: 'certificate', serialNo: 'B' },
    'the newest, as a last resort',
  )
  const pending = trust('certificate', [cert('A', 0, { expireTime: 50 }), cert('B', 100)])
  assert.equal(signingCertificate(pending, 60)?.serialNo, 'B', 'the listed one, before its time')
})

test('transition mode: the public key only when asked for it; downloads always by a certificate', () => {
  const t = trust('transition', [cert('A', 0)])
  assert.deepEqual(key(t, 1, PUB), { kind: 'public_key' })
  assert.deepEqual(key(t, 1), { kind: 'certificate', serialNo: 'A' })
  assert.deepEqual(key(t, 1, PUB, true), { kind: 'certificate', serialNo: 'A' })
})

test('knowsSerial: the keys of the mode, listed certificates only', () => {
  const certs = [cert('A', 0), cert('B', 0, { revokedAt: 1 })]
  const at = { publicKeyId: PUB, now: 5 }
  assert.deepEqual(
    (['public_key', 'certificate', 'transition'] as const).map((m) =>
      ['A', 'B', PUB, 'X'].map((s) => knowsSerial(trust(m, certs), s, at)),
    ),
    [
      [false, false, true, false],
      [true, false, false, false],
      [true, false, true, false],
    ],
  )
})

test('callbacks: certificate mode always a certificate; transition by the share', () => {
  const certs = [cert('A', 0)]
  assert.deepEqual(callbackKey(trust('certificate', certs), 1, 0), {
    kind: 'certificate',
    serialNo: 'A',
  })
  const t = { ...trust('transition', certs), callbackPublicKeyShare: 2500 }
  assert.deepEqual(callbackKey(t, 1, 2499), { kind: 'public_key' })
  assert.deepEqual(callbackKey(t, 1, 2500), { kind: 'certificate', serialNo: 'A' })
  assert.deepEqual(callbackKey(DEFAULT_TRUST, 1, 0), { kind: 'public_key' })
})
