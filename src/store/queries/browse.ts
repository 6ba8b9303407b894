import { sql } from 'kysely'
import type { ProductCoupon } from '../../domain/product-coupon.ts'
import type { UserCoupon } from '../../domain/user-coupon.ts'
import { stateAt, toProductCoupon, toUserCoupon } from '../rows.ts'
import type { CouponBrowse } from '../store.ts'
import { Executor } from './executor.ts'

/**
 * Reads across tenants for the sandbox console: what an operator browses, never on the WeChat
 * API's path (which always reads within one partner's and brand's scope).
 */
export class BrowseQueries extends Executor {
  async browseProductCoupons(p: { mchid?: string; limit: number }): Promise<ProductCoupon[]> {
    let q = this.db.selectFrom('product_coupons').selectAll()
    if (p.mchid !== undefined) q = q.where('mchid', '=', p.mchid)
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('product_coupon_id', 'desc')
      .limit(p.limit)
      .execute()
    return rows.map(toProductCoupon)
  }

  async browseUserCoupons(p: CouponBrowse): Promise<UserCoupon[]> {
    let q = this.db.selectFrom('user_coupons').selectAll()
    if (p.stockId !== undefined) q = q.where('stock_id', '=', p.stockId)
    if (p.openid !== undefined) q = q.where('openid', '=', p.openid)
    if (p.couponCode !== undefined) q = q.where('coupon_code', '=', p.couponCode)
    if (p.state !== undefined) {
      const state = p.state
      q = q.where((eb) => stateAt(eb, state, p.now))
    }
    if (p.before !== undefined) q = q.where('issue_seq', '<', p.before)
    const rows = await q.orderBy('issue_seq', 'desc').limit(p.limit).execute()
    return rows.map(toUserCoupon)
  }

  async stockIssueSpan(stockId: string): Promise<{ first: number; last: number; total: number }> {
    const r = await this.db
      .selectFrom('user_coupons')
      .select((eb) => [
        eb.fn.min('receive_time').as('first'),
        eb.fn.max('receive_time').as('last'),
        eb.fn.countAll().as('total'),
      ])
      .where('stock_id', '=', stockId)
      .executeTakeFirstOrThrow()
    return { first: Number(r.first ?? 0), last: Number(r.last ?? 0), total: Number(r.total) }
  }

  async stockIssueHistogram(
    stockId: string,
    bucketSeconds: number,
  ): Promise<{ start: number; count: number }[]> {
    const size = Math.max(1, Math.floor(bucketSeconds))
    const slot = sql<number>`(receive_time / ${sql.lit(size)}) * ${sql.lit(size)}`
    const rows = await this.db
      .selectFrom('user_coupons')
      .select((eb) => [slot.as('start'), eb.fn.countAll().as('count')])
      .where('stock_id', '=', stockId)
      .groupBy(slot)
      .orderBy(slot)
      .execute()
    return rows.map((r) => ({ start: Number(r.start), count: Number(r.count) }))
  }
}
