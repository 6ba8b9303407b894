import { createPrivateKey, type KeyObject } from 'node:crypto'
import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import {
  callbackKey,
  DEFAULT_TRUST,
  FULL_SHARE,
  type KeyChoice,
  knowsSerial,
  type PartnerTrust,
  responseKey,
} from '../domain/platform-trust.ts'
import type {
  PartnerTrustRecord,
  PlatformCertificateRecord,
  PlatformKey,
  Store,
} from '../store/store.ts'

/**
 * The signing keys of each partner (domain/platform-trust.ts decides which one signs): the
 * WeChat Pay public key every partner shares, and each partner's platform certificates. Kept in
 * memory per partner, so the bootstrap partner's answers cost a map lookup; the sandbox controls
 * that change a partner's keys drop its entry (`changed`). When other processes serve the same
 * database (`shared`), each lookup first reads the partner's key version from it — one indexed
 * row — so a change made through any instance signs the next answer of every other.
 */

/** A partner's settings and certificates as the domain rules take them; no row: the defaults. */
export function trustOf(
  row: PartnerTrustRecord | undefined,
  certificates: readonly PlatformCertificateRecord[],
): PartnerTrust {
  return row
    ? {
        mode: row.keyMode,
        strictSerial: row.strictSerial,
        callbackPublicKeyShare: row.callbackPublicKeyShare,
        certificates,
      }
    : { ...DEFAULT_TRUST, certificates }
}

export interface SigningKey {
  readonly keyId: string
  readonly privateKey: KeyObject
}

export interface PartnerKeys {
  readonly trust: PartnerTrust
  /** The key a choice names; a certificate this entry does not hold falls back to the public key. */
  key(choice: KeyChoice): SigningKey
}

interface Entry extends PartnerKeys {
  readonly version: number
}

export class PlatformKeys {
  readonly publicKey: SigningKey
  readonly #store: Store
  readonly #shared: boolean
  readonly #random: RandomBytes
  readonly #entries = new Map<string, Entry>()

  constructor(p: { store: Store; platformKey: PlatformKey; shared: boolean; random: RandomBytes }) {
    this.#store = p.store
    this.#shared = p.shared
    this.#random = p.random
    this.publicKey = {
      keyId: p.platformKey.keyId,
      privateKey: createPrivateKey(p.platformKey.privateKeyPem),
    }
  }

  /** After a commit that changed the partner's mode or certificates. */
  changed(mchid: string): void {
    this.#entries.delete(mchid)
  }

  async forPartner(mchid: string): Promise<PartnerKeys> {
    const cached = this.#entries.get(mchid)
    if (cached && !this.#shared) return cached
    const row = await this.#store.read.getPartnerTrust(mchid)
    const version = row?.version ?? 0
    if (cached && cached.version === version) return cached
    const certificates = row ? await this.#store.read.listPlatformCertificates(mchid) : []
    const entry = this.#entry(version, trustOf(row, certificates), certificates)
    this.#entries.set(mchid, entry)
    return entry
  }

  /**
   * The key an API answer to this partner is signed with, given the request's Wechatpay-Serial,
   * and whether that serial is to be refused (it names no key of a partner that asked for that).
   */
  async forAnswer(
    mchid: string,
    p: { requestSerial: string | undefined; now: number; certificateDownload: boolean },
  ): Promise<{ key: SigningKey; refuseSerial: boolean }> {
    const keys = await this.forPartner(mchid)
    const publicKeyId = this.publicKey.keyId
    const serial = p.requestSerial === '' ? undefined : p.requestSerial
    const key = keys.key(
      responseKey(keys.trust, {
        publicKeyId,
        now: p.now,
        certificateDownload: p.certificateDownload,
        ...(serial === undefined ? {} : { requestSerial: serial }),
      }),
    )
    const refuseSerial =
      keys.trust.strictSerial &&
      serial !== undefined &&
      !knowsSerial(keys.trust, serial, { publicKeyId, now: p.now })
    return { key, refuseSerial }
  }

  /** The key one callback delivery to this partner is signed with. */
  async forCallback(mchid: string, now: number): Promise<SigningKey> {
    const keys = await this.forPartner(mchid)
    const draw = this.#random(4).readUInt32BE(0) % FULL_SHARE
    return keys.key(callbackKey(keys.trust, now, draw))
  }

  #entry(
    version: number,
    trust: PartnerTrust,
    certificates: readonly PlatformCertificateRecord[],
  ): Entry {
    const publicKey = this.publicKey
    const byCertificate = new Map<string, SigningKey>()
    // Parsed on first use: a partner may hold certificates it never signs with again.
    const pem = new Map(certificates.map((c) => [c.serialNo, c.privateKeyPem]))
    return {
      version,
      trust,
      key(choice) {
        if (choice.kind === 'public_key') return publicKey
        let key = byCertificate.get(choice.serialNo)
        const privateKeyPem = pem.get(choice.serialNo)
        if (!key && privateKeyPem) {
          key = { keyId: choice.serialNo, privateKey: createPrivateKey(privateKeyPem) }
          byCertificate.set(choice.serialNo, key)
        }
        return key ?? publicKey
      },
    }
  }
}
