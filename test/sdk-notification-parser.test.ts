import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  NotificationDecryptError,
  NotificationError,
  NotificationFormatError,
  NotificationHeaderError,
  type NotificationKeys,
  NotificationSerialError,
  NotificationSignatureError,
  NotificationTimestampError,
  type ParseNotificationParams,
  parseNotification,
  WxPayError,
} from '../packages/sdk/src/index.ts'
import { generateApiV3Key, signSha256WithRsa } from '../packages/sdk/src/protocol/index.ts'
import {
  APIV3_KEY,
  callback,
  KEY_ID,
  KEYS,
  NOW,
  platform,
  SEND,
} from './helpers/notifications.fixture.ts'

const parse = (
  c: Pick<ParseNotificationParams, 'headers' | 'body'>,
  extra: Partial<NotificationKeys> = {},
) => parseNotification({ ...KEYS, ...extra, headers: c.headers, body: c.body })

type ErrorClass = new (...a: never[]) => NotificationError

/** The class, reason, and that nothing secret or sender-chosen leaked into the message. */
function rejects(f: () => unknown, cls: ErrorClass, reason: string): NotificationError {
  let caught: unknown
  try {
    f()
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`)
  assert.ok(caught instanceof NotificationError && caught instanceof WxPayError)
  assert.equal(caught.name, cls.name)
  assert.equal(caught.reason, reason)
  assert.ok(!caught.message.includes(APIV3_KEY), 'the APIv3 key never appears in a message')
  return caught
}

test('a genuine callback: verified, decrypted, returned with its envelope fields', () => {
  const c = callback()
  const n = parse(c)
  assert.deepEqual(n, {
    id: c.id,
    create_time: JSON.parse(c.body).create_time,
    event_type: 'PRODUCT_COUPON_SP.SEND',
    summary: '商品券领券通知',
    resource_type: 'encrypt-resource',
    original_type: 'coupon',
    data: SEND,
  })
})

test('body as Buffer, headers as Node lower-case, mixed case or a lookup function', () => {
  const c = callback()
  const lower = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]))
  assert.equal(parse({ headers: lower, body: Buffer.from(c.body) }).id, c.id)
  assert.equal(parse({ headers: { ...lower, 'x-other': ['a', 'b'] }, body: c.body }).id, c.id)
  const h = new Headers(c.headers)
  assert.equal(parse({ headers: (name) => h.get(name) ?? undefined, body: c.body }).id, c.id)
})

test('the platform key as PEM text, as a path, or a private KeyObject', () => {
  const pem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-notify-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'pub.pem')
  writeFileSync(file, pem)
  const c = callback()
  for (const key of [pem, file, platform.privateKey]) {
    assert.equal(parse(c, { platformPublicKey: key }).id, c.id)
  }
})

test('each missing Wechatpay-* header → NotificationHeaderError', () => {
  const c = callback()
  for (const name of Object.keys(c.headers).filter((n) => n.startsWith('Wechatpay-'))) {
    const { [name]: _gone, ...rest } = c.headers
    const err = rejects(
      () => parse({ ...c, headers: rest }),
      NotificationHeaderError,
      'missing_header',
    )
    assert.match(err.message, new RegExp(name))
    rejects(
      () => parse({ ...c, headers: { ...c.headers, [name]: '' } }),
      NotificationHeaderError,
      'missing_header',
    )
  }
  const twice = { ...c.headers, 'wechatpay-nonce': 'another' }
  rejects(() => parse({ ...c, headers: twice }), NotificationHeaderError, 'duplicate_header')
})

test('a serial other than the configured key id → NotificationSerialError, checked first', () => {
  const c = callback({ timestamp: NOW - 3600 })
  const headers = { ...c.headers, 'Wechatpay-Serial': 'PUB_KEY_ID_0000000000000000000000000000' }
  rejects(() => parse({ ...c, headers }), NotificationSerialError, 'serial_mismatch')
  rejects(
    () => parse(c, { platformPublicKeyId: `${KEY_ID}X` }),
    NotificationSerialError,
    'serial_mismatch',
  )
})

test('timestamp: not digits, or ±300 s away → NotificationTimestampError; ±299 s passes', () => {
  for (const ts of ['', '17e8', '-1', ' 1760000000', '1760000000.5']) {
    const c = callback()
    const headers = { ...c.headers, 'Wechatpay-Timestamp': ts }
    const reason = ts === '' ? 'missing_header' : 'bad_timestamp'
    const cls = ts === '' ? NotificationHeaderError : NotificationTimestampError
    rejects(() => parse({ ...c, headers }), cls, reason)
  }
  for (const offset of [300, -300, 3600]) {
    const c = callback({ timestamp: NOW + offset })
    rejects(() => parse(c), NotificationTimestampError, 'stale_timestamp')
  }
  for (const offset of [299, -299, 0]) assert.ok(parse(callback({ timestamp: NOW + offset })))
  // The tolerance is configurable, and "now" may be fractional.
  rejects(
    () => parse(callback({ timestamp: NOW - 60 }), { toleranceSeconds: 60 }),
    NotificationTimestampError,
    'stale_timestamp',
  )
  assert.ok(parse(callback({ timestamp: NOW - 1 }), { nowSeconds: () => NOW + 0.9 }))
})

test('a body changed by one byte, or a changed signature → NotificationSignatureError', () => {
  const c = callback()
  const body = c.body.replace('"id":', '"id" :')
  const err = rejects(() => parse({ ...c, body }), NotificationSignatureError, 'bad_signature')
  assert.equal((err as NotificationSignatureError).probe, false)

  const sig = Buffer.from(c.headers['Wechatpay-Signature'] ?? '', 'base64')
  sig[10] = (sig[10] ?? 0) ^ 0x01
  for (const s of [sig.toString('base64'), 'not base64!', 'AAAA']) {
    const headers = { ...c.headers, 'Wechatpay-Signature': s }
    rejects(() => parse({ ...c, headers }), NotificationSignatureError, 'bad_signature')
  }
  // Signed text and bytes on the wire must agree exactly: a trailing newline is a change.
  rejects(() => parse({ ...c, body: `${c.body}\n` }), NotificationSignatureError, 'bad_signature')
})

test('a WECHATPAY/SIGNTEST/ probe is refused as a signature failure with probe = true', () => {
  const c = callback()
  const headers = { ...c.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${'A'.repeat(64)}` }
  const err = rejects(() => parse({ ...c, headers }), NotificationSignatureError, 'signature_probe')
  assert.equal((err as NotificationSignatureError).probe, true)
})

