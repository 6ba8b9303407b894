import { after, test } from 'node:test'
import { createTestDatabase, pgSkipReason } from './pg-test-db.fixture.ts'
import { openPostgresStore } from './postgres.ts'
import { storeContract } from './store-contract.ts'

const skip = await pgSkipReason()
const drops: (() => Promise<void>)[] = []
after(async () => {
  for (const drop of drops) await drop()
})

if (skip) {
  test('store contract: postgres', { skip }, () => {})
} else {
  storeContract('postgres', async () => {
    const db = await createTestDatabase()
    drops.push(db.drop)
    return openPostgresStore(db.url)
  })
}
