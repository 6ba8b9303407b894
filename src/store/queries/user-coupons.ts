import type { UserCoupon } from '../../domain/user-coupon.ts'
import * as hot from '../hot-queries.ts'
import { stateAt, toUserCoupon, userCouponRow } from '../rows.ts'
import { StoreConflict, type UserCouponFilter } from '../store.ts'
import { Executor } from './executor.ts'

/** The coupons users hold: read, held for a transaction, written under a version check, listed. */
export class UserCouponQueries extends Executor {
  getUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined> {
    return userCoupon(this, stockId, couponCode, false)
  }

  lockUserCoupon(stockId: string, couponCode: string): Promise<UserCoupon | undefined> {
    return userCoupon(this, stockId, couponCode, this.dialect.rowLocks)
  }

  async countUserCoupons(stockId: string, openid: string): Promise<number> {
    const r = await this.db
      .selectFrom('user_coupons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('stock_id', '=', stockId)
      .where('openid', '=', openid)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async insertUserCoupon(c: UserCoupon): Promise<void> {
    await this.guardUnique(this.db.insertInto('user_coupons').values(userCouponRow(c)).execute())
  }

  async insertUserCoupons(coupons: readonly UserCoupon[]): Promise<void> {
    await this.insertMany('user_coupons', coupons.map(userCouponRow))
  }

  async updateUserCoupon(c: UserCoupon): Promise<void> {
    const values = hot.couponUpdateValues(userCouponRow(c), c.version - 1)
    const r = await hot.updateUserCoupon(this.db, this.dialect.name, ...values)
    if (Number(r.numAffectedRows) !== 1) throw new StoreConflict(`coupon ${c.couponCode} changed`)
  }

  async listUserCoupons(
    f: UserCouponFilter,
    page: { after?: number; limit: number },
  ): Promise<{ total: number; items: UserCoupon[] }> {
    let q = this.db
      .selectFrom('user_coupons')
      .where('mchid', '=', f.mchid)
      .where('brand_id', '=', f.brandId)
      .where('openid', '=', f.openid)
      .where('appid', '=', f.appid)
    if (f.productCouponId !== undefined) q = q.where('product_coupon_id', '=', f.productCouponId)
    if (f.stockId !== undefined) q = q.where('stock_id', '=', f.stockId)
    if (f.state !== undefined) {
      const state = f.state
      q = q.where((eb) => stateAt(eb, state, f.now))
    }
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    let items = q.selectAll()
    if (page.after !== undefined) items = items.where('issue_seq', '<', page.after)
    const rows = await items.orderBy('issue_seq', 'desc').limit(page.limit).execute()
    return { total: Number(n), items: rows.map(toUserCoupon) }
  }
}

async function userCoupon(
  x: Executor,
  stockId: string,
  couponCode: string,
  forUpdate: boolean,
): Promise<UserCoupon | undefined> {
  const q = forUpdate ? hot.selectUserCouponForUpdate : hot.selectUserCoupon
  const [r] = (await q(x.db, x.dialect.name, stockId, couponCode)).rows
  return r && toUserCoupon(r)
}
