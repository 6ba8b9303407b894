import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ProductCoupon, Stock } from '../domain/product-coupon.ts'
import { issueCoupon, type UserCoupon } from '../domain/user-coupon.ts'
import { type Store, StoreConflict } from './store.ts'

/**
 * The behaviour every Store must have. Each implementation's test file calls this with a
 * factory for a fresh, empty store; a skip must name its reason.
 */
export function storeContract(
  name: string,
  open: () => Promise<Store>,
  skip: { reason: string; tests: string[] }[] = [],
): void {
  const skipped = new Map(skip.flatMap((s) => s.tests.map((t) => [t, s.reason] as const)))
  const it = (title: string, fn: () => Promise<void>) => {
    const reason = skipped.get(title)
    return reason ? test(title, { skip: reason }, fn) : test(title, fn)
  }

  describe(`store contract: ${name}`, () => {
    let store: Store
    before(async () => {
      store = await open()
      await store.migrate()
    })
    after(() => store.close())

    it('migrations can run again on a migrated store', async () => {
      await store.migrate()
    })

    it('sequences count from 1, independently per name', async () => {
      const a1 = await store.transaction((tx) => tx.nextSequence('contract-a'))
      const a2 = await store.transaction((tx) => tx.nextSequence('contract-a'))
      const b1 = await store.transaction((tx) => tx.nextSequence('contract-b'))
      assert.deepEqual([a1, a2, b1], [1, 2, 1])
    })

    it('tenants and their relations read back', async () => {
      await store.transaction(async (tx) => {
        await tx.insertPartner({ mchid: 'm-1', apiv3Key: 'k'.repeat(32) })
        await tx.insertPartnerCert({ mchid: 'm-1', serialNo: 'S1', publicKeyPem: 'PEM' })
        await tx.insertBrand('b-1')
        await tx.authorizeBrand('b-1', 'm-1')
        await tx.authorizeBrand('b-1', 'm-1')
        await tx.insertAppId({ appid: 'wx-1', mchid: 'm-1' })
        await tx.insertAppId({ appid: 'wx-2', brandId: 'b-1' })
        await tx.insertOpenId('wx-1', 'o-1')
      })
      const r = store.read
      assert.deepEqual(await r.getPartner('m-1'), { mchid: 'm-1', apiv3Key: 'k'.repeat(32) })
      assert.equal(await r.getPartner('m-2'), undefined)
      assert.deepEqual(await r.getPartnerCert('m-1', 'S1'), {
        mchid: 'm-1',
        serialNo: 'S1',
        publicKeyPem: 'PEM',
      })
      assert.equal(await r.getPartnerCert('m-1', 'S2'), undefined)
      assert.equal(await r.isBrandAuthorized('b-1', 'm-1'), true)
      assert.equal(await r.isBrandAuthorized('b-1', 'm-2'), false)
      assert.equal(await r.brandExists('b-1'), true)
      assert.deepEqual(await r.getAppId('wx-1'), { appid: 'wx-1', mchid: 'm-1' })
      assert.deepEqual(await r.getAppId('wx-2'), { appid: 'wx-2', brandId: 'b-1' })
      assert.equal(await r.hasOpenId('wx-1', 'o-1'), true)
      assert.equal(await r.hasOpenId('wx-2', 'o-1'), false)
    })

    it('product coupons, stocks and user coupons round-trip exactly', async () => {
      const { pc, stock, coupon } = sample('rt')
      await store.transaction(async (tx) => {
        await tx.insertProductCoupon(pc)
        await tx.insertStock(stock)
        await tx.insertUserCoupon(coupon)
      })
      assert.deepEqual(await store.read.getProductCoupon(pc.id), pc)
      assert.deepEqual(await store.read.getStock(stock.id), stock)
      assert.deepEqual(await store.read.getUserCoupon(stock.id, coupon.couponCode), coupon)
      assert.equal(await store.read.getUserCoupon('other-stock', coupon.couponCode), undefined)
      assert.equal(await store.read.countUserCoupons(stock.id, coupon.openid), 1)
      const updated: Stock = {
        ...stock,
        state: 'PAUSED',
        sentTotal: 7,
        sentToday: 3,
        sentDay: 20000,
      }
      await store.transaction((tx) => tx.updateStock(updated))
      assert.deepEqual(await store.read.getStock(stock.id), updated)
    })

    it('a coupon update from a stale version is refused and changes nothing', async () => {
      const { pc, stock, coupon } = sample('stale')
      await store.transaction(async (tx) => {
        await tx.insertProductCoupon(pc)
        await tx.insertStock(stock)
        await tx.insertUserCoupon(coupon)
      })
      const v2 = { ...coupon, state: 'EFFECTIVE' as const, version: 2 }
      await store.transaction((tx) => tx.updateUserCoupon(v2))
      const alsoV2 = { ...coupon, state: 'DEACTIVATED' as const, version: 2 }
      await assert.rejects(
        store.transaction((tx) => tx.updateUserCoupon(alsoV2)),
        StoreConflict,
      )
      assert.deepEqual(await store.read.getUserCoupon(stock.id, coupon.couponCode), v2)
    })

    it('an idempotency key can be taken once', async () => {
      const rec = {
        brandId: 'b',
        operation: 'return',
        requestNo: 'REQ-000001',
        fingerprint: 'f1',
        resourceId: 'x',
      }
      await store.transaction((tx) => tx.insertIdempotency(rec))
      await assert.rejects(
        store.transaction((tx) => tx.insertIdempotency({ ...rec, fingerprint: 'f2' })),
        StoreConflict,
      )
      assert.deepEqual(await store.read.getIdempotency('b', 'return', 'REQ-000001'), rec)
      assert.equal(await store.read.getIdempotency('b', 'use', 'REQ-000001'), undefined)
    })

    it('a failing transaction leaves nothing behind', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertBrand('b-rollback')
          await tx.setMeta('rollback', 'yes')
          throw new Error('boom')
        }),
        /boom/,
      )
      assert.equal(await store.read.brandExists('b-rollback'), false)
      assert.equal(await store.read.getMeta('rollback'), undefined)
    })

    it('a transaction that loses a race is run again', async () => {
      let runs = 0
      const result = await store.transaction(async (tx) => {
        runs++
        await tx.setMeta('retry', String(runs))
        if (runs === 1) throw new StoreConflict('simulated race')
        return runs
      })
      assert.equal(result, 2)
      assert.equal(await store.read.getMeta('retry'), '2')
    })

    it('user coupons list newest first, filtered by the state the clock implies', async () => {
      const { pc, stock } = sample('list')
      await store.transaction(async (tx) => {
        await tx.insertProductCoupon(pc)
        await tx.insertStock(stock)
        for (let i = 1; i <= 5; i++) {
          const c = issueCoupon({
            couponCode: `L${i}`,
            stockId: stock.id,
            productCouponId: pc.id,
            brandId: 'b-1',
            mchid: 'm-1',
            openid: 'o-list',
            appid: 'wx-1',
            sendRequestNo: `SEND-L${i}`,
            usageMode: 'SINGLE',
            // Coupons 1–2 end at 200, the rest at 1000.
            window: { begin: 100, end: i <= 2 ? 200 : 1000 },
            now: 100,
            issueSeq: 1000 + i,
          })
          await tx.insertUserCoupon(c)
        }
      })
      const f = { mchid: 'm-1', brandId: 'b-1', openid: 'o-list', appid: 'wx-1', now: 500 }
      const p1 = await store.read.listUserCoupons(f, { limit: 2 })
      assert.equal(p1.total, 5)
      assert.deepEqual(
        p1.items.map((c) => c.couponCode),
        ['L5', 'L4'],
      )
      const p2 = await store.read.listUserCoupons(f, {
        after: p1.items[1]?.issueSeq ?? 0,
        limit: 10,
      })
      assert.deepEqual(
        p2.items.map((c) => c.couponCode),
        ['L3', 'L2', 'L1'],
      )
      const expired = await store.read.listUserCoupons({ ...f, state: 'EXPIRED' }, { limit: 10 })
      assert.deepEqual(expired.items.map((c) => c.couponCode).sort(), ['L1', 'L2'])
      const confirming = await store.read.listUserCoupons(
        { ...f, state: 'CONFIRMING' },
        { limit: 10 },
      )
      assert.equal(confirming.total, 3)
      const other = await store.read.listUserCoupons({ ...f, mchid: 'm-2' }, { limit: 10 })
      assert.equal(other.total, 0, "another partner's coupons are not listed")
    })

    it('code pools: codes are added once and drawn once', async () => {
      const added = await store.transaction((tx) =>
        tx.insertCouponCodes('st-codes', ['A', 'B', 'C']),
      )
      assert.deepEqual(added, ['A', 'B', 'C'])
      const again = await store.transaction((tx) => tx.insertCouponCodes('st-codes', ['B', 'D']))
      assert.deepEqual(again, ['D'])
      const drawn = new Set<string>()
      for (let i = 0; i < 4; i++) {
        const code = await store.transaction((tx) => tx.takeCouponCode('st-codes', (n) => n - 1))
        assert.ok(code)
        drawn.add(code)
      }
      assert.deepEqual([...drawn].sort(), ['A', 'B', 'C', 'D'])
      assert.equal(
        await store.transaction((tx) => tx.takeCouponCode('st-codes', () => 0)),
        undefined,
      )
    })

    it('revoking, unbinding and resetting remove exactly what they name', async () => {
      await store.transaction(async (tx) => {
        await tx.insertBrand('b-rev')
        await tx.authorizeBrand('b-rev', 'm-1')
        await tx.insertAppId({ appid: 'wx-rev', mchid: 'm-1' })
      })
      await store.transaction(async (tx) => {
        await tx.revokeBrand('b-rev', 'm-1')
        await tx.deleteAppId('wx-rev')
      })
      assert.equal(await store.read.isBrandAuthorized('b-rev', 'm-1'), false)
      assert.equal(await store.read.brandExists('b-rev'), true)
      assert.equal(await store.read.getAppId('wx-rev'), undefined)
      await store.transaction((tx) => tx.deleteCouponData())
      assert.equal(await store.read.getProductCoupon('pc-rt'), undefined)
      assert.equal((await store.read.getPartner('m-1')) !== undefined, true, 'tenants stay')
    })

    it('bulk inserts read back as one-row inserts do, in any number of statements', async () => {
      const { pc, stock, coupon } = sample('bulk')
      await store.transaction(async (tx) => {
        await tx.insertProductCoupon(pc)
        await tx.insertStock(stock)
      })
      // More rows than one statement takes, so the chunking is exercised too.
      const coupons: UserCoupon[] = Array.from({ length: 1203 }, (_, i) => {
        const c = { ...coupon, couponCode: `B${i}`, openid: `o-bulk-${i % 7}`, issueSeq: 9000 + i }
        if (i % 2 === 0) return c
        const use = { requestNo: `USE-${i}`, time: 150, order: { transaction_id: `42${i}` } }
        return { ...c, state: 'USED', single: { used: true, use }, version: 3 }
      })
      const records = Array.from({ length: 2500 }, (_, i) => ({
        brandId: 'b-1',
        operation: 'send',
        requestNo: `BULK-${i}`,
        fingerprint: `f${i}`,
        resourceId: `${stock.id}/B${i}`,
        ...(i === 1 ? { snapshot: '{"kept":"as given"}' } : {}),
      }))
      const openids = Array.from({ length: 3000 }, (_, i) => `o-bulk-${i}`)
      const [first, last] = await store.transaction(async (tx) => {
        await tx.insertUserCoupons(coupons)
        await tx.insertIdempotencyRecords(records)
        await tx.insertOpenIds('wx-1', openids)
        return [await tx.nextSequence('contract-bulk'), await tx.nextSequence('contract-bulk', 500)]
      })
      assert.deepEqual(
        [first, last, await store.transaction((tx) => tx.nextSequence('contract-bulk'))],
        [1, 501, 502],
      )
      for (const i of [0, 1, 500, 1202]) {
        assert.deepEqual(await store.read.getUserCoupon(stock.id, `B${i}`), coupons[i])
      }
      for (const i of [0, 1, 2499]) {
        assert.deepEqual(await store.read.getIdempotency('b-1', 'send', `BULK-${i}`), records[i])
      }
      assert.equal(await store.read.hasOpenId('wx-1', 'o-bulk-2999'), true)
      const held = coupons.filter((c) => c.openid === 'o-bulk-3').length
      assert.equal(await store.read.countUserCoupons(stock.id, 'o-bulk-3'), held)
      const f = { mchid: 'm-1', brandId: 'b-1', openid: 'o-bulk-3', appid: 'wx-1', now: 120 }
      const used = await store.read.listUserCoupons({ ...f, state: 'USED' }, { limit: 1 })
      assert.equal(
        used.total,
        coupons.filter((c) => c.openid === 'o-bulk-3' && c.state === 'USED').length,
      )

      const clash = [{ ...coupon, couponCode: 'B-new' }, coupons[7] as UserCoupon]
      await assert.rejects(
        store.transaction((tx) => tx.insertUserCoupons(clash)),
        StoreConflict,
      )
      assert.equal(await store.read.getUserCoupon(stock.id, 'B-new'), undefined, 'all or nothing')
    })

    it('read-modify-write under lockStock loses no update, however many race', async () => {
      const { pc, stock } = sample('race')
      await store.transaction(async (tx) => {
        await tx.insertProductCoupon(pc)
        await tx.insertStock({ ...stock, sentTotal: 0 })
      })
      const seen = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const s = await tx.lockStock(stock.id)
            assert.ok(s)
            await new Promise((r) => setTimeout(r, 1))
            await tx.updateStock({ ...s, sentTotal: s.sentTotal + 1 })
            return s.sentTotal + 1
          }),
        ),
      )
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      )
      assert.equal((await store.read.getStock(stock.id))?.sentTotal, 20)
    })
  })
}

