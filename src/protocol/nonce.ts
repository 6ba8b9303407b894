import { randomBytes } from 'node:crypto'

/** Injectable randomness, so ids and nonces are deterministic in tests. */
export type RandomBytes = (size: number) => Buffer

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** A nonce of [0-9A-Za-z] as the official SDKs make them; unbiased (bytes ≥ 248 are redrawn). */
export function generateNonce(length = 32, random: RandomBytes = randomBytes): string {
  let out = ''
  while (out.length < length) {
    for (const b of random(length)) {
      if (b < 248 && out.length < length) out += ALPHANUMERIC[b % 62]
    }
  }
  return out
}

/** Request-ID: 42 upper-case hex characters, the form the real service uses (spec §6). */
export function generateRequestId(random: RandomBytes = randomBytes): string {
  return random(21).toString('hex').toUpperCase()
}
