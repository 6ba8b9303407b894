import { createPrivateKey } from 'node:crypto'
import {
  BRAND_PUBLIC_KEY_ID,
  parseBrandAuthorization,
  TIMESTAMP_TOLERANCE_SECONDS,
} from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { type BrandDirectIndex, brandDirectIndex } from '../service/brand-direct.ts'
import type { Caller } from '../service/context.ts'
import type { SigningKey } from '../service/platform-keys.ts'
import type { Store } from '../store/store.ts'
import { certKeys, checkRequestTime, type SignedRequest, verifyRequest } from './authenticate.ts'

/**
 * Verification of a /brand/… request (WECHATPAY-BRAND-SHA256-RSA2048). The partner order —
 * header format and scheme → timestamp → brand and serial → signature — then the mandatory
 * Wechatpay-Serial, which must name the brand's WeChat Pay public key: checked after the
 * signature, so only an authenticated brand learns which id is its own. Same 401 SIGN_ERROR
 * family as partner mode (the signature's detail shows the message verified); the serial
 * failures are 400 INVALID_REQUEST.
 */
export interface BrandAuthentication {
  caller: Caller
  /** The brand's WeChat Pay key: it signs this answer. */
  signingKey: SigningKey
}

export interface BrandAuthenticator {
  /** `signingKey` is set as soon as the brand is known, so even its 400s are signed by it. */
  authenticate(
    req: SignedRequest & { serial: string | undefined },
    known: (key: SigningKey) => void,
  ): Promise<BrandAuthentication>
}

export function createBrandAuthenticator(p: {
  store: Store
  realNowSeconds: () => number
  toleranceSeconds?: number
  index?: BrandDirectIndex
}): BrandAuthenticator {
  const tolerance = p.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS
  const index = p.index ?? brandDirectIndex(p.store)
  const certKey = certKeys(p.store.read)
  const signing = new Map<string, SigningKey>()
  // The brand's revision is its own partner row's, fixed while the server runs.
  const revisions = new Map<string, Revision>()

  async function revisionOf(mchid: string): Promise<Revision> {
    const known = revisions.get(mchid)
    if (known) return known
    const revision = (await p.store.read.getPartner(mchid))?.revision ?? '2025-08'
    revisions.set(mchid, revision)
    return revision
  }

  return {
    async authenticate(req, known) {
      const parsed = parseBrandAuthorization(req.authorization)
      if (!parsed.ok) {
        const detail = { field: 'Authorization', issue: parsed.reason, location: 'header' } as const
        throw wxError(
          parsed.reason === 'scheme' ? 'SIGN_ERROR_SCHEME' : 'SIGN_ERROR_FORMAT',
          parsed.reason === 'scheme'
            ? { ...detail, issue: 'brand paths take WECHATPAY-BRAND-SHA256-RSA2048 with brand_id' }
            : detail,
        )
      }
      const a = parsed.value
      checkRequestTime(a.timestamp, p.realNowSeconds(), tolerance)
      const brand = await index.ofBrand(p.store.read, a.brandId)
      if (!brand) throw wxError('SIGN_ERROR_BRAND')
      let key = signing.get(brand.brandId)
      if (!key) {
        key = { keyId: brand.publicKeyId, privateKey: createPrivateKey(brand.privateKeyPem) }
        signing.set(brand.brandId, key)
      }
      known(key)
      const cert = await certKey(brand.mchid, a.serialNo)
      if (!cert) throw wxError('SIGN_ERROR_SERIAL')
      verifyRequest(req, a, cert)
      const serial = req.serial
      const where = { field: 'Wechatpay-Serial', location: 'header' } as const
      if (serial === undefined || serial === '') throw wxError('BRAND_SERIAL_MISSING', where)
      if (!BRAND_PUBLIC_KEY_ID.test(serial)) {
        throw wxError('BRAND_SERIAL_FORMAT', { ...where, issue: 'PUB_KEY_ID_ and 32 digits' })
      }
      if (serial !== brand.publicKeyId) {
        throw wxError('BRAND_SERIAL_MISMATCH', {
          ...where,
          issue: 'not the WeChat Pay public key id of the signing brand',
        })
      }
      const revision = await revisionOf(brand.mchid)
      const caller: Caller = { mchid: brand.mchid, brandDirect: brand.brandId }
      return { caller: revision === '2025-08' ? caller : { ...caller, revision }, signingKey: key }
    },
  }
}
