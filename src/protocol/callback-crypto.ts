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

function keyAndIv(apiv3Key: string, nonce: string): { key: Buffer; iv: Buffer } {
  const key = Buffer.from(apiv3Key, 'utf8')
  const iv = Buffer.from(nonce, 'utf8')
  if (key.length !== 32) throw new TypeError('the APIv3 key must be 32 bytes')
  if (iv.length !== 12) throw new TypeError('the callback nonce must be 12 bytes')
  return { key, iv }
}

export function encryptCallbackResource(p: {
  plaintext: string
  apiv3Key: string
  associatedData: string
  nonce: string
}): string {
  const { key, iv } = keyAndIv(p.apiv3Key, p.nonce)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
  cipher.setAAD(Buffer.from(p.associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(p.plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64')
}

export function decryptCallbackResource(p: {
  ciphertext: string
  apiv3Key: string
  associatedData: string
  nonce: string
}): string {
  let parts: { key: Buffer; iv: Buffer }
  try {
    parts = keyAndIv(p.apiv3Key, p.nonce)
  } catch (e) {
    throw new CallbackDecryptError((e as Error).message)
  }
  const data = Buffer.from(p.ciphertext, 'base64')
  if (data.length < TAG_LENGTH) throw new CallbackDecryptError('ciphertext too short')
  try {
    const decipher = createDecipheriv('aes-256-gcm', parts.key, parts.iv, {
      authTagLength: TAG_LENGTH,
    })
    decipher.setAAD(Buffer.from(p.associatedData, 'utf8'))
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH))
    const plain = Buffer.concat([
      decipher.update(data.subarray(0, data.length - TAG_LENGTH)),
      decipher.final(),
    ])
    return plain.toString('utf8')
  } catch {
    // The cause names nothing secret, but a generic message keeps key handling out of logs.
    throw new CallbackDecryptError('callback resource failed authentication')
  }
}

/** An APIv3 key: 32 characters of [0-9A-Za-z]. */
export function generateApiV3Key(random: RandomBytes = randomBytes): string {
  return generateNonce(32, random)
}

/** A callback resource nonce: 12 characters, used as the GCM IV. */
export function generateCallbackNonce(random: RandomBytes = randomBytes): string {
  return generateNonce(12, random)
}
