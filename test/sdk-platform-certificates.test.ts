import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { WxCouponClient } from '../packages/sdk/src/client/client.ts'
import {
  AuthenticationError,
  SignatureVerificationError,
} from '../packages/sdk/src/client/errors.ts'
import { clientOptionsFromSandbox } from '../packages/sdk/src/client/sandbox-file.ts'
import { type Reply, startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * The SDK against partners in the certificate key modes (issue 12): a client holding a map of
 * platform certificates, one that downloads them with the APIv3 key and so keeps working
 * through a rotation, and the AuthenticationError that shows what the server verified next
 * to what the client signed.
 */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

interface Partner {
  json: Reply['json']
  certificates: Record<string, string>
}

async function certificatePartner(): Promise<Partner> {
  const r = await s.admin('POST', '/sandbox/partners', { key_mode: 'certificate' })
  assert.equal(r.status, 200, r.text)
  const certificates: Record<string, string> = {}
  for (const c of r.json.platform_certificates) certificates[c.serial_no] = c.certificate_pem
  return { json: r.json, certificates }
}

/** Every answer the client saw: the serial it was signed under, and the one it asked for. */
function recordingFetch() {
  const seen: { asked: string | null; signer: string | null; path: string }[] = []
  const fetchFn: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const asked = new Headers(init?.headers).get('wechatpay-serial')
    seen.push({
      asked,
      signer: res.headers.get('wechatpay-serial'),
      path: new URL(String(input)).pathname,
    })
    return res
  }
  return { seen, fetchFn }
}

function client(p: Partner, extra: Record<string, unknown>) {
  return new WxCouponClient({
    mchid: p.json.mchid,
    serialNo: p.json.serial_no,
    privateKey: p.json.private_key_pem,
    baseUrl: s.baseUrl,
    retry: { maxRetries: 0 },
    ...extra,
  })
}

const setUrl = (c: WxCouponClient) =>
  c.setNotifyConfig({ notify_url: 'https://example.com/wxcoupon/notify' })

async function advance(seconds: number) {
  assert.equal((await s.admin('POST', '/sandbox/clock', { advance_seconds: seconds })).status, 200)
}