test('a signed but malformed envelope → NotificationFormatError', () => {
  const good = JSON.parse(callback().body)
  const variants: unknown[] = [
    'not json',
    '[]',
    'null',
    { ...good, id: '' },
    { ...good, id: 42 },
    { ...good, create_time: undefined },
    { ...good, event_type: undefined },
    { ...good, resource_type: 'plain' },
    { ...good, summary: 7 },
    { ...good, resource: 'x' },
    { ...good, resource: { ...good.resource, algorithm: 'AEAD_AES_128_GCM' } },
    { ...good, resource: { ...good.resource, original_type: '' } },
    { ...good, resource: { ...good.resource, associated_data: undefined } },
    { ...good, resource: { ...good.resource, nonce: '' } },
    { ...good, resource: { ...good.resource, ciphertext: 1 } },
  ]
  for (const v of variants) {
    const body = typeof v === 'string' ? v : JSON.stringify(v)
    rejects(() => parse(callback({ body })), NotificationFormatError, 'bad_envelope')
  }
  // Signed bytes that are not UTF-8: refused rather than decoded with replacement characters.
  const bytes = Buffer.from([0x7b, 0xff, 0x7d])
  const c = callback()
  const message = Buffer.concat([Buffer.from(`${NOW}\nnonce\n`), bytes, Buffer.from('\n')])
  const headers = {
    ...c.headers,
    'Wechatpay-Timestamp': String(NOW),
    'Wechatpay-Nonce': 'nonce',
    'Wechatpay-Signature': signSha256WithRsa(message, platform.privateKey),
  }
  rejects(() => parse({ headers, body: bytes }), NotificationFormatError, 'bad_envelope')
})

test('a summary-less envelope is accepted with summary ""', () => {
  const { summary: _s, ...rest } = JSON.parse(callback().body)
  assert.equal(parse(callback({ body: JSON.stringify(rest) })).summary, '')
})

test('encrypted under another APIv3 key, or a damaged ciphertext → NotificationDecryptError', () => {
  const other = generateApiV3Key()
  const err = rejects(
    () => parse(callback({ apiv3Key: other })),
    NotificationDecryptError,
    'decrypt_failed',
  )
  assert.ok(!err.message.includes(other))
  const good = JSON.parse(callback().body)
  const body = JSON.stringify({ ...good, resource: { ...good.resource, ciphertext: 'AAAA' } })
  rejects(() => parse(callback({ body })), NotificationDecryptError, 'decrypt_failed')
})

test('a resource that decrypts to something other than a JSON object → NotificationFormatError', () => {
  for (const payload of ['not json', '"text"', '[1]']) {
    rejects(() => parse(callback({ payload })), NotificationFormatError, 'bad_plaintext')
  }
})

test('bad arguments are TypeErrors that do not echo the APIv3 key', () => {
  const c = callback()
  const secret = 'short-secret-key'
  assert.throws(
    () => parse(c, { apiv3Key: secret }),
    (e: Error) => e instanceof TypeError && !e.message.includes(secret),
  )
  assert.throws(() => parse(c, { platformPublicKeyId: '' }), TypeError)
  assert.throws(() => parse(c, { toleranceSeconds: 0 }), TypeError)
  assert.throws(() => parse(c, { platformPublicKey: 'no-such-file.pem' }), TypeError)
})
