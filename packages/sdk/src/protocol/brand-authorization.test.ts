import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseAuthorization } from './authorization.ts'
import {
  BRAND_AUTH_SCHEME,
  BRAND_PUBLIC_KEY_ID,
  buildBrandAuthorization,
  parseBrandAuthorization,
  signBrandRequest,
} from './brand-authorization.ts'
import {
  buildCallbackEnvelope,
  readCallbackEnvelope,
  readCallbackResource,
} from './callback-envelope.ts'
import { verifySha256WithRsa } from './rsa.ts'
import { buildRequestMessage } from './signing-message.ts'
import { TEST_PRIVATE_KEY_PEM, TEST_PUBLIC_KEY_PEM } from './test-vectors.fixture.ts'

// The brand signing pages' inputs (the official test key's serial, brand placeholder 100XX)
// and the canonical messages the skills signing guide spells out for them (⏎ = \n).
const TS = '1554208460'
const NONCE = '593BEC0C930BF1AFEB40B4A08C8FB242'
const OFFICIAL_SERIAL = '3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A'
const CASES = [
  {
    name: 'T1 path parameter',
    method: 'GET',
    url: '/brand/marketing/product-coupon/product-coupons/200000001',
    body: '',
    message: `GET\n/brand/marketing/product-coupon/product-coupons/200000001\n${TS}\n${NONCE}\n\n`,
  },
  {
    name: 'T2 body',
    method: 'POST',
    url: '/brand/card-member/pre-auth-tokens',
    body: '{"card_id":"pbLatjvWOibDc5-TBnbUk1pD12o0","openid":"obLatjnx9gnqzS4myYGmLZ7LgLBA"}',
    message: `POST\n/brand/card-member/pre-auth-tokens\n${TS}\n${NONCE}\n{"card_id":"pbLatjvWOibDc5-TBnbUk1pD12o0","openid":"obLatjnx9gnqzS4myYGmLZ7LgLBA"}\n`,
  },
  {
    name: 'T3 query, in the order sent',
    method: 'GET',
    url: '/brand/card-member/user-cards?openid=obLatjnx9gnqzS4myYGmLZ7LgLBA&user_card_state=EFFECTIVE&offset=0&limit=20',
    body: '',
    message: `GET\n/brand/card-member/user-cards?openid=obLatjnx9gnqzS4myYGmLZ7LgLBA&user_card_state=EFFECTIVE&offset=0&limit=20\n${TS}\n${NONCE}\n\n`,
  },
  {
    name: 'T4 image upload signs the meta JSON',
    method: 'POST',
    url: '/brand/card-member/media/image-upload',
    body: '{"filename":"wechatpay_logo.png","sha256":"d2973a45b1d528c21ebb77792ef3fcea40fa9a4e04a17e35369102ba9c84c8b1"}',
    message: `POST\n/brand/card-member/media/image-upload\n${TS}\n${NONCE}\n{"filename":"wechatpay_logo.png","sha256":"d2973a45b1d528c21ebb77792ef3fcea40fa9a4e04a17e35369102ba9c84c8b1"}\n`,
  },
]

test('U1: the brand message builder gives the official canonical bytes of T1–T4', () => {
  for (const c of CASES) {
    const got = buildRequestMessage({
      method: c.method,
      url: c.url,
      timestamp: TS,
      nonce: NONCE,
      body: c.body,
    })
    assert.equal(got.toString('utf8'), c.message, c.name)
    assert.equal(
      got.toString('utf8').split('\n').length,
      6,
      `${c.name}: five lines, each ending in \\n`,
    )
  }
  const t1 = buildRequestMessage({ ...CASES[0], timestamp: TS, nonce: NONCE } as never)
  assert.deepEqual([...t1.subarray(-2)], [0x0a, 0x0a])
})

test('U2 (shape): the Authorization is the brand scheme, Java order by default, Go order on request', () => {
  const p = {
    brandId: '100XX',
    nonceStr: NONCE,
    timestamp: TS,
    serialNo: OFFICIAL_SERIAL,
    signature: 'c2ln',
  }
  assert.equal(
    buildBrandAuthorization(p),
    `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="100XX",nonce_str="${NONCE}",signature="c2ln",timestamp="${TS}",serial_no="${OFFICIAL_SERIAL}"`,
  )
  assert.equal(
    buildBrandAuthorization(p, 'go'),
    `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="100XX",nonce_str="${NONCE}",timestamp="${TS}",serial_no="${OFFICIAL_SERIAL}",signature="c2ln"`,
  )
})