describe('platform certificates in the client', () => {
  test('a map of serials → certificates verifies answers; the newest serial is sent', async () => {
    const p = await certificatePartner()
    const { seen, fetchFn } = recordingFetch()
    const c = client(p, { platformCertificates: p.certificates, fetch: fetchFn })
    assert.equal((await setUrl(c)).notify_url, 'https://example.com/wxcoupon/notify')
    const [serial] = Object.keys(p.certificates)
    assert.deepEqual(seen, [
      {
        asked: serial,
        signer: serial,
        path: '/v3/marketing/partner/product-coupon/notify-configs',
      },
    ])
  })

  test('without the certificate it needs and without the APIv3 key: refused (control)', async () => {
    const p = await certificatePartner()
    const c = client(p, {
      platformPublicKey: s.sandbox.platform.public_key_file,
      platformPublicKeyId: s.sandbox.platform.public_key_id,
    })
    await assert.rejects(
      setUrl(c),
      (e: SignatureVerificationError) =>
        e instanceof SignatureVerificationError && e.reason === 'serial_mismatch',
    )
  })

  test('with only the APIv3 key: the certificates are downloaded on the first answer', async () => {
    const p = await certificatePartner()
    const { seen, fetchFn } = recordingFetch()
    const c = client(p, { apiv3Key: p.json.apiv3_key, fetch: fetchFn })
    await setUrl(c)
    const [serial] = Object.keys(p.certificates)
    assert.deepEqual(
      seen.map((x) => x.path),
      ['/v3/marketing/partner/product-coupon/notify-configs', '/v3/certificates'],
    )
    assert.equal(seen[1]?.signer, serial, 'the download is signed by the certificate it lists')
    await setUrl(c)
    assert.equal(seen.length, 3, 'no second download')
    assert.equal(seen[2]?.asked, serial, 'the downloaded serial is sent from then on')
    assert.deepEqual(await c.refreshPlatformCertificates(), [serial])
  })

  test('through a rotation: new certificate listed, activated, the old one expired', async () => {
    const p = await certificatePartner()
    const [old = ''] = Object.keys(p.certificates)
    const { seen, fetchFn } = recordingFetch()
    const c = client(p, {
      platformCertificates: p.certificates,
      apiv3Key: p.json.apiv3_key,
      fetch: fetchFn,
    })
    const pinned = client(p, { platformCertificates: p.certificates })
    await setUrl(c)
    const added = await s.admin('POST', `/sandbox/partners/${p.json.mchid}/platform-certificates`)
    const next = added.json.serial_no as string
    await advance(86_400)
    // The client still asks for the old one, which is listed: it keeps being answered under it.
    await setUrl(c)
    assert.equal(seen.at(-1)?.signer, old)
    await s.admin('POST', `/sandbox/partners/${p.json.mchid}/platform-certificates/${old}/expire`)
    const before = seen.length
    await setUrl(c)
    assert.deepEqual(
      seen.slice(before).map((x) => [x.path.split('/').at(-1), x.signer]),
      [
        ['notify-configs', next],
        ['certificates', next],
      ],
      'an answer under the new serial, then one download',
    )
    await setUrl(c)
    assert.equal(seen.at(-1)?.asked, next, 'the new certificate is asked for from then on')
    // A client holding only the old certificate, and no APIv3 key, is now refused.
    await assert.rejects(setUrl(pinned), SignatureVerificationError)
  })

  test('options: at least one source of platform keys; the public key and its id go together', () => {
    const base = {
      mchid: '1',
      serialNo: 'A',
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    }
    assert.throws(
      () => new WxCouponClient(base),
      /platformPublicKey and platformPublicKeyId, platformCertificates, or apiv3Key/,
    )
    assert.throws(
      () => new WxCouponClient({ ...base, apiv3Key: 'short' }),
      /^TypeError: apiv3Key must be/,
    )
    assert.throws(
      () => new WxCouponClient({ ...base, platformCertificates: { X: 'not a pem or a path' } }),
      TypeError,
    )
    assert.throws(
      () => new WxCouponClient({ ...base, platformPublicKeyId: 'PUB_KEY_ID_1' }),
      /^TypeError: platformPublicKey must be given with platformPublicKeyId/,
    )
  })
})

describe('AuthenticationError', () => {
  test('exposes sign_information and shows it next to what the client signed', async () => {
    const sb = s.sandbox
    // A transport that adds a byte to the body after signing: what a proxy or a
    // re-serialising framework does.
    const tampering: typeof fetch = (input, init) =>
      fetch(input, { ...init, body: `${String(init?.body)} ` })
    const c = new WxCouponClient({ ...clientOptionsFromSandbox(sb), fetch: tampering })
    const err = await setUrl(c).then(
      () => assert.fail('the tampered request must fail'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof AuthenticationError)
    const server = err.signInformation
    const mine = err.clientSignInformation
    assert.ok(server && mine)
    assert.equal(server.method, 'POST')
    assert.equal(server.url, '/v3/marketing/partner/product-coupon/notify-configs')
    assert.equal(server.sign_message_length, mine.sign_message_length + 1)
    assert.equal(server.truncated_sign_message, mine.truncated_sign_message)
    assert.match(mine.truncated_sign_message, /^POST\n\/v3\/.*\n\d+\n\w{32}\n\{"notify\n$/)
    assert.ok(err.message.startsWith('SIGN_ERROR: 错误的签名，验签失败 — the server verified '))
    assert.ok(err.message.includes(`(${server.sign_message_length} bytes)`))
    assert.ok(
      err.message.includes(
        `this client signed ${JSON.stringify(mine.truncated_sign_message)} (${mine.sign_message_length} bytes)`,
      ),
    )
  })

  test('other 401s carry no sign information', async () => {
    const sb = s.sandbox
    const c = new WxCouponClient({ ...clientOptionsFromSandbox(sb), serialNo: 'A'.repeat(40) })
    const err = await c.getNotifyConfig().catch((e: unknown) => e)
    assert.ok(err instanceof AuthenticationError)
    assert.equal(err.signInformation, undefined)
    assert.equal(err.message, 'SIGN_ERROR: 商户证书序列号有误。')
  })
})
