import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { generateNonce, type RandomBytes } from './nonce.ts'

/**
 * AEAD_AES_256_GCM as used by callback resources (protocol §10.3): key = the 32-byte APIv3
 * key, IV = the 12-byte `resource.nonce`, AAD = `associated_data`, output Base64(ciphertext‖tag).
 */

export class CallbackDecryptError extends Error {
  override readonly name = 'CallbackDecryptError'
}

const TAG_LENGTH = 16
const KEY_LENGTH = 32
const IV_LENGTH = 12
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** UTF-8 bytes of a string, or undefined for anything else (a JSON field may be any type). */
const utf8 = (s: unknown): Buffer | undefined =>
  typeof s === 'string' ? Buffer.from(s, 'utf8') : undefined

/**
 * The AES key and IV, checked for length; `fail` makes the caller's kind of error. Fixed
 * messages: echoing the offending value would put the APIv3 key in a log.
 */
function keyAndIv(
  p: { apiv3Key: unknown; nonce: unknown },
  fail: (message: string) => Error,
  nonceName: string,
): { key: Buffer; iv: Buffer } {
  const key = utf8(p.apiv3Key)
  const iv = utf8(p.nonce)
  if (key?.length !== KEY_LENGTH) throw fail('the APIv3 key must be 32 bytes')
  if (iv?.length !== IV_LENGTH) throw fail(`${nonceName} must be 12 bytes`)
  return { key, iv }
}

export function encryptCallbackResource(p: {
  plaintext: string
  apiv3Key: string
  associatedData: string
  nonce: string
}): string {
  const { key, iv } = keyAndIv(p, (m) => new TypeError(m), 'the callback nonce')
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
  cipher.setAAD(Buffer.from(p.associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(p.plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64')
}

/** Every failure is a CallbackDecryptError, so a receiver can answer "bad callback" uniformly. */
export function decryptCallbackResource(p: {
  ciphertext: string
  apiv3Key: string
  associatedData: string
  nonce: string
}): string {
  const { key, iv } = keyAndIv(p, (m) => new CallbackDecryptError(m), 'the nonce')
  const aad = utf8(p.associatedData)
  if (aad === undefined) throw new CallbackDecryptError('associated_data must be a string')
  // Buffer.from silently skips non-Base64 characters; refuse them rather than decrypt a guess.
  const text = p.ciphertext
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new CallbackDecryptError('ciphertext is not Base64')
  }
  const data = Buffer.from(text, 'base64')
  if (data.length < TAG_LENGTH) throw new CallbackDecryptError('ciphertext too short')
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
    decipher.setAAD(aad)
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH))
    const plain = Buffer.concat([
      decipher.update(data.subarray(0, data.length - TAG_LENGTH)),
      decipher.final(),
    ])
    return plain.toString('utf8')
  } catch {
    throw new CallbackDecryptError('callback resource failed authentication')
  }
}

const APIV3_KEY = /^[0-9A-Za-z]{32}$/

/** An APIv3 key as merchants set it: 32 characters of [0-9A-Za-z]. */
export function isApiV3Key(key: unknown): key is string {
  return typeof key === 'string' && APIV3_KEY.test(key)
}

/** An APIv3 key: 32 characters of [0-9A-Za-z]. */
export function generateApiV3Key(random: RandomBytes = randomBytes): string {
  return generateNonce(32, random)
}

/** A callback resource nonce: 12 characters, used as the GCM IV. */
export function generateCallbackNonce(random: RandomBytes = randomBytes): string {
  return generateNonce(12, random)
}
