import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CallbackDecryptError, generateApiV3Key } from './callback-crypto.ts'
import {
  buildCallbackEnvelope,
  CallbackFormatError,
  readCallbackEnvelope,
  readCallbackResource,
} from './callback-envelope.ts'

const apiv3Key = generateApiV3Key()
const input = {
  id: '8b33f79f-8869-4ae5-b41b-3c0b59f957d0',
  createTime: '2025-08-04T10:00:00+08:00',
  eventType: 'PRODUCT_COUPON_SP.SEND',
  summary: '商品券领券通知',
  originalType: 'coupon',
  associatedData: 'product_coupon_sp',
  plaintext: '{"coupon_code":"887755443322","备注":"商品券"}',
  apiv3Key,
  nonce: 'j9g1wAzF9Xn1',
}
const body = buildCallbackEnvelope(input)
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8')

test('the envelope of §10.3, members in WeChat Pay order, the resource encrypted', () => {
  const e = JSON.parse(body)
  assert.deepEqual(Object.keys(e), [
    'id',
    'create_time',
    'resource_type',
    'event_type',
    'summary',
    'resource',
  ])
  assert.deepEqual(Object.keys(e.resource), [
    'original_type',
    'algorithm',
    'ciphertext',
    'associated_data',
    'nonce',
  ])
  assert.equal(e.resource_type, 'encrypt-resource')
  assert.equal(e.resource.algorithm, 'AEAD_AES_256_GCM')
  assert.ok(!body.includes('887755443322'), 'the plaintext is not in the body')
})

test('read back: the envelope, then the resource under the same APIv3 key', () => {
  const e = readCallbackEnvelope(bytes(body))
  assert.equal(e.id, input.id)
  assert.equal(e.create_time, input.createTime)
  assert.equal(e.summary, input.summary)
  assert.equal(e.resource.original_type, 'coupon')
  assert.deepEqual(readCallbackResource(e, apiv3Key), JSON.parse(input.plaintext))
  assert.throws(() => readCallbackResource(e, generateApiV3Key()), CallbackDecryptError)
  const { summary: _s, ...noSummary } = JSON.parse(body)
  assert.equal(readCallbackEnvelope(bytes(noSummary)).summary, '')
})

test('what is not the envelope is a CallbackFormatError with a fixed message', () => {
  const good = JSON.parse(body)
  const cases: [unknown, string][] = [
    ['not json', 'the body is not JSON'],
    ['[]', 'the body is not a JSON object'],
    [{ ...good, id: '' }, 'envelope: id must be a non-empty string'],
    [{ ...good, create_time: 1 }, 'envelope: create_time must be a non-empty string'],
    [{ ...good, resource_type: 'plain' }, 'envelope: resource_type must be encrypt-resource'],
    [{ ...good, summary: 7 }, 'envelope: summary must be a string'],
    [{ ...good, resource: [] }, 'envelope: resource must be an object'],
    [
      { ...good, resource: { ...good.resource, algorithm: 'AEAD_AES_128_GCM' } },
      'envelope: resource.algorithm must be AEAD_AES_256_GCM',
    ],
    [
      { ...good, resource: { ...good.resource, nonce: '' } },
      'envelope: resource.nonce must be a non-empty string',
    ],
  ]
  for (const [v, message] of cases) {
    assert.throws(
      () => readCallbackEnvelope(bytes(v)),
      (e: unknown) => e instanceof CallbackFormatError && e.message === message,
      message,
    )
  }
  // Bytes that are not UTF-8, with the decoder's error as the cause.
  assert.throws(
    () => readCallbackEnvelope(Buffer.from([0x7b, 0xff, 0x7d])),
    (e: unknown) =>
      e instanceof CallbackFormatError &&
      e.message === 'the body is not UTF-8' &&
      e.cause instanceof TypeError,
  )
})

test('a resource that decrypts to something other than a JSON object', () => {
  for (const [plaintext, message] of [
    ['not json', 'the decrypted resource is not JSON'],
    ['[1]', 'the decrypted resource is not a JSON object'],
    ['null', 'the decrypted resource is not a JSON object'],
  ] as const) {
    const e = readCallbackEnvelope(bytes(buildCallbackEnvelope({ ...input, plaintext })))
    assert.throws(
      () => readCallbackResource(e, apiv3Key),
      (err: unknown) => err instanceof CallbackFormatError && err.message === message,
    )
  }
})
