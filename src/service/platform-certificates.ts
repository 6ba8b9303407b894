import {
  encryptCallbackResource,
  generateCallbackNonce,
  generateRsaKeyPair,
} from '@wxcoupon/sdk/protocol'
import {
  CERTIFICATE_ASSOCIATED_DATA,
  type CertificatesQuery,
  type CertificatesResponse,
} from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import {
  DEFAULT_TRUST,
  isListed,
  type KeyMode,
  type PartnerTrust,
  signingCertificate,
} from '../domain/platform-trust.ts'
import { formatRfc3339 } from '../domain/time.ts'
import type { PlatformCertificateRecord, StoreTx } from '../store/store.ts'
import type { Caller, ServiceDeps } from './context.ts'
import {
  certificateSerial,
  generateRsaKeyPairAsync,
  issuePlatformCertificate,
  loadSandboxCa,
  PLATFORM_CERTIFICATE_YEARS,
  type RsaKeyPair,
} from './pki/sandbox-ca.ts'
import { trustOf } from './platform-keys.ts'

/**
 * Platform certificates: GET /v3/certificates, and the sandbox controls that give a partner a
 * key mode and rotate its certificates (docs/trust-and-https.md). The private key of each
 * certificate is made here, kept in the store to sign with, and never handed out.
 */

/** WeChat Pay announces a new certificate a day before it signs with it. */
export const DEFAULT_ACTIVATION_SECONDS = 86_400

export interface KeySettingsInput {
  key_mode?: KeyMode
  strict_serial?: boolean
  callback_public_key_percent?: number
}

const realSeconds = () => Math.floor(Date.now() / 1000)

/** GET /v3/certificates: the listed certificates, each PEM encrypted under the APIv3 key. */
export async function listCertificates(
  deps: ServiceDeps,
  caller: Caller,
  query: CertificatesQuery,
): Promise<CertificatesResponse> {
  const db = deps.store.read
  const [trust, partner] = await Promise.all([
    db.getPartnerTrust(caller.mchid),
    db.getPartner(caller.mchid),
  ])
  if (!partner || !trust || trust.keyMode === 'public_key') {
    throw wxError('CERTIFICATES_NOT_AVAILABLE')
  }
  if (query.algorithm_type === 'SM2') return { data: [] }
  const now = deps.clock.seconds()
  const listed = (await db.listPlatformCertificates(caller.mchid)).filter((c) => isListed(c, now))
  return {
    data: listed.map((c) => {
      const nonce = generateCallbackNonce(deps.random)
      return {
        serial_no: c.serialNo,
        effective_time: formatRfc3339(c.effectiveTime),
        expire_time: formatRfc3339(c.expireTime),
        encrypt_certificate: {
          algorithm: 'AEAD_AES_256_GCM',
          nonce,
          associated_data: CERTIFICATE_ASSOCIATED_DATA,
          ciphertext: encryptCallbackResource({
            plaintext: c.certificatePem,
            apiv3Key: partner.apiv3Key,
            associatedData: CERTIFICATE_ASSOCIATED_DATA,
            nonce,
          }),
        },
      }
    }),
  }
}

/** Writes the partner's settings (bumping their version, so every instance reloads its keys). */
async function saveTrust(
  tx: StoreTx,
  mchid: string,
  current: PartnerTrust,
  change: KeySettingsInput,
): Promise<PartnerTrust> {
  const next = {
    mode: change.key_mode ?? current.mode,
    strictSerial: change.strict_serial ?? current.strictSerial,
    callbackPublicKeyShare:
      change.callback_public_key_percent === undefined
        ? current.callbackPublicKeyShare
        : Math.round(change.callback_public_key_percent * 100),
  }
  await tx.savePartnerTrust({
    mchid,
    keyMode: next.mode,
    strictSerial: next.strictSerial,
    callbackPublicKeyShare: next.callbackPublicKeyShare,
  })
  return { ...next, certificates: current.certificates }
}

/**
 * A new certificate for the partner, signing `activateAfter` seconds of sandbox time from now.
 * Its notBefore is real time (clients check it against their own clocks), one second past the
 * partner's previous one at least, so "the newest" is the same whichever field a client
 * orders by (Go: NotBefore, Java: NotAfter).
 */
