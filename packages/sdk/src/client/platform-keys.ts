import { type KeyObject, X509Certificate } from 'node:crypto'
import type { PublicKeyInput, ResponseTrust } from '../protocol/index.ts'
import { loadPublicKey, pemText } from './key-files.ts'

/**
 * The WeChat Pay keys a client or a callback receiver trusts, by the serial WeChat Pay names
 * them with in `Wechatpay-Serial`: the public key (`PUB_KEY_ID_…`) and any number of platform
 * certificates (40-hex serials). A partner in certificate or transition key mode signs with
 * its certificates, and during a rotation with either of two; holding both is what keeps a
 * client working through it.
 */

export interface PlatformKeyOptions {
  /** WeChat Pay public key: SPKI PEM text, a path to a PEM file, or a KeyObject. */
  platformPublicKey?: PublicKeyInput
  /** Id of that key, `PUB_KEY_ID_…`. */
  platformPublicKeyId?: string
  /**
   * Platform certificates by serial: PEM certificate (or public key) text, a path to a PEM
   * file, or a KeyObject.
   */
  platformCertificates?: Readonly<Record<string, PublicKeyInput>>
}

interface Held {
  key: KeyObject
  /** X.509 notAfter in ms; -1 when only a bare public key was given. */
  notAfter: number
}

export class PlatformKeySet {
  readonly #publicKey: KeyObject | undefined
  readonly #publicKeyId: string | undefined
  readonly #certificates = new Map<string, Held>()

  constructor(o: PlatformKeyOptions) {
    if (o.platformPublicKey !== undefined && o.platformPublicKeyId === undefined) {
      throw new TypeError('platformPublicKeyId must be given with platformPublicKey')
    }
    if (o.platformPublicKeyId !== undefined && o.platformPublicKey === undefined) {
      throw new TypeError('platformPublicKey must be given with platformPublicKeyId')
    }
    if (o.platformPublicKeyId !== undefined) {
      if (typeof o.platformPublicKeyId !== 'string' || o.platformPublicKeyId === '') {
        throw new TypeError('platformPublicKeyId must be a non-empty string')
      }
      this.#publicKey = loadPublicKey(o.platformPublicKey)
      this.#publicKeyId = o.platformPublicKeyId
    }
    const given = o.platformCertificates
    if (given !== undefined && (typeof given !== 'object' || given === null)) {
      throw new TypeError('platformCertificates must be an object of serial → certificate')
    }
    for (const [serial, value] of Object.entries(given ?? {})) this.add(serial, value)
  }

  get publicKeyId(): string | undefined {
    return this.#publicKeyId
  }

  /** Whether any key is held at all. */
  get empty(): boolean {
    return this.#publicKey === undefined && this.#certificates.size === 0
  }

  add(serial: string, value: PublicKeyInput): void {
    if (typeof serial !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(serial)) {
      throw new TypeError('a platform certificate serial must be 1–64 letters and digits')
    }
    let notAfter = -1
    if (typeof value === 'string') {
      const text = pemText('platformCertificates', value)
      if (text.includes('BEGIN CERTIFICATE')) {
        try {
          notAfter = Date.parse(new X509Certificate(text).validTo)
        } catch {
          throw new TypeError(`platformCertificates[${serial}] is not a valid certificate`)
        }
      }
      this.#certificates.set(serial, { key: loadPublicKey(text), notAfter })
      return
    }
    this.#certificates.set(serial, { key: loadPublicKey(value), notAfter })
  }

  has(serial: string): boolean {
    return serial === this.#publicKeyId || this.#certificates.has(serial)
  }

  keyFor(serial: string): KeyObject | undefined {
    return serial === this.#publicKeyId ? this.#publicKey : this.#certificates.get(serial)?.key
  }

  /**
   * The Wechatpay-Serial a request carries: the public key id when there is one (in transition
   * mode that is what makes WeChat Pay answer under the public key), else the certificate
   * that expires last (wechatpay-java's rule), else none.
   */
  requestSerial(): string | undefined {
    if (this.#publicKeyId !== undefined) return this.#publicKeyId
    let best: [string, Held] | undefined
    for (const entry of this.#certificates) {
      if (!best || entry[1].notAfter >= best[1].notAfter) best = entry
    }
    return best?.[0]
  }

  trust(nowSeconds: number, toleranceSeconds?: number): ResponseTrust {
    const publicKey = this.#publicKey
    return {
      ...(this.#publicKeyId === undefined || publicKey === undefined
        ? {}
        : { publicKeyId: this.#publicKeyId, publicKey }),
      keyFor: (serial) => this.#certificates.get(serial)?.key,
      nowSeconds,
      ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
    }
  }
}