test('U3: a signed T1–T4 verifies with the public key; one flipped body byte does not', () => {
  for (const c of CASES) {
    const s = signBrandRequest({
      method: c.method,
      url: c.url,
      body: c.body,
      brandId: '100XX',
      serialNo: OFFICIAL_SERIAL,
      privateKey: TEST_PRIVATE_KEY_PEM,
      timestamp: Number(TS),
      nonce: NONCE,
    })
    const parsed = parseBrandAuthorization(s.authorization)
    assert.ok(parsed.ok)
    assert.ok(
      verifySha256WithRsa(Buffer.from(c.message), parsed.value.signature, TEST_PUBLIC_KEY_PEM),
    )
    // The byte before the final newline: the body's last byte (T1/T3: the nonce's).
    const tampered = Buffer.from(c.message)
    const at = tampered.length - (c.body === '' ? 3 : 2)
    tampered[at] = (tampered[at] ?? 0) ^ 1
    assert.equal(verifySha256WithRsa(tampered, parsed.value.signature, TEST_PUBLIC_KEY_PEM), false)
  }
})

test('U4: the public-key page example parses the same in Java order and in Go order', () => {
  const v = {
    brand_id: '1900009191',
    nonce_str: '593BEC0C930BF1AFEB40B4A08C8FB242',
    signature:
      'uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==',
    timestamp: '1554208460',
    serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
  }
  const java = `${BRAND_AUTH_SCHEME} brand_id="${v.brand_id}",nonce_str="${v.nonce_str}",signature="${v.signature}",timestamp="${v.timestamp}",serial_no="${v.serial_no}"`
  const go = `${BRAND_AUTH_SCHEME} brand_id="${v.brand_id}",nonce_str="${v.nonce_str}",timestamp="${v.timestamp}",serial_no="${v.serial_no}",signature="${v.signature}"`
  const expected = {
    brandId: v.brand_id,
    nonceStr: v.nonce_str,
    timestamp: v.timestamp,
    serialNo: v.serial_no,
    signature: v.signature,
  }
  assert.deepEqual(parseBrandAuthorization(java), { ok: true, value: expected })
  assert.deepEqual(parseBrandAuthorization(go), { ok: true, value: expected })
})

test('U5: neither scheme parses as the other', () => {
  const brand = buildBrandAuthorization({
    brandId: '1',
    nonceStr: 'n',
    timestamp: '1',
    serialNo: 's',
    signature: 'x',
  })
  assert.deepEqual(parseAuthorization(brand), { ok: false, reason: 'scheme' })
  const partner =
    'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="x",timestamp="1",serial_no="s"'
  assert.deepEqual(parseBrandAuthorization(partner), { ok: false, reason: 'scheme' })
  // mchid under the brand scheme is an unknown parameter, not a brand id.
  assert.deepEqual(
    parseBrandAuthorization(
      `${BRAND_AUTH_SCHEME} mchid="1",nonce_str="n",signature="x",timestamp="1",serial_no="s"`,
    ),
    { ok: false, reason: 'unknown_field' },
  )
})

test('the brand header parser refuses duplicates, gaps and empty values', () => {
  const base = `${BRAND_AUTH_SCHEME} brand_id="1",nonce_str="n",signature="x",timestamp="1",serial_no="s"`
  assert.equal(parseBrandAuthorization(`${base},brand_id="2"`).ok, false)
  assert.deepEqual(parseBrandAuthorization(base.replace(',serial_no="s"', '')), {
    ok: false,
    reason: 'missing_field',
  })
  assert.deepEqual(parseBrandAuthorization(base.replace('nonce_str="n"', 'nonce_str=""')), {
    ok: false,
    reason: 'empty_field',
  })
  assert.deepEqual(parseBrandAuthorization(undefined), { ok: false, reason: 'missing' })
})

test('U6 (format): a WeChat Pay public key id is PUB_KEY_ID_ and exactly 32 digits', () => {
  assert.ok(BRAND_PUBLIC_KEY_ID.test(`PUB_KEY_ID_${'0'.repeat(32)}`))
  assert.equal(BRAND_PUBLIC_KEY_ID.test(`PUB_KEY_ID_${'0'.repeat(31)}`), false)
  assert.equal(BRAND_PUBLIC_KEY_ID.test(`PUB_KEY_ID_${'0'.repeat(31)}a`), false)
})

test('U8: a brand callback (AAD product_coupon) decrypts with the brand API key and not under product_coupon_sp', () => {
  const key = 'a'.repeat(16) + 'B'.repeat(16)
  const body = buildCallbackEnvelope({
    id: '3fd537f2-56a8-5bad-bda8-aa8c33d4f4a2',
    createTime: '2026-05-19T20:39:37+08:00',
    eventType: 'PRODUCT_COUPON.SEND',
    summary: '商品券领券通知',
    originalType: 'product_coupon',
    associatedData: 'product_coupon',
    plaintext: '{"coupon_code":"1"}',
    apiv3Key: key,
    nonce: 'RyEAOXA83YES',
  })
  const env = readCallbackEnvelope(Buffer.from(body))
  assert.equal(env.resource.original_type, 'product_coupon')
  assert.deepEqual(readCallbackResource(env, key), { coupon_code: '1' })
  const wrongAad = { ...env, resource: { ...env.resource, associated_data: 'product_coupon_sp' } }
  assert.throws(() => readCallbackResource(wrongAad, key))
})
