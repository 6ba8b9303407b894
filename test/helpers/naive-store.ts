import { setTimeout as sleep } from 'node:timers/promises'
import type { UserCoupon } from '../../src/domain/user-coupon.ts'
import { type Store, StoreConflict, type StoreTx } from '../../src/store/store.ts'

/**
 * A deliberately broken store for negative controls: the race tests must catch what it gets
 * wrong. Coupons and stocks are read without a row lock (with a pause after the read, as a
 * slow request would have) and coupons are written blindly, whatever changed meanwhile — the
 * naive read-then-write that the real store's `FOR UPDATE` and version check exist to prevent.
 * Combine with dropping the request-number key (dropIdempotencyKey) to also lose the last
 * line of defence against concurrent duplicates.
 */
export function naiveStore(inner: Store, pauseMs = 20): Store {
  return {
    // What the store says of itself (shared, label, …) stays the inner store's.
    ...inner,
    read: inner.read,
    migrate: () => inner.migrate(),
    close: () => inner.close(),
    transaction: (fn) => inner.transaction((tx) => fn(naiveTx(tx, pauseMs))),
  }
}

function naiveTx(tx: StoreTx, pauseMs: number): StoreTx {
  const overrides: Partial<StoreTx> = {
    async lockUserCoupon(stockId, code) {
      const c = await tx.getUserCoupon(stockId, code)
      await sleep(pauseMs)
      return c
    },
    async lockStock(id) {
      const s = await tx.getStock(id)
      await sleep(pauseMs)
      return s
    },
    async updateUserCoupon(c: UserCoupon) {
      // Blind write: adopt whatever version is current so the version check never objects.
      for (let i = 0; i < 100; i++) {
        const current = await tx.getUserCoupon(c.stockId, c.couponCode)
        try {
          return await tx.updateUserCoupon({ ...c, version: (current?.version ?? 0) + 1 })
        } catch (e) {
          if (!(e instanceof StoreConflict)) throw e
        }
      }
      throw new StoreConflict('blind write kept losing')
    },
  }
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) {
        return overrides[prop as keyof StoreTx]
      }
      const v = Reflect.get(target, prop, receiver)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}
