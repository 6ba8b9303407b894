// Child process for sqlite.test.ts: increments a counter in N read-then-write transactions.
import { openSqliteStore } from './sqlite.ts'

const [file = '', begin = 'immediate', count = '10', startAt = '0'] = process.argv.slice(2)
const store = openSqliteStore(file, { begin: begin === 'deferred' ? 'deferred' : 'immediate' })
// Both writers start together, so their transactions really overlap.
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())))
let ok = 0
let busy = 0
for (let i = 0; i < Number(count); i++) {
  try {
    await store.transaction(async (tx) => {
      const v = Number((await tx.getMeta('n')) ?? '0')
      await new Promise((r) => setTimeout(r, 1))
      await tx.setMeta('n', String(v + 1))
    })
    ok++
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) busy++
    else throw e
  }
}
await store.close()
process.stdout.write(JSON.stringify({ ok, busy }))
