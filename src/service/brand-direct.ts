import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import { generateApiV3Key, randomSerialNo } from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import type { BrandDirectRecord, Store, StoreReader, StoreTx } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'
import { followRevision } from './follow-revision.ts'
import { newAppId, newMchid, newOpenId, randomDigits } from './ids.ts'
import { generateRsaKeyPairAsync, type RsaKeyPair } from './pki/sandbox-ca.ts'

/**
 * Brand-direct tenants (品牌直连). A brand that integrates itself gets a partner row of its own
 * (never one a partner-scheme signature is accepted for): the brand API certificate is its
 * certificate, the brand API key its APIv3 key, and every object it creates is owned by it,
 * so partner- and brand-created objects never see each other (creator-scoped, the default of
 * the spec). Its WeChat Pay public key pair signs its answers and callbacks. As for partners,
 * the brand API private key is handed out once and not kept (the bootstrap brand's excepted).
 */
export interface BrandDirectCredentials {
  brand_id: string
  serial_no: string
  private_key_pem: string
  api_key: string
  public_key_id: string
  public_key_pem: string
}

export interface BrandDirectTenant extends BrandDirectCredentials {
  /** An AppID bound to the brand's own tenant, and a user under it. */
  appid: string
  openid: string
}

async function addBrandDirect(
  tx: StoreTx,
  random: RandomBytes,
  brandId: string,
  keys: { api: RsaKeyPair; wechatpay: RsaKeyPair },
  revision: Revision,
): Promise<BrandDirectTenant> {
  const mchid = await newMchid(tx)
  const serialNo = randomSerialNo(random)
  const apiKey = generateApiV3Key(random)
  // A brand calls under the revision of its own partner row, as a partner does.
  await tx.insertPartner({ mchid, apiv3Key: apiKey, revision })
  await tx.insertPartnerCert({ mchid, serialNo, publicKeyPem: keys.api.publicKeyPem })
  await tx.authorizeBrand(brandId, mchid)
  const record: BrandDirectRecord = {
    brandId,
    mchid,
    publicKeyId: `PUB_KEY_ID_${randomDigits(random, 32)}`,
    privateKeyPem: keys.wechatpay.privateKeyPem,
    publicKeyPem: keys.wechatpay.publicKeyPem,
  }
  await tx.insertBrandDirect(record)
  const appid = newAppId(random)
  await tx.insertAppId({ appid, mchid, brandId })
  const openid = newOpenId(random)
  await tx.insertOpenId(appid, openid)
  return {
    brand_id: brandId,
    serial_no: serialNo,
    private_key_pem: keys.api.privateKeyPem,
    api_key: apiKey,
    public_key_id: record.publicKeyId,
    public_key_pem: record.publicKeyPem,
    appid,
    openid,
  }
}

async function keyPairs(): Promise<{ api: RsaKeyPair; wechatpay: RsaKeyPair }> {
  const [api, wechatpay] = await Promise.all([generateRsaKeyPairAsync(), generateRsaKeyPairAsync()])
  return { api, wechatpay }
}

/** Sandbox control: brand-direct credentials for an existing brand, once (409 after). */
export async function createBrandDirect(
  deps: ServiceDeps,
  brandId: string,
  revision: Revision = deps.settings.revision,
): Promise<BrandDirectCredentials> {
  const keys = await keyPairs()
  const t = await deps.store.transaction(async (tx) => {
    await tx.lockNamed(`wxcoupon-brand-direct-${brandId}`)
    if (!(await tx.brandExists(brandId))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: 'brand_id',
        value: brandId,
        issue: 'no such brand',
      })
    }
    if (await tx.getBrandDirect(brandId)) {
      throw wxError('SANDBOX_CONFLICT', {
        field: 'brand_id',
        value: brandId,
        issue: 'the brand has direct credentials already; they are handed out once',
      })
    }
    return addBrandDirect(tx, deps.random, brandId, keys, revision)
  })
  return {
    brand_id: t.brand_id,
    serial_no: t.serial_no,
    private_key_pem: t.private_key_pem,
    api_key: t.api_key,
    public_key_id: t.public_key_id,
    public_key_pem: t.public_key_pem,
  }
}

const BOOTSTRAP = 'bootstrap_brand_direct'

/**
 * The bootstrap brand's direct tenant, made on the first start of a version that has it (a data
 * dir made earlier gets one then), kept whole (private key included) so every instance writes
 * the same sandbox.json. Under the bootstrap lock, so racing instances agree on one.
 */
export async function bootstrapBrandDirect(
  store: Store,
  random: RandomBytes,
  brandId: string,
  revision: Revision = '2025-08',
): Promise<BrandDirectTenant> {
  const done = await store.read.getMeta(BOOTSTRAP)
  if (done) {
    const tenant = JSON.parse(done) as BrandDirectTenant
    // Like the bootstrap partner, the bootstrap brand follows the `revision` setting while it
    // has created nothing.
    const mchid = (await store.read.getBrandDirect(tenant.brand_id))?.mchid
    if (mchid) {
      await store.transaction(async (tx) => {
        await tx.lockNamed('wxcoupon-bootstrap')
        await followRevision(tx, mchid, revision)
      })
    }
    return tenant
  }
  const keys = await keyPairs()
  return store.transaction(async (tx) => {
    await tx.lockNamed('wxcoupon-bootstrap')
    const raced = await tx.getMeta(BOOTSTRAP)
    if (raced) return JSON.parse(raced) as BrandDirectTenant
    const tenant = await addBrandDirect(tx, random, brandId, keys, revision)
    await tx.setMeta(BOOTSTRAP, JSON.stringify(tenant))
    return tenant
  })
}

/**
 * Whether a partner row serves a brand directly. Fixed when the row is made (both are
 * written in one transaction), so answers, absent ones too, are kept for the process's life.
 */
export class BrandDirectIndex {
  readonly #byMchid = new Map<string, BrandDirectRecord | null>()
  readonly #byBrand = new Map<string, BrandDirectRecord>()

  async ofMchid(db: StoreReader, mchid: string): Promise<BrandDirectRecord | undefined> {
    const known = this.#byMchid.get(mchid)
    if (known !== undefined) return known ?? undefined
    const r = await db.getBrandDirectByMchid(mchid)
    // A partner row that does not exist yet may still become anything: only existing ones are kept.
    if (r || (await db.getPartner(mchid))) this.#byMchid.set(mchid, r ?? null)
    return r
  }

  async ofBrand(db: StoreReader, brandId: string): Promise<BrandDirectRecord | undefined> {
    const known = this.#byBrand.get(brandId)
    if (known) return known
    const r = await db.getBrandDirect(brandId)
    if (r) {
      this.#byBrand.set(brandId, r)
      this.#byMchid.set(r.mchid, r)
    }
    return r
  }
}

const indexes = new WeakMap<object, BrandDirectIndex>()

/** One index per store, so every layer of one server shares it. */
export function brandDirectIndex(store: Store): BrandDirectIndex {
  let i = indexes.get(store)
  if (!i) {
    i = new BrandDirectIndex()
    indexes.set(store, i)
  }
  return i
}
