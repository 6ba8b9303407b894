import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  type AuthorizationParams,
  buildAuthorization,
  parseAuthorization,
  signRequest,
} from './authorization.ts'
import {
  CallbackDecryptError,
  decryptCallbackResource,
  encryptCallbackResource,
  generateApiV3Key,
} from './callback-crypto.ts'
import { generateNonce, generateRequestId } from './nonce.ts'
import { signResponse, verifyResponseSignature } from './response-signature.ts'
import { signSha256WithRsa, verifySha256WithRsa } from './rsa.ts'
import { buildRequestMessage, buildResponseMessage } from './signing-message.ts'
import {
  RETURN_MESSAGE_SIGNATURE,
  TEST_PRIVATE_KEY_PEM,
  TEST_PUBLIC_KEY_PEM,
} from './test-vectors.fixture.ts'

const RETURN_BODY =
  '{"product_coupon_id":"1002323","stock_id":"100232301","appid":"wx233544546545989","out_request_no":"MCHRETURN20250804001","brand_id":"120344"}'
const RETURN_URL =
  '/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/887755443322/return'

describe('signing messages (known answers, protocol §2.1 worked example)', () => {
  test('POST: five lines, each ending in \\n', () => {
    const m = buildRequestMessage({
      method: 'POST',
      url: RETURN_URL,
      timestamp: '1754272800',
      nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      body: RETURN_BODY,
    })
    assert.equal(
      m,
      `POST\n${RETURN_URL}\n1754272800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n${RETURN_BODY}\n`,
    )
    assert.equal(m.split('\n').length, 6)
  })

  test('GET: the body line is empty, so the message ends in \\n\\n; the query is kept as sent', () => {
    const url = `${RETURN_URL.replace('/return', '')}?product_coupon_id=1&stock_id=2&appid=wx&brand_id=3`
    const m = buildRequestMessage({ method: 'GET', url, timestamp: '1', nonce: 'N', body: '' })
    assert.equal(m, `GET\n${url}\n1\nN\n\n`)
  })

  test('response message: timestamp, nonce, body; an empty body still ends in \\n', () => {
    assert.equal(buildResponseMessage({ timestamp: '1', nonce: 'n', body: '{}' }), '1\nn\n{}\n')
    assert.equal(buildResponseMessage({ timestamp: '1', nonce: 'n', body: '' }), '1\nn\n\n')
  })
})

describe('RSA-SHA256', () => {
  const message = buildRequestMessage({
    method: 'POST',
    url: RETURN_URL,
    timestamp: '1754272800',
    nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    body: RETURN_BODY,
  })

  test('our signature equals the one openssl produced for the same key and message', () => {
    assert.equal(signSha256WithRsa(message, TEST_PRIVATE_KEY_PEM), RETURN_MESSAGE_SIGNATURE)
    assert.equal(verifySha256WithRsa(message, RETURN_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM), true)
  })

  test('string and byte messages verify alike; any change fails', () => {
    assert.equal(
      verifySha256WithRsa(Buffer.from(message), RETURN_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM),
      true,
    )
    assert.equal(
      verifySha256WithRsa(`${message} `, RETURN_MESSAGE_SIGNATURE, TEST_PUBLIC_KEY_PEM),
      false,
    )
  })

  test('malformed signatures are "not verified", never an exception', () => {
    for (const bad of [
      '',
      'abc',
      '!!!!',
      `${RETURN_MESSAGE_SIGNATURE}A`,
      'A'.repeat(10_000),
      ' '.repeat(4),
    ]) {
      assert.equal(verifySha256WithRsa(message, bad, TEST_PUBLIC_KEY_PEM), false)
    }
    assert.equal(verifySha256WithRsa(message, RETURN_MESSAGE_SIGNATURE, 'not a key'), false)
  })
})

