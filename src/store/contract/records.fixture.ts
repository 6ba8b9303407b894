import assert from 'node:assert/strict'
import type { Stock } from '../../domain/product-coupon.ts'
import { issueCoupon, type UserCoupon } from '../../domain/user-coupon.ts'
import { StoreConflict } from '../store.ts'
import { sample } from './sample.fixture.ts'
import type { ContractTest } from './suite.fixture.ts'

/**
 * Records: what is written reads back exactly, keys are taken once, a transaction commits
 * whole or not at all. The tests run in order on one store and build on each other's rows.
 */
export function recordsContract(it: ContractTest): void {
  it('migrations can run again on a migrated store', async (store) => {
    await store.migrate()
  })

  it('sequences count from 1, independently per name', async (store) => {
    const a1 = await store.transaction((tx) => tx.nextSequence('contract-a'))
    const a2 = await store.transaction((tx) => tx.nextSequence('contract-a'))
    const b1 = await store.transaction((tx) => tx.nextSequence('contract-b'))
    assert.deepEqual([a1, a2, b1], [1, 2, 1])
  })

  it('tenants and their relations read back', async (store) => {
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
    // The three checks in one statement answer as the three reads do.
    const scope = (brandId: string, mchid: string, appid: string, openid: string) =>
      r.getUserScope({ brandId, mchid, appid, openid })
    assert.deepEqual(await scope('b-1', 'm-1', 'wx-1', 'o-1'), {
      brandAuthorized: true,
      appidMchid: 'm-1',
      openidKnown: true,
    })
    assert.deepEqual(await scope('b-1', 'm-2', 'wx-2', 'o-1'), {
      brandAuthorized: false,
      appidMchid: undefined,
      openidKnown: false,
    })
    assert.deepEqual(await scope('b-9', 'm-1', 'wx-9', 'o-9'), {
      brandAuthorized: false,
      appidMchid: undefined,
      openidKnown: false,
    })
  })

  it('a brand-direct tenant reads back by brand and by its partner row, once', async (store) => {
    const rec = {
      brandId: 'b-direct',
      mchid: 'm-direct',
      publicKeyId: `PUB_KEY_ID_${'1'.repeat(32)}`,
      privateKeyPem: 'PRIV',
      publicKeyPem: 'PUB',
    }
    await store.transaction((tx) => tx.insertBrandDirect(rec))
    assert.deepEqual(await store.read.getBrandDirect('b-direct'), rec)
    assert.deepEqual(await store.read.getBrandDirectByMchid('m-direct'), rec)
    assert.equal(await store.read.getBrandDirect('b-1'), undefined)
    assert.equal(await store.read.getBrandDirectByMchid('m-1'), undefined)
    await assert.rejects(store.transaction((tx) => tx.insertBrandDirect({ ...rec, mchid: 'm-x' })))
  })

  it('2025-11 records: a partner revision, user coupon bundles, stores, pre-send tokens', async (store) => {
    const bundle = {
      id: 'ucb-1',
      mchid: 'm-11',
      brandId: 'b-11',
      openid: 'o-1',
      appid: 'wx-1',
      productCouponId: 'pc-1',
      stockBundleId: 'sb-1',
      coupons: [
        { stockId: 's-1', couponCode: 'c-1' },
        { stockId: 's-2', couponCode: 'c-2' },
      ],
      createdAt: 100,
    }
    const token = {
      token: 't-1',
      mchid: 'm-11',
      brandId: 'b-11',
      expiresAt: 400,
      request: { operation: 'pre_send_coupon', openid: 'o-1', body: { attach: 'a' } },
    }
    await store.transaction(async (tx) => {
      await tx.insertPartner({ mchid: 'm-11', apiv3Key: 'k'.repeat(32), revision: '2025-11' })
      await tx.insertUserCouponBundle(bundle)
      await tx.insertBrandStore({ storeId: 'st-1', brandId: 'b-11', open: false })
      await tx.insertPreSendToken(token)
    })
    const r = store.read
    assert.deepEqual(await r.getPartner('m-11'), {
      mchid: 'm-11',
      apiv3Key: 'k'.repeat(32),
      revision: '2025-11',
    })
    assert.deepEqual(await r.getUserCouponBundle('ucb-1'), bundle)
    assert.deepEqual(await r.getBrandStore('st-1'), {
      storeId: 'st-1',
      brandId: 'b-11',
      open: false,
    })
    assert.deepEqual(await r.getPreSendToken('t-1'), token)
    // A claim happens once: the second finds it taken.
    assert.equal(await store.transaction((tx) => tx.claimPreSendToken('t-1', 's-1/c-1')), true)
    assert.equal(await store.transaction((tx) => tx.claimPreSendToken('t-1', 's-1/c-9')), false)
    assert.equal((await r.getPreSendToken('t-1'))?.claimed, 's-1/c-1')
    await store.transaction((tx) => tx.setPartnerRevision('m-11', '2025-08'))
    assert.deepEqual(await r.getPartner('m-11'), { mchid: 'm-11', apiv3Key: 'k'.repeat(32) })
    await assert.rejects(
      store.transaction((tx) => tx.insertUserCouponBundle(bundle)),
      (e: Error) => e.name === 'StoreConflict' || /unique key|retries/i.test(e.message),
    )
  })

  it('product coupons, stocks and user coupons round-trip exactly', async (store) => {
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

  it('a coupon update from a stale version is refused and changes nothing', async (store) => {
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

  it('an idempotency key can be taken once', async (store) => {
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

  it('a failing transaction leaves nothing behind', async (store) => {
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

  it('a transaction that loses a race is run again', async (store) => {
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

  it('user coupons list newest first, filtered by the state the clock implies', async (store) => {
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

  it('code pools: codes are added once and drawn once', async (store) => {
    const added = await store.transaction((tx) => tx.insertCouponCodes('st-codes', ['A', 'B', 'C']))
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
    assert.equal(await store.transaction((tx) => tx.takeCouponCode('st-codes', () => 0)), undefined)
  })

  it('revoking, unbinding and resetting remove exactly what they name', async (store) => {
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

  it('bulk inserts read back as one-row inserts do, in any number of statements', async (store) => {
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
    // Past PostgreSQL's rows per unnest statement too.
    const openids = Array.from({ length: 5003 }, (_, i) => `o-bulk-${i}`)
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
    for (const openid of ['o-bulk-0', 'o-bulk-4999', 'o-bulk-5000', 'o-bulk-5002']) {
      assert.equal(await store.read.hasOpenId('wx-1', openid), true, openid)
    }
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
}
