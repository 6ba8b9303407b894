import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  formatRequestId,
  generateNonce,
  generateNotificationId,
  generateRequestId,
  pooledRandom,
  type RandomBytes,
} from './nonce.ts'

/** Replays the given bytes in order, so each case states exactly what the generator consumed. */
function scripted(bytes: number[]): RandomBytes {
  let at = 0
  return (size) => {
    const out = Buffer.from(bytes.slice(at, at + size))
    at += size
    return out
  }
}

test('default nonce: 32 characters of [0-9A-Za-z], different each time', () => {
  const a = generateNonce()
  assert.match(a, /^[0-9A-Za-z]{32}$/)
  assert.notEqual(a, generateNonce())
  assert.match(generateNonce(12), /^[0-9A-Za-z]{12}$/)
  assert.equal(generateNonce(0), '')
})

test('injected randomness gives deterministic output (byte mod 62 into 0-9A-Za-z)', () => {
  assert.equal(generateNonce(4, scripted([0, 10, 36, 61])), '0Aaz')
  assert.equal(generateNonce(4, scripted([62, 72, 98, 123])), '0Aaz')
  const seven = (n: number) => Buffer.alloc(n, 7)
  assert.equal(generateNonce(8, seven), '77777777')
})

test('bytes 248..255 are redrawn, so no character is favoured', () => {
  // 248 % 62 = 0 and 255 % 62 = 7; they must be skipped, not mapped.
  assert.equal(generateNonce(2, scripted([248, 255, 1, 2, 3])), '12')
  const counts = new Map<string, number>()
  for (let b = 0; b < 256; b++) {
    const c = generateNonce(1, scripted([b, 0]))
    counts.set(c, (counts.get(c) ?? 0) + 1)
  }
  // Every byte value maps to exactly one draw; '0' gains only the eight redraws.
  assert.equal(counts.size, 62)
  for (const [c, n] of counts) assert.equal(n, c === '0' ? 12 : 4, c)
})

test('bad lengths and an exhausted random source are errors, not hangs', () => {
  assert.throws(() => generateNonce(-1), RangeError)
  assert.throws(() => generateNonce(1.5), RangeError)
  assert.throws(() => generateNonce(4, () => Buffer.alloc(0)), RangeError)
})

test('Request-ID: 42 upper-case hex characters from 21 random bytes', () => {
  assert.match(generateRequestId(), /^[0-9A-F]{42}$/)
  assert.notEqual(generateRequestId(), generateRequestId())
  const sizes: number[] = []
  const id = generateRequestId((n) => {
    sizes.push(n)
    return Buffer.alloc(n, 0xab)
  })
  assert.equal(id, 'AB'.repeat(21))
  assert.deepEqual(sizes, [21])
})

test('pooledRandom hands out disjoint slices of fresh blocks, and large draws directly', () => {
  const random = pooledRandom(64)
  const slices = Array.from({ length: 40 }, (_, i) => random((i % 16) + 1))
  assert.deepEqual(
    slices.map((b) => b.length),
    slices.map((_, i) => (i % 16) + 1),
  )
  for (let i = 0; i < slices.length; i++) {
    for (let j = i + 1; j < slices.length; j++) {
      const [a, c] = [slices[i] as Buffer, slices[j] as Buffer]
      const overlap =
        a.buffer === c.buffer &&
        a.byteOffset < c.byteOffset + c.length &&
        c.byteOffset < a.byteOffset + a.length
      assert.equal(overlap, false, `slices ${i} and ${j} overlap`)
    }
  }
  assert.equal(random(100).length, 100)
  // 32-byte nonces from the pool are as distinct as the CSPRNG's.
  const nonces = new Set(Array.from({ length: 1000 }, () => generateNonce(32, random)))
  assert.equal(nonces.size, 1000)
})

test('Request-ID header: the bare id on success, `-<numeric code>` on a failure', () => {
  const id = 'AB'.repeat(21)
  assert.equal(formatRequestId(id), id)
  assert.equal(formatRequestId(id, undefined), id)
  assert.equal(formatRequestId(id, 268578224), `${id}-268578224`)
})

test('notification id: a version-4 UUID, deterministic under injected randomness', () => {
  const uuid4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  assert.match(generateNotificationId(), uuid4)
  assert.notEqual(generateNotificationId(), generateNotificationId())
  assert.equal(
    generateNotificationId(() => Buffer.alloc(16, 0xff)),
    'ffffffff-ffff-4fff-bfff-ffffffffffff',
  )
  assert.equal(
    generateNotificationId(() => Buffer.alloc(16, 0)),
    '00000000-0000-4000-8000-000000000000',
  )
  // The injected bytes are read, not written: a pooled block must not be changed in place.
  const block = Buffer.alloc(16, 0xff)
  generateNotificationId(() => block)
  assert.deepEqual(block, Buffer.alloc(16, 0xff))
})

test('notification ids: version-4 UUIDs from the injected randomness', () => {
  const id = generateNotificationId(() => Buffer.alloc(16, 0xff))
  assert.equal(id, 'ffffffff-ffff-4fff-bfff-ffffffffffff')
  assert.match(
    generateNotificationId(() => Buffer.alloc(16, 0)),
    /^00000000-0000-4000-8000-000000000000$/,
  )
})
