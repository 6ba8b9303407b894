import type { ProductCoupon, Stock } from '../../domain/product-coupon.ts'
import * as hot from '../hot-queries.ts'
import { nowSeconds, productCouponRow, stockRow, toProductCoupon, toStock } from '../rows.ts'
import { StoreConflict } from '../store.ts'
import { Executor } from './executor.ts'

/** Product coupons and their stocks, with the code pools of UPLOAD stocks. */
export class ProductCouponQueries extends Executor {
  async getProductCoupon(id: string): Promise<ProductCoupon | undefined> {
    const [r] = (await hot.selectProductCoupon(this.db, this.dialect.name, id)).rows
    return r && toProductCoupon(r)
  }

  async insertProductCoupon(pc: ProductCoupon): Promise<void> {
    await this.db.insertInto('product_coupons').values(productCouponRow(pc)).execute()
  }

  async updateProductCoupon(pc: ProductCoupon): Promise<void> {
    const { product_coupon_id, created_at: _c, ...row } = productCouponRow(pc)
    await this.db
      .updateTable('product_coupons')
      .set(row)
      .where('product_coupon_id', '=', product_coupon_id)
      .execute()
  }

  getStock(id: string): Promise<Stock | undefined> {
    return stock(this, id, false)
  }

  lockStock(id: string): Promise<Stock | undefined> {
    return stock(this, id, this.dialect.rowLocks)
  }

  async insertStock(s: Stock): Promise<void> {
    await this.db.insertInto('stocks').values(stockRow(s)).execute()
  }

  async updateStock(s: Stock): Promise<void> {
    const { stock_id, created_at: _c, ...row } = stockRow(s)
    await this.db.updateTable('stocks').set(row).where('stock_id', '=', stock_id).execute()
  }

  async listStocks(productCouponId: string): Promise<Stock[]> {
    const rows = await this.db
      .selectFrom('stocks')
      .selectAll()
      .where('product_coupon_id', '=', productCouponId)
      .orderBy('stock_id')
      .execute()
    return rows.map(toStock)
  }

  async insertCouponCodes(stockId: string, codes: string[]): Promise<string[]> {
    const added: string[] = []
    const t = nowSeconds()
    for (const code of codes) {
      const r = await this.db
        .insertInto('coupon_codes')
        .values({ stock_id: stockId, code, used: 0, created_at: t })
        .onConflict((oc) => oc.columns(['stock_id', 'code']).doNothing())
        .executeTakeFirst()
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) added.push(code)
    }
    return added
  }

  async takeCouponCode(
    stockId: string,
    pick: (available: number) => number,
  ): Promise<string | undefined> {
    const available = this.db
      .selectFrom('coupon_codes')
      .where('stock_id', '=', stockId)
      .where('used', '=', 0)
    const { n } = await available
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    if (Number(n) === 0) return undefined
    let q = available
      .select('code')
      .orderBy('code')
      .limit(1)
      .offset(pick(Number(n)))
    if (this.dialect.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (!row) return undefined
    const r = await this.db
      .updateTable('coupon_codes')
      .set({ used: 1 })
      .where('stock_id', '=', stockId)
      .where('code', '=', row.code)
      .where('used', '=', 0)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw new StoreConflict(`code ${row.code} taken`)
    return row.code
  }
}

async function stock(x: Executor, id: string, forUpdate: boolean): Promise<Stock | undefined> {
  const q = forUpdate ? hot.selectStockForUpdate : hot.selectStock
  const [r] = (await q(x.db, x.dialect.name, id)).rows
  return r && toStock(r)
}
