import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, describe, test } from 'node:test'
import { type Kysely, sql } from 'kysely'
import { serverLogger } from '../src/server/logging.ts'
import { sqliteSkipReason } from '../src/store/pg-test-db.fixture.ts'
import { API, productCouponBody } from './helpers/fixtures.ts'
import { startTestServer, TEST_SETTINGS, type TestServer } from './helpers/harness.ts'

/**
 * SQLite refusing writes under a running server: the database full (SQLITE_FULL, made real by
 * capping the server connection's max_page_count, as a full disk would). Each write fails with
 * a clean signed 500 SYSTEM_ERROR that leaks nothing, the server stays up and keeps answering
 * reads, the log tells the operator the cause, and writes succeed again once there is room.
 */
describe('SQLite: the database full under a running server', { skip: sqliteSkipReason() }, () => {
  let s: TestServer | undefined
  after(() => s?.close())

  test('writes answer a clean 500 and change nothing; reads go on; room again: writes go on', async () => {
    let log = ''
    const stream = new Writable({
      write(chunk, _e, done) {
        log += chunk.toString()
        done()
      },
    })
    s = await startTestServer(TEST_SETTINGS, { logger: serverLogger({ requests: false, stream }) })
    // The server's one connection (kysely-store's read queries run on it).
    const db = (s.server.store.read as unknown as { db: Kysely<unknown> }).db
    const pages = Number(
      (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]?.page_count,
    )
    await sql.raw(`pragma max_page_count = ${pages}`).execute(db)
    const create = () =>
      s?.call('POST', `${API}/product-coupons`, productCouponBody(s)) as ReturnType<
        TestServer['call']
      >
    let full: Awaited<ReturnType<typeof create>> | undefined
    for (let i = 0; i < 200 && !full; i++) {
      const r = await create()
      if (r.status !== 200) full = r
    }
    assert.ok(full, 'the database filled up')
    // The harness checks the signature and that no SQL, path or stack leaks.
    assert.equal(full.status, 500, full.text)
    assert.equal(full.json.code, 'SYSTEM_ERROR')
    assert.match(log, /SQLITE_FULL|database or disk is full/, 'the operator is told the cause')
    const health = await fetch(`${s.baseUrl}/healthz`)
    assert.equal(health.status, 200, 'reads still work: the server is up')
    assert.equal((await s.call('GET', `${API}/notify-configs`)).status !== 500, true)
    await sql.raw('pragma max_page_count = 1073741823').execute(db)
    const again = await create()
    assert.equal(again.status, 200, again.text)
  })
})
