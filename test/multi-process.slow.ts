import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createTestDatabase, pgSkipReason } from '../src/store/pg-test-db.fixture.ts'
import type { Cluster } from './helpers/cluster.ts'
import { assertDeliveredOnce, deliveryRecorder, SENDS, sendAll } from './helpers/delivery.ts'
import { API } from './helpers/fixtures.ts'
import { raceTests } from './helpers/race-tests.ts'
import { ProcessTestServer, settingsFile } from './helpers/server-process.ts'

/**
 * Three `wxcoupon serve --db postgres://…` processes on one database, as behind a load
 * balancer: requests are spread over them, and the race checks and the outbox check that
 * races.test.ts and multi-instance.test.ts run in-process must hold across real processes
 * (separate pools, clocks, nonce caches and outbox workers). The same checks are shown to
 * catch their bugs by the negative controls in those files.
 */
const skip = await pgSkipReason()
const PROCESSES = 3

describe(`${PROCESSES} server processes on one PostgreSQL database`, { skip }, () => {
  let c: Cluster
  let rx: Awaited<ReturnType<typeof deliveryRecorder>>
  before(async () => {
    const db = await createTestDatabase()
    const file = settingsFile()
    // Started together: the processes race to bootstrap the empty database.
    const servers = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        new ProcessTestServer({ databaseUrl: db.url, settingsFile: file }).start(),
      ),
    )
    c = {
      deployment: `${PROCESSES} processes`,
      servers,
      at: (i) => servers[i % servers.length] as ProcessTestServer,
      databaseUrl: db.url,
      get store() {
        return (servers[0] as ProcessTestServer).server.store
      },
      async close() {
        for (const s of servers) await s.close()
        await db.drop()
      },
    }
    rx = await deliveryRecorder(400)
    const r = await c.at(1).call('POST', `${API}/notify-configs`, { notify_url: rx.url })
    assert.equal(r.status, 200, r.text)
  })
  after(async () => {
    await c?.close()
    await rx?.close()
  })

  test('every process answers with the same platform key, partner and brand', () => {
    const [first, ...rest] = c.servers.map((s) => s.sandbox)
    for (const other of rest) {
      assert.equal(other.platform.public_key_id, first?.platform.public_key_id)
      assert.equal(other.partner.mchid, first?.partner.mchid)
      assert.equal(other.partner.serial_no, first?.partner.serial_no)
      assert.equal(other.brand_id, first?.brand_id)
    }
  })

  // First, while the only callbacks are these sends' (later tests issue more).
  test(`${SENDS} sends → each SEND callback delivered once, never by two processes at once`, async (t) => {
    await sendAll(c)
    await assertDeliveredOnce(c, rx, t)
  })

  raceTests(() => c)
})
