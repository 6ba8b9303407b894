import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** Keys as the client and the callback parser take them: PEM text, a path, or a KeyObject. */

/**
 * Reads PEM text from a path when the value is not PEM itself. Errors never echo the value or
 * the underlying fs message: a private key pasted without its armour would otherwise be logged.
 */
export function pemText(name: string, value: string): string {
  if (value.includes('-----BEGIN')) return value
  try {
    return readFileSync(value, 'utf8')
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const why = typeof code === 'string' ? code : 'unreadable'
    throw new TypeError(`${name} is neither PEM text nor a readable file path (${why})`)
  }
}

export function loadPrivateKey(value: unknown): KeyObject {
  let key: KeyObject
  if (value instanceof KeyObject) {
    key = value
  } else if (typeof value === 'string' && value !== '') {
    const text = pemText('privateKey', value)
    try {
      key = createPrivateKey(text)
    } catch {
      throw new TypeError('privateKey is not a valid PEM private key')
    }
  } else {
    throw new TypeError('privateKey must be PEM text, a file path or a KeyObject')
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new TypeError('privateKey must be an RSA private key')
  }
  return key
}

export function loadPublicKey(value: unknown): KeyObject {
  let key: KeyObject
  if (value instanceof KeyObject) {
    key = value.type === 'private' ? createPublicKey(value) : value
  } else if (typeof value === 'string' && value !== '') {
    const text = pemText('platformPublicKey', value)
    try {
      key = createPublicKey(text)
    } catch {
      throw new TypeError('platformPublicKey is not a valid PEM public key')
    }
  } else {
    throw new TypeError('platformPublicKey must be PEM text, a file path or a KeyObject')
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'rsa') {
    throw new TypeError('platformPublicKey must be an RSA public key')
  }
  return key
}