async function insertCertificate(
  deps: ServiceDeps,
  tx: StoreTx,
  p: {
    mchid: string
    keys: RsaKeyPair
    activateAfter: number
    existing: PlatformCertificateRecord[]
  },
): Promise<PlatformCertificateRecord> {
  const ca = await loadSandboxCa(tx)
  const last = p.existing.at(-1)
  const notBefore = Math.max(realSeconds(), (last?.effectiveTime ?? 0) + 1)
  const serialNo = certificateSerial(deps.random)
  const { certificatePem, notAfter } = issuePlatformCertificate(ca, {
    mchid: p.mchid,
    serialNo,
    publicKeyPem: p.keys.publicKeyPem,
    notBefore,
  })
  const record: PlatformCertificateRecord = {
    serialNo,
    mchid: p.mchid,
    certificatePem,
    privateKeyPem: p.keys.privateKeyPem,
    effectiveTime: notBefore,
    expireTime: notAfter,
    signingFrom: deps.clock.seconds() + p.activateAfter,
  }
  await tx.insertPlatformCertificate(record)
  return record
}

const needsCertificate = (mode: KeyMode) => mode !== 'public_key'

/** The public side of a partner's keys, as partner creation and the mode switch answer it. */
export interface PartnerKeysView {
  key_mode: KeyMode
  strict_serial: boolean
  callback_public_key_percent: number
  platform_public_key_id: string
  platform_public_key_pem: string
  platform_certificates?: { serial_no: string; certificate_pem: string }[]
}

async function keysView(tx: StoreTx, trust: PartnerTrust, now: number): Promise<PartnerKeysView> {
  const platform = await tx.getPlatformKey()
  if (!platform) throw new Error('the platform key is missing: the database was not bootstrapped')
  const certificates = trust.certificates as PlatformCertificateRecord[]
  return {
    key_mode: trust.mode,
    strict_serial: trust.strictSerial,
    callback_public_key_percent: trust.callbackPublicKeyShare / 100,
    platform_public_key_id: platform.keyId,
    platform_public_key_pem: platform.publicKeyPem,
    ...(needsCertificate(trust.mode)
      ? {
          platform_certificates: certificates
            .filter((c) => isListed(c, now))
            .map((c) => ({ serial_no: c.serialNo, certificate_pem: c.certificatePem })),
        }
      : {}),
  }
}

/**
 * The key settings of a partner just inserted in `tx`: a row only when something differs from
 * the defaults, and a first certificate (signing at once) in the certificate modes.
 */
export async function initPartnerKeys(
  deps: ServiceDeps,
  tx: StoreTx,
  mchid: string,
  settings: KeySettingsInput,
  certificateKeys: RsaKeyPair | undefined,
): Promise<PartnerKeysView> {
  let trust: PartnerTrust = DEFAULT_TRUST
  if (Object.values(settings).some((v) => v !== undefined)) {
    trust = await saveTrust(tx, mchid, trust, settings)
  }
  if (needsCertificate(trust.mode)) {
    const keys = certificateKeys ?? generateRsaKeyPair()
    const cert = await insertCertificate(deps, tx, { mchid, keys, activateAfter: 0, existing: [] })
    trust = { ...trust, certificates: [cert] }
  }
  return keysView(tx, trust, deps.clock.seconds())
}

/** Key generation happens before the transaction (off the event loop), when it will be needed. */
export function certificateKeysFor(mode: KeyMode | undefined): Promise<RsaKeyPair | undefined> {
  return mode && needsCertificate(mode) ? generateRsaKeyPairAsync() : Promise.resolve(undefined)
}

async function partnerTrust(tx: StoreTx, mchid: string) {
  if (!(await tx.getPartner(mchid))) {
    throw wxError('SANDBOX_NOT_FOUND', { field: 'mchid', value: mchid, issue: 'no such partner' })
  }
  const [row, certificates] = await Promise.all([
    tx.getPartnerTrust(mchid),
    tx.listPlatformCertificates(mchid),
  ])
  return trustOf(row, certificates)
}

export async function setKeyMode(
  deps: ServiceDeps,
  mchid: string,
  change: KeySettingsInput & { key_mode: KeyMode },
): Promise<PartnerKeysView & { mchid: string }> {
  const now = deps.clock.seconds()
  const before = await deps.store.read.listPlatformCertificates(mchid)
  const spare =
    needsCertificate(change.key_mode) && !before.some((c) => isListed(c, now))
      ? await generateRsaKeyPairAsync()
      : undefined
  const view = await deps.store.transaction(async (tx) => {
    let trust = await saveTrust(tx, mchid, await partnerTrust(tx, mchid), change)
    const existing = trust.certificates as PlatformCertificateRecord[]
    if (needsCertificate(trust.mode) && !existing.some((c) => isListed(c, now))) {
      const keys = spare ?? generateRsaKeyPair()
      const cert = await insertCertificate(deps, tx, { mchid, keys, activateAfter: 0, existing })
      trust = { ...trust, certificates: [...existing, cert] }
    }
    return keysView(tx, trust, now)
  })
  deps.platformKeys?.changed(mchid)
  return { mchid, ...view }
}

