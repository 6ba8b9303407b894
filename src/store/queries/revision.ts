import { nowSeconds } from '../rows.ts'
import type { BrandStore, PreSendTokenRecord, UserCouponBundleRecord } from '../store.ts'
import { Executor } from './executor.ts'

/** What the 2025-11 revision adds: user coupon bundles, brand stores and pre-send tokens. */
export class RevisionQueries extends Executor {
  async getUserCouponBundle(id: string): Promise<UserCouponBundleRecord | undefined> {
    const r = await this.db
      .selectFrom('user_coupon_bundles')
      .selectAll()
      .where('bundle_id', '=', id)
      .executeTakeFirst()
    return (
      r && {
        id: r.bundle_id,
        mchid: r.mchid,
        brandId: r.brand_id,
        openid: r.openid,
        appid: r.appid,
        productCouponId: r.product_coupon_id,
        stockBundleId: r.stock_bundle_id,
        coupons: JSON.parse(r.doc) as UserCouponBundleRecord['coupons'],
        createdAt: Number(r.created_at),
      }
    )
  }

  async insertUserCouponBundle(b: UserCouponBundleRecord): Promise<void> {
    await this.guardUnique(
      this.db
        .insertInto('user_coupon_bundles')
        .values({
          bundle_id: b.id,
          mchid: b.mchid,
          brand_id: b.brandId,
          openid: b.openid,
          appid: b.appid,
          product_coupon_id: b.productCouponId,
          stock_bundle_id: b.stockBundleId,
          doc: JSON.stringify(b.coupons),
          created_at: b.createdAt,
        })
        .execute(),
    )
  }

  async getBrandStore(storeId: string): Promise<BrandStore | undefined> {
    const r = await this.db
      .selectFrom('brand_stores')
      .selectAll()
      .where('store_id', '=', storeId)
      .executeTakeFirst()
    return r && { storeId: r.store_id, brandId: r.brand_id, open: Number(r.open) === 1 }
  }

  async insertBrandStore(s: BrandStore): Promise<void> {
    await this.guardUnique(
      this.db
        .insertInto('brand_stores')
        .values({
          store_id: s.storeId,
          brand_id: s.brandId,
          open: s.open ? 1 : 0,
          created_at: nowSeconds(),
        })
        .execute(),
    )
  }

  async getPreSendToken(token: string): Promise<PreSendTokenRecord | undefined> {
    const r = await this.db
      .selectFrom('pre_send_tokens')
      .selectAll()
      .where('token', '=', token)
      .executeTakeFirst()
    if (!r) return undefined
    const rec: PreSendTokenRecord = {
      token: r.token,
      mchid: r.mchid,
      brandId: r.brand_id,
      expiresAt: Number(r.expires_at),
      request: JSON.parse(r.doc) as PreSendTokenRecord['request'],
    }
    if (r.claimed !== null) rec.claimed = r.claimed
    return rec
  }

  async insertPreSendToken(t: PreSendTokenRecord): Promise<void> {
    await this.guardUnique(
      this.db
        .insertInto('pre_send_tokens')
        .values({
          token: t.token,
          mchid: t.mchid,
          brand_id: t.brandId,
          expires_at: t.expiresAt,
          claimed: t.claimed ?? null,
          doc: JSON.stringify(t.request),
          created_at: nowSeconds(),
        })
        .execute(),
    )
  }

  async claimPreSendToken(token: string, claimed: string): Promise<boolean> {
    const r = await this.db
      .updateTable('pre_send_tokens')
      .set({ claimed })
      .where('token', '=', token)
      .where('claimed', 'is', null)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }
}
