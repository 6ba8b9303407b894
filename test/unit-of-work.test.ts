import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { behaviour } from '../src/domain/settings.ts'
import { openSqliteStore } from '../src/store/sqlite.ts'
import { body, couponPath, reqNo, useBody, usedCoupon } from './helpers/fixtures.ts'
import { startTestServer, TEST_SETTINGS } from './helpers/harness.ts'

/**
 * On SQLite a unit of work holds the database's write lock from BEGIN to COMMIT, so it must
 * not wait for anything in between: every statement runs synchronously, and the service
 * awaits nothing else. Then a second process on the file (a worker, `wxcoupon seed`) waits
 * only for statements, never for this process's I/O or its other requests. The store counts
 * units of work that spanned a turn of the event loop; the whole life cycle of a coupon,
 * callbacks included, must leave that count at 0. Negative control: a unit that awaits a
 * timer is counted.
 */

test('no write of a coupon life cycle holds the SQLite write lock across an event-loop turn', async () => {
  const s = await startTestServer(
    behaviour({ ...TEST_SETTINGS, notify: { ...TEST_SETTINGS.notify, emitUseReturnEvents: true } }),
  )
  try {
    const units = s.server.store.unitsOfWork
    assert.ok(units, 'the SQLite store counts its units of work')
    const before = units()
    for (let i = 0; i < 3; i++) {
      // create, send, confirm, use (usedCoupon), return, use again, replayed return.
      const c = await usedCoupon(s)
      const ret = body(c, { out_request_no: reqNo('RET') })
      assert.equal((await s.call('POST', couponPath(c, 'return'), ret)).status, 200)
      assert.equal((await s.call('POST', couponPath(c, 'return'), ret)).status, 200)
      const use = await useBody(s, c)
      assert.equal((await s.call('POST', couponPath(c, 'use'), use)).status, 200)
    }
    const after = units()
    assert.ok(after.transactions - before.transactions >= 24, JSON.stringify(after))
    assert.equal(after.spannedTurns, before.spannedTurns)
  } finally {
    await s.close()
  }
})

test('negative control: a unit of work that awaits a timer is counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-uow-'))
  const store = openSqliteStore(join(dir, 'db.sqlite'))
  try {
    await store.migrate()
    await store.transaction(async (tx) => tx.getMeta('x'))
    assert.equal(store.unitsOfWork?.().spannedTurns, 0)
    await store.transaction(async (tx) => {
      await new Promise((r) => setTimeout(r, 5))
      return tx.getMeta('x')
    })
    assert.deepEqual(store.unitsOfWork?.(), { transactions: 2, spannedTurns: 1 })
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
