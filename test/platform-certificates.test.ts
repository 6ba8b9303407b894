import assert from 'node:assert/strict'
import { createPublicKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { decryptCallbackResource } from '../packages/sdk/src/protocol/callback-crypto.ts'
import { verifyResponseSignature } from '../packages/sdk/src/protocol/response-signature.ts'
import { API } from './helpers/fixtures.ts'
import {
  expectError,
  type PartnerCreds,
  partnerFrom,
  type Reply,
  startTestServer,
  type TestServer,
} from './helpers/harness.ts'

/**
 * Key modes and platform certificates from a client's side (issue 12): what partner creation
 * hands out, GET /v3/certificates in each mode, which key signs each answer, a rotation driven
 * by the sandbox clock, expiry and revocation, the strict Wechatpay-Serial check, and the bad
 * input of the controls. Every answer is checked by the harness (signed, Request-ID, errors in
 * the catalogue) with the certificates each test tells it to trust.
 */

let s: TestServer
let ca: X509Certificate
before(async () => {
  s = await startTestServer()
  ca = new X509Certificate(readFileSync(s.sandbox.ca_file ?? '', 'utf8'))
})
after(() => s.close())

interface Partner {
  creds: PartnerCreds
  apiv3Key: string
  json: Reply['json']
}

async function newPartner(settings: Record<string, unknown> = {}): Promise<Partner> {
  const r = await s.admin('POST', '/sandbox/partners', settings)
  assert.equal(r.status, 200, r.text)
  for (const c of r.json.platform_certificates ?? [])
    s.trustCertificate(c.serial_no, c.certificate_pem)
  return { creds: partnerFrom(r.json), apiv3Key: r.json.apiv3_key, json: r.json }
}

async function addCertificate(p: Partner, activateAfter?: number) {
  const r = await s.admin(
    'POST',
    `/sandbox/partners/${p.creds.mchid}/platform-certificates`,
    activateAfter === undefined ? {} : { activate_after_seconds: activateAfter },
  )
  assert.equal(r.status, 200, r.text)
  s.trustCertificate(r.json.serial_no, r.json.certificate_pem)
  return r.json as { serial_no: string; certificate_pem: string; effective_time: string }
}

/** An answer to the partner: a 200 (set notify URL), with an optional Wechatpay-Serial. */
async function answer(p: Partner, serial?: string): Promise<Reply> {
  const r = await s.call(
    'POST',
    `${API}/notify-configs`,
    { notify_url: 'https://example.com/wxcoupon/notify' },
    {
      partner: p.creds,
      ...(serial === undefined ? {} : { headers: { 'Wechatpay-Serial': serial } }),
    },
  )
  return r
}

const signer = (r: Reply) => r.headers.get('wechatpay-serial')

async function download(p: Partner, query = '', serial?: string) {
  const r = await s.call('GET', `/v3/certificates${query}`, undefined, {
    partner: p.creds,
    ...(serial === undefined ? {} : { headers: { 'Wechatpay-Serial': serial } }),
  })
  return r
}

/** Decrypts a /v3/certificates answer the way the official downloaders do. */
function decrypted(p: Partner, r: Reply): Map<string, string> {
  assert.equal(r.status, 200, r.text)
  return new Map(
    (r.json.data as { serial_no: string; encrypt_certificate: Record<string, string> }[]).map(
      (d) => {
        const e = d.encrypt_certificate
        assert.equal(e.algorithm, 'AEAD_AES_256_GCM')
        assert.equal(e.associated_data, 'certificate')
        assert.equal(e.nonce?.length, 12)
        const pem = decryptCallbackResource({
          ciphertext: e.ciphertext ?? '',
          apiv3Key: p.apiv3Key,
          associatedData: e.associated_data ?? '',
          nonce: e.nonce ?? '',
        })
        return [d.serial_no, pem]
      },
    ),
  )
}

async function advance(seconds: number) {
  const r = await s.admin('POST', '/sandbox/clock', { advance_seconds: seconds })
  assert.equal(r.status, 200, r.text)
}

describe('partner creation and the certificates it hands out', () => {
  test('certificate mode: one X.509 certificate of the sandbox CA, RSA 2048, 40-hex serial, five years', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const j = p.json
    assert.equal(j.key_mode, 'certificate')
    assert.equal(j.platform_public_key_id, s.sandbox.platform.public_key_id)
    assert.equal(
      createPublicKey(j.platform_public_key_pem).export({ type: 'spki', format: 'pem' }),
      s.platformKey.export({ type: 'spki', format: 'pem' }),
    )
    assert.equal(j.platform_certificates.length, 1)
    const { serial_no, certificate_pem } = j.platform_certificates[0]
    assert.match(serial_no, /^[0-9A-F]{40}$/)
    const x = new X509Certificate(certificate_pem)
    assert.equal(x.serialNumber, serial_no)
    assert.ok(x.checkIssued(ca) && x.verify(ca.publicKey), 'issued and signed by the sandbox CA')
    assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048)
    const years = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / (365 * 86_400_000)
    assert.ok(years > 4.99 && years < 5.01, `${years} years`)
    assert.ok(Date.parse(x.validFrom) <= Date.now(), 'valid now by the real clock')
    assert.equal(x.ca, false)
    // The partner's own private key is handed out once; no key of a platform certificate is.
    assert.equal((JSON.stringify(j).match(/PRIVATE KEY-----/g) ?? []).length, 2)
    assert.match(j.private_key_pem, /^-----BEGIN PRIVATE KEY-----/)
  })

  test('public_key mode (the default) and transition mode', async () => {
    const plain = await newPartner()
    assert.equal(plain.json.key_mode, 'public_key')
    assert.equal(plain.json.platform_certificates, undefined)
    assert.equal(plain.json.strict_serial, false)
    const t = await newPartner({ key_mode: 'transition', callback_public_key_percent: 20 })
    assert.equal(t.json.key_mode, 'transition')
    assert.equal(t.json.callback_public_key_percent, 20)
    assert.equal(t.json.platform_certificates.length, 1)
  })

  test('bad input: an unknown key_mode names the field; a share out of range; unknown partners are 404', async () => {
    const bad = await s.admin('POST', '/sandbox/partners', { key_mode: 'cert' })
    expectError(bad, 400, 'PARAM_ERROR', undefined, { field: '/key_mode' })
    expectError(
      await s.admin('POST', '/sandbox/partners', { callback_public_key_percent: 101 }),
      400,
      'PARAM_ERROR',
    )
    const p = await newPartner()
    expectError(
      await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, { key_mode: 'x' }),
      400,
      'PARAM_ERROR',
      undefined,
      { field: '/key_mode' },
    )
    expectError(
      await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, {}),
      400,
      'PARAM_ERROR',
    )
    for (const [method, path, b] of [
      ['POST', '/sandbox/partners/1999999999/platform-certificates', {}],
      ['GET', '/sandbox/partners/1999999999/platform-certificates', undefined],
      ['POST', '/sandbox/partners/1999999999/key-mode', { key_mode: 'certificate' }],
      ['POST', `/sandbox/partners/1999999999/platform-certificates/${'A'.repeat(40)}/revoke`, {}],
      [
        'POST',
        `/sandbox/partners/${p.creds.mchid}/platform-certificates/${'A'.repeat(40)}/expire`,
        {},
      ],
    ] as const) {
      expectError(await s.admin(method, path, b), 404, 'NOT_FOUND')
    }
    expectError(
      await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/platform-certificates/abc/revoke`),
      400,
      'PARAM_ERROR',
    )
  })
})

describe('GET /v3/certificates', () => {
  test('public_key mode: 404 RESOURCE_NOT_EXISTS with the message WeChat Pay gives', async () => {
    const r = await s.call('GET', '/v3/certificates')
    expectError(
      r,
      404,
      'RESOURCE_NOT_EXISTS',
      '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/doc/v3/merchant/4012153196',
    )
    assert.equal(signer(r), s.sandbox.platform.public_key_id)
  })

  test('certificate mode: the certificate, encrypted under the APIv3 key, the answer signed by it', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const [listed] = p.json.platform_certificates
    for (const query of ['', '?algorithm_type=RSA', '?algorithm_type=ALL']) {
      const r = await download(p, query)
      assert.deepEqual([...decrypted(p, r)], [[listed.serial_no, listed.certificate_pem]])
      assert.equal(signer(r), listed.serial_no)
      const d = r.json.data[0]
      assert.match(d.effective_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/)
      assert.equal(
        Date.parse(d.effective_time),
        Date.parse(new X509Certificate(listed.certificate_pem).validFrom),
      )
    }
    assert.deepEqual((await download(p, '?algorithm_type=SM2')).json, { data: [] })
    expectError(await download(p, '?algorithm_type=DSA'), 400, 'PARAM_ERROR')
  })

  test('each partner sees only its own certificates, decryptable only with its own key', async () => {
    const a = await newPartner({ key_mode: 'certificate' })
    const b = await newPartner({ key_mode: 'certificate' })
    const ra = await download(a)
    const rb = await download(b)
    assert.deepEqual([...decrypted(a, ra).keys()], [a.json.platform_certificates[0].serial_no])
    assert.deepEqual([...decrypted(b, rb).keys()], [b.json.platform_certificates[0].serial_no])
    assert.throws(() => decrypted(b, ra), /authentication/)
  })
})

describe('which key signs', () => {
  test('certificate mode: the certificate, or the listed one the request names', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const first = p.json.platform_certificates[0].serial_no
    const r = await answer(p)
    assert.equal(r.status, 200, r.text)
    assert.equal(signer(r), first)
    assert.equal(signer(await answer(p, s.sandbox.platform.public_key_id)), first)
    // Errors of an authenticated partner are signed the same way.
    const err = await s.call('GET', `${API}/product-coupons/1?brand_id=1`, undefined, {
      partner: p.creds,
    })
    assert.equal(err.status, 403)
    assert.equal(signer(err), first)
    // The bootstrap partner, in public_key mode, is untouched.
    assert.equal(signer(await s.call('GET', '/v3/certificates')), s.sandbox.platform.public_key_id)
  })

  test('transition mode: the public key only for a request naming it; downloads by a certificate', async () => {
    const p = await newPartner({ key_mode: 'transition' })
    const cert = p.json.platform_certificates[0].serial_no
    const pub = s.sandbox.platform.public_key_id
    assert.equal(signer(await answer(p, pub)), pub)
    assert.equal(signer(await answer(p)), cert)
    assert.equal(signer(await answer(p, cert)), cert)
    assert.equal(signer(await download(p, '', pub)), cert)
  })

  test('a rotation: listed at once, signing after the delay on the sandbox clock, then the old one expires', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const old = p.json.platform_certificates[0].serial_no
    const next = await addCertificate(p)
    assert.match(next.serial_no, /^[0-9A-F]{40}$/)
    assert.ok(
      Date.parse(next.effective_time) > Date.parse(r0(p).effective_time),
      'the newer certificate has the later notBefore',
    )
    // Listed at once (both), still signed by the old one.
    assert.deepEqual([...decrypted(p, await download(p)).keys()], [old, next.serial_no])
    assert.equal(signer(await answer(p)), old)
    // A client that already holds the new one may ask for it.
    assert.equal(signer(await answer(p, next.serial_no)), next.serial_no)
    await advance(86_399)
    assert.equal(signer(await answer(p)), old, 'one second before the default 24 h')
    await advance(1)
    assert.equal(signer(await answer(p)), next.serial_no)
    assert.equal(signer(await answer(p, old)), old, 'the old one still signs when named')
    const list = await s.admin('GET', `/sandbox/partners/${p.creds.mchid}/platform-certificates`)
    assert.deepEqual(
      list.json.certificates.map((c: { state: string; signing: boolean }) => [c.state, c.signing]),
      [
        ['ACTIVE', false],
        ['ACTIVE', true],
      ],
    )
    // The old one's expiry is announced, then reached.
    const expiring = await s.admin(
      'POST',
      `/sandbox/partners/${p.creds.mchid}/platform-certificates/${old}/expire`,
      { after_seconds: 3600 },
    )
    assert.equal(expiring.status, 200, expiring.text)
    assert.equal(expiring.json.state, 'ACTIVE')
    assert.equal(
      (await download(p)).json.data.find((d: { serial_no: string }) => d.serial_no === old)
        .expire_time,
      expiring.json.expire_time,
    )
    await advance(3600)
    assert.deepEqual([...decrypted(p, await download(p)).keys()], [next.serial_no])
    assert.equal(signer(await answer(p, old)), next.serial_no, 'an expired one is never named')
  })

  test('a certificate activated at once, and a revoked one', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const old = p.json.platform_certificates[0].serial_no
    const next = await addCertificate(p, 0)
    assert.equal(signer(await answer(p)), next.serial_no)
    const revoked = await s.admin(
      'POST',
      `/sandbox/partners/${p.creds.mchid}/platform-certificates/${next.serial_no}/revoke`,
    )
    assert.equal(revoked.json.state, 'REVOKED')
    assert.equal(signer(await answer(p)), old)
    assert.equal(signer(await answer(p, next.serial_no)), old)
    assert.deepEqual([...decrypted(p, await download(p)).keys()], [old])
  })

  test('switching modes: certificate issues a certificate when there is none; public_key again', async () => {
    const p = await newPartner()
    assert.equal(signer(await answer(p)), s.sandbox.platform.public_key_id)
    const on = await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, {
      key_mode: 'certificate',
    })
    assert.equal(on.status, 200, on.text)
    assert.equal(on.json.platform_certificates.length, 1)
    const cert = on.json.platform_certificates[0]
    s.trustCertificate(cert.serial_no, cert.certificate_pem)
    assert.equal(signer(await answer(p)), cert.serial_no)
    assert.equal((await download(p)).status, 200)
    const off = await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, {
      key_mode: 'public_key',
    })
    assert.equal(off.json.platform_certificates, undefined)
    assert.equal(signer(await answer(p)), s.sandbox.platform.public_key_id)
    expectError(await download(p), 404, 'RESOURCE_NOT_EXISTS')
    // Back to certificate: the certificate it has is used again, none is added.
    const again = await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, {
      key_mode: 'certificate',
    })
    assert.deepEqual(
      again.json.platform_certificates.map((c: { serial_no: string }) => c.serial_no),
      [cert.serial_no],
    )
  })
})

describe('the Wechatpay-Serial check', () => {
  test('lenient by default: a serial naming no key is ignored', async () => {
    const p = await newPartner({ key_mode: 'certificate' })
    const r = await answer(p, 'F'.repeat(40))
    assert.equal(r.status, 200, r.text)
    assert.equal(signer(r), p.json.platform_certificates[0].serial_no)
  })

  test('strict: 400 PARAM_ERROR for a serial naming no key of the partner; its own keys pass', async () => {
    const p = await newPartner({ key_mode: 'transition', strict_serial: true })
    const cert = p.json.platform_certificates[0].serial_no
    for (const serial of ['F'.repeat(40), 'PUB_KEY_ID_0000000000000000000000000000']) {
      const r = await answer(p, serial)
      expectError(r, 400, 'PARAM_ERROR', '平台证书序列号Wechatpay-Serial错误', {
        field: 'Wechatpay-Serial',
      })
      assert.equal(r.json.detail.location, 'header')
    }
    for (const serial of [cert, s.sandbox.platform.public_key_id, undefined]) {
      assert.equal((await answer(p, serial)).status, 200, String(serial))
    }
    // In certificate mode the public key is not one of the partner's keys.
    await s.admin('POST', `/sandbox/partners/${p.creds.mchid}/key-mode`, {
      key_mode: 'certificate',
    })
    expectError(await answer(p, s.sandbox.platform.public_key_id), 400, 'PARAM_ERROR')
    assert.equal((await answer(p, cert)).status, 200)
  })

  test('the signature is checked first: an unsigned request with a bad serial is a 401', async () => {
    const p = await newPartner({ key_mode: 'certificate', strict_serial: true })
    const r = await s.call('GET', '/v3/certificates', undefined, {
      partner: p.creds,
      authorization: null,
      headers: { 'Wechatpay-Serial': 'F'.repeat(40) },
    })
    expectError(r, 401, 'SIGN_ERROR')
  })
})

/** The first listed certificate of a partner as created. */
function r0(p: Partner): { effective_time: string } {
  const pem = p.json.platform_certificates[0].certificate_pem as string
  return { effective_time: new X509Certificate(pem).validFrom }
}

test('control: a certificate-signed answer does not verify under the public key', async () => {
  const p = await newPartner({ key_mode: 'certificate' })
  const signed = await download(p)
  const verdict = verifyResponseSignature({
    headers: (n) => signed.headers.get(n) ?? undefined,
    body: signed.text,
    publicKey: s.platformKey,
    publicKeyId: signer(signed) ?? '',
    nowSeconds: Math.floor(Date.now() / 1000),
  })
  assert.deepEqual(verdict, { ok: false, reason: 'bad_signature' })
})