function sample(tag: string): { pc: ProductCoupon; stock: Stock; coupon: UserCoupon } {
  const pc: ProductCoupon = {
    id: `pc-${tag}`,
    brandId: 'b-1',
    mchid: 'm-1',
    state: 'EFFECTIVE',
    config: {
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'SINGLE',
      single_usage_info: { normal_coupon: { threshold: 10000, discount_amount: 1000 } },
      display_info: { name: '满100减10', image_url: 'https://a/i', background_url: 'https://a/b' },
    },
    createdAt: 1,
  }
  const stock: Stock = {
    id: `st-${tag}`,
    productCouponId: pc.id,
    brandId: 'b-1',
    mchid: 'm-1',
    state: 'SENDING',
    config: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 10 },
      single_usage_rule: {
        coupon_available_period: {
          available_begin_time: '2025-01-01T00:00:00+08:00',
          available_end_time: '2025-10-01T00:00:00+08:00',
        },
      },
      usage_rule_display_info: { coupon_usage_method_list: ['OFFLINE'], usage_description: '全场' },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: 'wx-1' },
      store_scope: 'NONE',
    },
    sentTotal: 1,
    sentToday: 1,
    sentDay: 20100,
    createdAt: 1,
  }
  const coupon = issueCoupon({
    couponCode: `code-${tag}`,
    stockId: stock.id,
    productCouponId: pc.id,
    brandId: 'b-1',
    mchid: 'm-1',
    openid: 'o-1',
    appid: 'wx-1',
    sendRequestNo: 'SEND-000001',
    attach: '附加',
    usageMode: 'SINGLE',
    window: { begin: 100, end: 200 },
    now: 100,
    issueSeq: 7,
  })
  return { pc, stock, coupon }
}
