import type { Revision } from '@wxcoupon/sdk/schemas'
import * as hot from '../hot-queries.ts'
import { nowSeconds } from '../rows.ts'
import type {
  AppIdBinding,
  BrandDirectRecord,
  BrandRecord,
  Partner,
  PartnerCert,
  PlatformKey,
  UserScope,
} from '../store.ts'
import { Executor } from './executor.ts'

/** Tenants: the platform key, partners and their certificates, brands, AppIDs and OpenIDs. */
export class TenantQueries extends Executor {
  async getPlatformKey(): Promise<PlatformKey | undefined> {
    const r = await this.db
      .selectFrom('platform_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return (
      r && { keyId: r.key_id, privateKeyPem: r.private_key_pem, publicKeyPem: r.public_key_pem }
    )
  }

  async insertPlatformKey(key: PlatformKey): Promise<void> {
    await this.db
      .insertInto('platform_keys')
      .values({
        key_id: key.keyId,
        private_key_pem: key.privateKeyPem,
        public_key_pem: key.publicKeyPem,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async getPartner(mchid: string): Promise<Partner | undefined> {
    const [r] = (await hot.selectPartner(this.db, this.dialect.name, mchid)).rows
    return r && partner(r)
  }

  async insertPartner(p: Partner): Promise<void> {
    await this.db
      .insertInto('partners')
      .values({
        mchid: p.mchid,
        apiv3_key: p.apiv3Key,
        revision: p.revision ?? '2025-08',
        created_at: nowSeconds(),
      })
      .execute()
  }

  async setPartnerRevision(mchid: string, revision: Revision): Promise<void> {
    await this.db.updateTable('partners').set({ revision }).where('mchid', '=', mchid).execute()
  }

  async listPartners(): Promise<(Partner & { serialNos: string[] })[]> {
    const partners = await this.db.selectFrom('partners').selectAll().orderBy('mchid').execute()
    const certs = await this.db.selectFrom('partner_certs').select(['mchid', 'serial_no']).execute()
    return partners.map((p) => ({
      ...partner(p),
      serialNos: certs.filter((c) => c.mchid === p.mchid).map((c) => c.serial_no),
    }))
  }

  async getBrandDirect(brandId: string): Promise<BrandDirectRecord | undefined> {
    const r = await this.db
      .selectFrom('brand_direct')
      .selectAll()
      .where('brand_id', '=', brandId)
      .executeTakeFirst()
    return r && brandDirectOf(r)
  }

  async getBrandDirectByMchid(mchid: string): Promise<BrandDirectRecord | undefined> {
    const r = await this.db
      .selectFrom('brand_direct')
      .selectAll()
      .where('mchid', '=', mchid)
      .executeTakeFirst()
    return r && brandDirectOf(r)
  }

  async insertBrandDirect(b: BrandDirectRecord): Promise<void> {
    await this.db
      .insertInto('brand_direct')
      .values({
        brand_id: b.brandId,
        mchid: b.mchid,
        public_key_id: b.publicKeyId,
        private_key_pem: b.privateKeyPem,
        public_key_pem: b.publicKeyPem,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async getPartnerCert(mchid: string, serialNo: string): Promise<PartnerCert | undefined> {
    const [r] = (await hot.selectPartnerCert(this.db, this.dialect.name, mchid, serialNo)).rows
    return r && { mchid: r.mchid, serialNo: r.serial_no, publicKeyPem: r.public_key_pem }
  }

  async insertPartnerCert(c: PartnerCert): Promise<void> {
    await this.db
      .insertInto('partner_certs')
      .values({
        mchid: c.mchid,
        serial_no: c.serialNo,
        public_key_pem: c.publicKeyPem,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async brandExists(brandId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('brands')
      .select('brand_id')
      .where('brand_id', '=', brandId)
      .executeTakeFirst()
    return r !== undefined
  }

  async insertBrand(brandId: string): Promise<void> {
    await this.db
      .insertInto('brands')
      .values({ brand_id: brandId, created_at: nowSeconds() })
      .execute()
  }

  async listBrands(): Promise<BrandRecord[]> {
    const brands = await this.db
      .selectFrom('brands')
      .select('brand_id')
      .orderBy('brand_id')
      .execute()
    const links = await this.db.selectFrom('brand_partners').selectAll().orderBy('mchid').execute()
    return brands.map((b) => ({
      brandId: b.brand_id,
      mchids: links.filter((l) => l.brand_id === b.brand_id).map((l) => l.mchid),
    }))
  }

  async isBrandAuthorized(brandId: string, mchid: string): Promise<boolean> {
    const { rows } = await hot.selectBrandPartner(this.db, this.dialect.name, brandId, mchid)
    return rows.length > 0
  }

  async authorizeBrand(brandId: string, mchid: string): Promise<void> {
    await this.db
      .insertInto('brand_partners')
      .values({ brand_id: brandId, mchid })
      .onConflict((oc) => oc.columns(['brand_id', 'mchid']).doNothing())
      .execute()
  }

  async revokeBrand(brandId: string, mchid: string): Promise<void> {
    await this.db
      .deleteFrom('brand_partners')
      .where('brand_id', '=', brandId)
      .where('mchid', '=', mchid)
      .execute()
  }

  async getAppId(appid: string): Promise<AppIdBinding | undefined> {
    const [r] = (await hot.selectAppId(this.db, this.dialect.name, appid)).rows
    if (!r) return undefined
    const b: AppIdBinding = { appid: r.appid }
    if (r.mchid !== null) b.mchid = r.mchid
    if (r.brand_id !== null) b.brandId = r.brand_id
    return b
  }

  async insertAppId(b: AppIdBinding): Promise<void> {
    await this.db
      .insertInto('appids')
      .values({
        appid: b.appid,
        mchid: b.mchid ?? null,
        brand_id: b.brandId ?? null,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async listAppIds(): Promise<AppIdBinding[]> {
    const rows = await this.db.selectFrom('appids').selectAll().orderBy('created_at').execute()
    return rows.map((r) => ({
      appid: r.appid,
      ...(r.mchid === null ? {} : { mchid: r.mchid }),
      ...(r.brand_id === null ? {} : { brandId: r.brand_id }),
    }))
  }

  async deleteAppId(appid: string): Promise<void> {
    await this.db.deleteFrom('appids').where('appid', '=', appid).execute()
  }

  async getUserScope(s: {
    brandId: string
    mchid: string
    appid: string
    openid: string
  }): Promise<UserScope> {
    const [r] = (
      await hot.selectUserScope(this.db, this.dialect.name, s.brandId, s.mchid, s.appid, s.openid)
    ).rows
    // SQLite answers 0/1, PostgreSQL booleans.
    return {
      brandAuthorized: Boolean(r?.brand),
      appidMchid: r?.appid_mchid ?? undefined,
      openidKnown: Boolean(r?.openid),
    }
  }

  async hasOpenId(appid: string, openid: string): Promise<boolean> {
    const { rows } = await hot.selectOpenId(this.db, this.dialect.name, appid, openid)
    return rows.length > 0
  }

  async insertOpenId(appid: string, openid: string): Promise<void> {
    await this.db
      .insertInto('openids')
      .values({ appid, openid, created_at: nowSeconds() })
      .execute()
  }

  async insertOpenIds(appid: string, openids: readonly string[]): Promise<void> {
    const t = nowSeconds()
    await this.insertMany(
      'openids',
      openids.map((openid) => ({ appid, openid, created_at: t })),
    )
  }
}

function brandDirectOf(r: {
  brand_id: string
  mchid: string
  public_key_id: string
  private_key_pem: string
  public_key_pem: string
}): BrandDirectRecord {
  return {
    brandId: r.brand_id,
    mchid: r.mchid,
    publicKeyId: r.public_key_id,
    privateKeyPem: r.private_key_pem,
    publicKeyPem: r.public_key_pem,
  }
}

/** A partner row; the revision only when it is not the default 2025-08 (absent means that). */
function partner(r: { mchid: string; apiv3_key: string; revision: string }): Partner {
  const p: Partner = { mchid: r.mchid, apiv3Key: r.apiv3_key }
  if (r.revision !== '2025-08') p.revision = r.revision as Revision
  return p
}
