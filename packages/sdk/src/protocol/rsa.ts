import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto'
import type { RandomBytes } from './nonce.ts'

/** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or a KeyObject. */
export type PrivateKeyInput = string | KeyObject
/** SPKI PEM (`-----BEGIN PUBLIC KEY-----`) or a KeyObject. */
export type PublicKeyInput = string | KeyObject

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** SHA256withRSA (RSASSA-PKCS1-v1_5), Base64 — the signature of every APIv3 message. */
export function signSha256WithRsa(message: string | Uint8Array, key: PrivateKeyInput): string {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  return sign('sha256', data, key).toString('base64')
}

/**
 * The same signature computed in libuv's thread pool: a process that signs every response
 * uses every core for RSA, its biggest single cost, while its event loop does the rest.
 */
export function signSha256WithRsaAsync(
  message: string | Uint8Array,
  key: PrivateKeyInput,
): Promise<string> {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  return new Promise((resolve, reject) => {
    sign('sha256', data, key, (err, signature) => {
      if (err) reject(err)
      else resolve(signature.toString('base64'))
    })
  })
}

/** Never throws: a malformed signature or key is simply "not verified". */
export function verifySha256WithRsa(
  message: string | Uint8Array,
  signatureBase64: string,
  key: PublicKeyInput,
): boolean {
  if (typeof signatureBase64 !== 'string' || signatureBase64.length % 4 !== 0) return false
  if (!BASE64.test(signatureBase64)) return false
  try {
    const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
    return verify('sha256', data, key, Buffer.from(signatureBase64, 'base64'))
  } catch {
    return false
  }
}

/** RSA 2048: private half PKCS#8 PEM, public half SPKI PEM (the formats WeChat Pay hands out). */
export function generateRsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKeyPem: privateKey, publicKeyPem: publicKey }
}

export function publicKeyPemFromPrivate(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString()
}

/** A merchant certificate serial number: 40 upper-case hex characters. */
export function randomSerialNo(random: RandomBytes = randomBytes): string {
  return random(20).toString('hex').toUpperCase()
}
