/**
 * Which platform key WeChat Pay signs with, per partner (research §1). A partner is in one of
 * three key modes:
 *
 *   public_key   every answer and callback is signed with the WeChat Pay public key
 *                (`Wechatpay-Serial: PUB_KEY_ID_…`); GET /v3/certificates has nothing to list.
 *   certificate  the partner's platform certificates sign; a request naming one of them (in
 *                its `Wechatpay-Serial`) is answered under that one, any other under the
 *                certificate activated last.
 *   transition   the migration between the two: a request naming the public key id is
 *                answered under the public key, any other as in certificate mode; callbacks
 *                are signed with the public key for a share of deliveries, with a certificate
 *                for the rest.
 *
 * A certificate is listed (GET /v3/certificates, and as a key a request may name) from its
 * creation until it expires or is revoked, and signs from its activation on. All times are
 * sandbox-clock seconds except `effectiveTime`, the X.509 notBefore, which clients compare with
 * their own clocks. Pure: the caller brings the time and, for callbacks, the random draw.
 */

export const KEY_MODES = ['public_key', 'certificate', 'transition'] as const
export type KeyMode = (typeof KEY_MODES)[number]

export interface PlatformCertificate {
  serialNo: string
  /** X.509 notBefore, real Unix seconds (WeChat Pay's `effective_time`). */
  effectiveTime: number
  /** The listing's `expire_time`: the X.509 notAfter, or earlier once an expiry is announced. */
  expireTime: number
  /** From then on the certificate may sign answers nobody asked a certificate for. */
  signingFrom: number
  revokedAt?: number
}

export interface PartnerTrust {
  mode: KeyMode
  /** A request naming no key of the partner in Wechatpay-Serial is refused (400), not ignored. */
  strictSerial: boolean
  /** transition: the share of callback deliveries signed with the public key, in 1/10000. */
  callbackPublicKeyShare: number
  /** Oldest first. */
  certificates: readonly PlatformCertificate[]
}

/** Partners nobody configured: the sandbox's behaviour before key modes existed. */
export const DEFAULT_TRUST: PartnerTrust = Object.freeze({
  mode: 'public_key',
  strictSerial: false,
  callbackPublicKeyShare: 5000,
  certificates: Object.freeze([]),
})

export const FULL_SHARE = 10_000

export type KeyChoice = { kind: 'public_key' } | { kind: 'certificate'; serialNo: string }

const PUBLIC_KEY: KeyChoice = Object.freeze({ kind: 'public_key' })

export function isListed(c: PlatformCertificate, now: number): boolean {
  return c.revokedAt === undefined && now < c.expireTime
}

export function listedCertificates(t: PartnerTrust, now: number): PlatformCertificate[] {
  return t.certificates.filter((c) => isListed(c, now))
}

/**
 * The certificate that signs when nobody named one: of the listed ones the last activated; if
 * none is active yet, the one that activates first; if none is listed at all (every one expired
 * or revoked), the newest anyway — a client that kept only those must see its checks fail, as
 * it would against WeChat Pay.
 */
export function signingCertificate(t: PartnerTrust, now: number): PlatformCertificate | undefined {
  const listed = listedCertificates(t, now)
  let best: PlatformCertificate | undefined
  for (const c of listed) {
    if (c.signingFrom <= now && (!best || c.signingFrom >= best.signingFrom)) best = c
  }
  if (best) return best
  for (const c of listed) if (!best || c.signingFrom < best.signingFrom) best = c
  return best ?? t.certificates.at(-1)
}

function asChoice(c: PlatformCertificate | undefined): KeyChoice {
  return c ? { kind: 'certificate', serialNo: c.serialNo } : PUBLIC_KEY
}

/**
 * The key of one answer. `certificateDownload`: GET /v3/certificates, always signed by a listed
 * certificate when the partner has one, since downloaders verify it with what it lists.
 */
export function responseKey(
  t: PartnerTrust,
  p: { requestSerial?: string; publicKeyId: string; now: number; certificateDownload?: boolean },
): KeyChoice {
  if (t.mode === 'public_key' || t.certificates.length === 0) return PUBLIC_KEY
  if (t.mode === 'transition' && !p.certificateDownload && p.requestSerial === p.publicKeyId) {
    return PUBLIC_KEY
  }
  const named = t.certificates.find((c) => c.serialNo === p.requestSerial && isListed(c, p.now))
  return asChoice(named ?? signingCertificate(t, p.now))
}

/** Whether a request's Wechatpay-Serial names a key of this partner (the strict check). */
export function knowsSerial(
  t: PartnerTrust,
  serial: string,
  p: { publicKeyId: string; now: number },
): boolean {
  const viaPublicKey = t.mode !== 'certificate' && serial === p.publicKeyId
  const viaCertificate =
    t.mode !== 'public_key' &&
    t.certificates.some((c) => c.serialNo === serial && isListed(c, p.now))
  return viaPublicKey || viaCertificate
}

/** The key of one callback delivery; `draw` is uniform in [0, FULL_SHARE). */
export function callbackKey(t: PartnerTrust, now: number, draw: number): KeyChoice {
  if (t.mode === 'public_key' || t.certificates.length === 0) return PUBLIC_KEY
  if (t.mode === 'transition' && draw < t.callbackPublicKeyShare) return PUBLIC_KEY
  return asChoice(signingCertificate(t, now))
}
