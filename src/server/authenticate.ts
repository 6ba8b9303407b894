import { createPublicKey, type KeyObject } from 'node:crypto'
import {
  buildRequestMessage,
  checkTimestamp,
  parseAuthorization,
  signInformation,
  TIMESTAMP_TOLERANCE_SECONDS,
  verifySha256WithRsa,
} from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import type { Caller } from '../service/context.ts'
import type { StoreReader } from '../store/store.ts'

/**
 * Server-side verification of an APIv3 request (protocol §3); the first failure wins and every
 * failure is 401 SIGN_ERROR with a message of its own. The order is the real service's
 * (research §2): header format → scheme → timestamp → mchid and serial → signature — the
 * clock before anything is looked up, as WeChat Pay answers a stale request before it reads
 * the signature. A failed signature's detail shows the message the server verified
 * (sign_information). It runs on the raw request-target and the raw body bytes, before
 * anything parses the body.
 */
export interface SignedRequest {
  method: string
  /** The request-target exactly as received (path + query, still percent-encoded). */
  url: string
  authorization: string | undefined
  body: Buffer
}

export interface Authenticator {
  authenticate(req: SignedRequest): Promise<Caller>
}

export function createAuthenticator(p: {
  store: StoreReader
  /** Real time in seconds: the timestamp window never follows the sandbox clock. */
  realNowSeconds: () => number
  toleranceSeconds?: number
}): Authenticator {
  const tolerance = p.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS
  const certKey = certKeys(p.store)
  // A partner's revision is fixed at its creation, so it is kept with it.
  const partners = new Map<string, Revision>()

  async function partnerRevision(mchid: string): Promise<Revision | undefined> {
    const known = partners.get(mchid)
    if (known) return known
    const partner = await p.store.getPartner(mchid)
    if (!partner) return undefined
    // The partner row of a brand-direct tenant is signed for only under the brand scheme.
    if (await p.store.getBrandDirectByMchid(mchid)) return undefined
    const revision = partner.revision ?? '2025-08'
    partners.set(mchid, revision)
    return revision
  }

  return {
    async authenticate(req) {
      const parsed = parseAuthorization(req.authorization)
      if (!parsed.ok) {
        const detail = { field: 'Authorization', issue: parsed.reason, location: 'header' } as const
        throw wxError(
          parsed.reason === 'scheme' ? 'SIGN_ERROR_SCHEME' : 'SIGN_ERROR_FORMAT',
          detail,
        )
      }
      const a = parsed.value
      checkRequestTime(a.timestamp, p.realNowSeconds(), tolerance)
      const revision = await partnerRevision(a.mchid)
      if (!revision) throw wxError('SIGN_ERROR_MCHID')
      const key = await certKey(a.mchid, a.serialNo)
      if (!key) throw wxError('SIGN_ERROR_SERIAL')
      verifyRequest(req, a, key)
      return revision === '2025-08' ? { mchid: a.mchid } : { mchid: a.mchid, revision }
    },
  }
}

/** Partners' API certificate keys by serial; never deleted, so positive lookups are kept. */
export function certKeys(
  store: StoreReader,
): (mchid: string, serialNo: string) => Promise<KeyObject | undefined> {
  const keys = new Map<string, KeyObject>()
  return async (mchid, serialNo) => {
    const id = `${mchid}\n${serialNo}`
    const cached = keys.get(id)
    if (cached) return cached
    const cert = await store.getPartnerCert(mchid, serialNo)
    if (!cert) return undefined
    const key = createPublicKey(cert.publicKeyPem)
    keys.set(id, key)
    return key
  }
}

/** The request timestamp against real time, the server's time named in the failure. */
export function checkRequestTime(timestamp: string, now: number, tolerance: number): void {
  if (checkTimestamp('request', timestamp, now, tolerance) !== 'ok') {
    throw wxError('SIGN_ERROR_TIMESTAMP', {
      field: 'timestamp',
      issue: `the server's time is ${now}; the timestamp must be within ${tolerance} s of it`,
      location: 'authorization',
    })
  }
}

/** The signature over the five-line message; a failure shows the message verified. */
export function verifyRequest(
  req: SignedRequest,
  a: { timestamp: string; nonceStr: string; signature: string },
  key: KeyObject,
): void {
  const signed = {
    method: req.method,
    url: req.url,
    timestamp: a.timestamp,
    nonce: a.nonceStr,
    body: req.body,
  }
  if (!verifySha256WithRsa(buildRequestMessage(signed), a.signature, key)) {
    throw wxError('SIGN_ERROR_SIGNATURE', {
      issue: 'sign not match',
      signInformation: signInformation(signed),
    })
  }
}
