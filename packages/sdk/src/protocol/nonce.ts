import { randomBytes, randomFillSync } from 'node:crypto'

/** Injectable randomness, so ids and nonces are deterministic in tests. */
export type RandomBytes = (size: number) => Buffer

/**
 * The CSPRNG drawn in blocks: each `randomBytes` call costs a few microseconds in OpenSSL 3
 * whatever its size, and a server draws three or four small ones per request. Every block is a
 * fresh buffer handed out in disjoint slices, so no two callers ever share or reuse bytes.
 */
export function pooledRandom(blockSize = 4096): RandomBytes {
  let block = Buffer.alloc(0)
  let offset = 0
  return (size) => {
    if (size > blockSize / 4) return randomBytes(size)
    if (offset + size > block.length) {
      block = randomFillSync(Buffer.allocUnsafeSlow(blockSize))
      offset = 0
    }
    const out = block.subarray(offset, offset + size)
    offset += size
    return out
  }
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** 248 = 4 × 62: bytes at or above it are redrawn, so `b % 62` favours no character. */
const UNBIASED_LIMIT = 248

/** A nonce of [0-9A-Za-z], as the official SDKs make them. */
export function generateNonce(length = 32, random: RandomBytes = randomBytes): string {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError('nonce length must be a non-negative integer')
  }
  let out = ''
  while (out.length < length) {
    const bytes = random(length)
    // An injected source that yields nothing would otherwise spin here for ever.
    if (bytes.length === 0) throw new RangeError('random source returned no bytes')
    for (const b of bytes) {
      if (b < UNBIASED_LIMIT && out.length < length) out += ALPHANUMERIC[b % 62]
    }
  }
  return out
}

/** Request-ID: 42 upper-case hex characters, the form the real service uses (spec §6). */
export function generateRequestId(random: RandomBytes = randomBytes): string {
  return random(21).toString('hex').toUpperCase()
}

/** The Request-ID header: on a failure the id carries `-<numeric error code>` (spec §6). */
export function formatRequestId(id: string, numericCode?: number): string {
  return numericCode === undefined ? id : `${id}-${numericCode}`
}

/** A callback's notification id (§10.3): a version-4 UUID, from injectable randomness. */
export function generateNotificationId(random: RandomBytes = randomBytes): string {
  const b = Buffer.from(random(16))
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