describe('Authorization header', () => {
  const params: AuthorizationParams = {
    mchid: '1900000001',
    nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB242',
    timestamp: '1554208460',
    serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
    signature:
      'uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==',
  }

  test('build gives the documented shape; parse reads it back', () => {
    const h = buildAuthorization(params)
    assert.match(
      h,
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="[^"]+",signature="[^"]+",timestamp="1554208460",serial_no="408B/,
    )
    assert.deepEqual(parseAuthorization(h), { ok: true, value: params })
  })

  test('the five fields in any order, with optional blanks around commas', () => {
    const parts = [
      `signature="${params.signature}"`,
      `serial_no="${params.serialNo}"`,
      `mchid="${params.mchid}"`,
      `timestamp="${params.timestamp}"`,
      `nonce_str="${params.nonceStr}"`,
    ]
    assert.deepEqual(parseAuthorization(`WECHATPAY2-SHA256-RSA2048 ${parts.join(', ')}`), {
      ok: true,
      value: params,
    })
    assert.deepEqual(
      parseAuthorization(`WECHATPAY2-SHA256-RSA2048 ${parts.reverse().join(' ,\t')}`),
      { ok: true, value: params },
    )
  })

  test('each malformation has its reason', () => {
    const good = buildAuthorization(params)
    const rest = good.slice(good.indexOf(' ') + 1)
    const cases: [string | undefined, string][] = [
      [undefined, 'missing'],
      ['', 'missing'],
      [`WECHATPAY2-SHA256-RSA2048X ${rest}`, 'scheme'],
      [`wechatpay2-sha256-rsa2048 ${rest}`, 'scheme'],
      [`WECHATPAY-BRAND-SHA256-RSA2048 ${rest}`, 'scheme'],
      [`WECHATPAY2-SHA256-RSA2048  ${rest}`, 'syntax'],
      [good.replace(',serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"', ''), 'missing_field'],
      [`${good},mchid="1"`, 'duplicate'],
      [good.replace('mchid="1900000001"', 'mchid=1900000001'), 'syntax'],
      [`${good},realm="x"`, 'unknown_field'],
      [good.replace('mchid="1900000001"', 'mchid=""'), 'empty_field'],
      [good.replace('mchid="1900000001"', 'mchid="19\r\n00"'), 'syntax'],
      [`${good},`, 'syntax'],
      [`WECHATPAY2-SHA256-RSA2048 ${'a'.repeat(10_000)}`, 'too_long'],
    ]
    for (const [header, reason] of cases) {
      assert.deepEqual(
        parseAuthorization(header),
        { ok: false, reason },
        JSON.stringify(header?.slice(0, 80)),
      )
    }
  })

  test('property: parse never throws, and round-trips any quote-free values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (h) => {
        const r = parseAuthorization(h)
        assert.equal(typeof r.ok, 'boolean')
      }),
      { numRuns: 2000 },
    )
    const value = fc.string({
      minLength: 1,
      maxLength: 40,
      unit: fc.constantFrom(...'abcXYZ019+/=_-.'.split('')),
    })
    fc.assert(
      fc.property(
        value,
        value,
        value,
        value,
        value,
        (mchid, nonceStr, timestamp, serialNo, signature) => {
          const p = { mchid, nonceStr, timestamp, serialNo, signature }
          assert.deepEqual(parseAuthorization(buildAuthorization(p)), { ok: true, value: p })
        },
      ),
    )
  })

  test('signRequest signs exactly the message the server rebuilds', () => {
    const r = signRequest({
      method: 'POST',
      url: RETURN_URL,
      body: RETURN_BODY,
      mchid: '1900000001',
      serialNo: 'ABC',
      privateKey: TEST_PRIVATE_KEY_PEM,
      timestamp: 1754272800,
      nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    })
    assert.equal(r.signature, RETURN_MESSAGE_SIGNATURE)
    const parsed = parseAuthorization(r.authorization)
    assert.ok(parsed.ok)
    assert.equal(parsed.value.signature, RETURN_MESSAGE_SIGNATURE)
  })
})