export interface PlatformCertificateView {
  serial_no: string
  certificate_pem: string
  effective_time: string
  expire_time: string
  signing_time: string
  state: 'PENDING' | 'ACTIVE' | 'EXPIRED' | 'REVOKED'
  signing: boolean
}

function certificateView(
  c: PlatformCertificateRecord,
  trust: PartnerTrust,
  now: number,
): PlatformCertificateView {
  const state =
    c.revokedAt !== undefined
      ? 'REVOKED'
      : now >= c.expireTime
        ? 'EXPIRED'
        : c.signingFrom <= now
          ? 'ACTIVE'
          : 'PENDING'
  return {
    serial_no: c.serialNo,
    certificate_pem: c.certificatePem,
    effective_time: formatRfc3339(c.effectiveTime),
    expire_time: formatRfc3339(c.expireTime),
    signing_time: formatRfc3339(c.signingFrom),
    state,
    signing: signingCertificate(trust, now)?.serialNo === c.serialNo,
  }
}

export async function addPlatformCertificate(
  deps: ServiceDeps,
  mchid: string,
  activateAfterSeconds = DEFAULT_ACTIVATION_SECONDS,
): Promise<PlatformCertificateView> {
  const keys = await generateRsaKeyPairAsync()
  const view = await deps.store.transaction(async (tx) => {
    const trust = await partnerTrust(tx, mchid)
    const existing = trust.certificates as PlatformCertificateRecord[]
    const cert = await insertCertificate(deps, tx, {
      mchid,
      keys,
      activateAfter: activateAfterSeconds,
      existing,
    })
    const next = await saveTrust(tx, mchid, { ...trust, certificates: [...existing, cert] }, {})
    return certificateView(cert, next, deps.clock.seconds())
  })
  deps.platformKeys?.changed(mchid)
  return view
}

export async function listPartnerCertificates(
  deps: ServiceDeps,
  mchid: string,
): Promise<{ certificates: PlatformCertificateView[] }> {
  return deps.store.transaction(async (tx) => {
    const trust = await partnerTrust(tx, mchid)
    const now = deps.clock.seconds()
    const list = trust.certificates as PlatformCertificateRecord[]
    return { certificates: list.map((c) => certificateView(c, trust, now)) }
  })
}

const YEAR = 365 * 86_400

/** Expire (`after` seconds from now, never past the X.509 notAfter) or revoke one certificate. */
export async function endPlatformCertificate(
  deps: ServiceDeps,
  p: { mchid: string; serialNo: string; how: 'expire' | 'revoke'; afterSeconds?: number },
): Promise<PlatformCertificateView> {
  const view = await deps.store.transaction(async (tx) => {
    const trust = await partnerTrust(tx, p.mchid)
    const now = deps.clock.seconds()
    const list = trust.certificates as PlatformCertificateRecord[]
    const cert = list.find((c) => c.serialNo === p.serialNo)
    if (!cert) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: 'serial_no',
        value: p.serialNo,
        issue: 'no such platform certificate of this partner',
      })
    }
    const notAfter = cert.effectiveTime + PLATFORM_CERTIFICATE_YEARS * YEAR
    const changed: PlatformCertificateRecord =
      p.how === 'expire'
        ? { ...cert, expireTime: Math.min(notAfter, now + (p.afterSeconds ?? 0)) }
        : { ...cert, revokedAt: cert.revokedAt ?? now }
    await tx.updatePlatformCertificate(cert.serialNo, {
      expireTime: changed.expireTime,
      ...(changed.revokedAt === undefined ? {} : { revokedAt: changed.revokedAt }),
    })
    const certificates = list.map((c) => (c === cert ? changed : c))
    const next = await saveTrust(tx, p.mchid, { ...trust, certificates }, {})
    return certificateView(changed, next, now)
  })
  deps.platformKeys?.changed(p.mchid)
  return view
}