describe('response signatures (protocol §4)', () => {
  const now = 1_754_272_800
  const body = '{"coupon_state":"EFFECTIVE"}'
  const signed = signResponse({
    body,
    privateKey: TEST_PRIVATE_KEY_PEM,
    keyId: 'PUB_KEY_ID_01',
    timestamp: now,
    nonce: 'abc',
  })
  const getter = (h: Record<string, string>) => (name: string) =>
    Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
  const verify = (h: Record<string, string>, b = body, at = now) =>
    verifyResponseSignature({
      headers: getter(h),
      body: b,
      publicKey: TEST_PUBLIC_KEY_PEM,
      publicKeyId: 'PUB_KEY_ID_01',
      nowSeconds: at,
    })

  test('sign → verify', () => {
    assert.deepEqual(verify(signed), { ok: true })
    assert.deepEqual(verify(signed, body, now + 299), { ok: true })
  })

  test('each failure reason', () => {
    const { 'Wechatpay-Nonce': _n, ...noNonce } = signed
    assert.deepEqual(verify(noNonce), { ok: false, reason: 'missing_header' })
    assert.deepEqual(verify({ ...signed, 'Wechatpay-Timestamp': '17e8' }), {
      ok: false,
      reason: 'bad_timestamp',
    })
    assert.deepEqual(verify(signed, body, now + 300), { ok: false, reason: 'stale_timestamp' })
    assert.deepEqual(verify(signed, body, now - 300), { ok: false, reason: 'stale_timestamp' })
    assert.deepEqual(verify({ ...signed, 'Wechatpay-Serial': 'PUB_KEY_ID_02' }), {
      ok: false,
      reason: 'serial_mismatch',
    })
    assert.deepEqual(verify(signed, `${body} `), { ok: false, reason: 'bad_signature' })
    assert.deepEqual(verify({ ...signed, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abc' }), {
      ok: false,
      reason: 'signature_probe',
    })
  })
})

describe('callback resource AES-256-GCM (protocol §10.3)', () => {
  const key = '0123456789abcdefghijklmnopqrstuv'
  const plaintext =
    '{"brand_id":"120344","coupon_code":"887755443322","send_channel":"API","attach":"订单-42"}'
  // Computed independently with Python `cryptography` AESGCM(key).encrypt(nonce, pt, aad).
  const expected =
    'TM+nzlfJDsC6WNHB1FuPDLfZm0iUehZ708ttqW+DBUXUCORLjExanr+XuXp7ljde3PmnIkX4GXuJgKVl7nRqAPnD5fnZailYV4Ccipqr2ERx6MZ7HKDuwhRh8KWhBS/fqoIGbKG79kVVbtw0'
  const p = { apiv3Key: key, associatedData: 'product_coupon_sp', nonce: 'j9g1wAzF9Xn1' }

  test('known answer and round trip', () => {
    assert.equal(encryptCallbackResource({ ...p, plaintext }), expected)
    assert.equal(decryptCallbackResource({ ...p, ciphertext: expected }), plaintext)
  })

  test('any tampering, or the wrong key, nonce or AAD, fails without naming the key', () => {
    const bytes = Buffer.from(expected, 'base64')
    const flip = (i: number) => {
      const b = Buffer.from(bytes)
      b[i] = (b[i] ?? 0) ^ 1
      return b.toString('base64')
    }
    const variants = [
      { ...p, ciphertext: flip(0) },
      { ...p, ciphertext: flip(bytes.length - 1) },
      { ...p, ciphertext: expected, nonce: 'j9g1wAzF9Xn2' },
      { ...p, ciphertext: expected, associatedData: 'product_coupon' },
      { ...p, ciphertext: expected, apiv3Key: 'X123456789abcdefghijklmnopqrstuv' },
      { ...p, ciphertext: expected, apiv3Key: 'short' },
      { ...p, ciphertext: 'AAAA' },
    ]
    for (const v of variants) {
      assert.throws(
        () => decryptCallbackResource(v),
        (e: unknown) =>
          e instanceof CallbackDecryptError && !String((e as Error).message).includes(v.apiv3Key),
      )
    }
  })

  test('APIv3 keys and nonces have the documented alphabet and length', () => {
    assert.match(generateApiV3Key(), /^[0-9A-Za-z]{32}$/)
    assert.match(generateNonce(), /^[0-9A-Za-z]{32}$/)
    assert.match(generateRequestId(), /^[0-9A-F]{42}$/)
    const fixed = (n: number) => Buffer.alloc(n, 7)
    assert.equal(generateNonce(8, fixed), '77777777')
    assert.notEqual(generateNonce(), generateNonce())
  })
})
