// Child process for sqlite.test.ts: increments a counter in N read-then-write transactions.
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSqliteStore } from './sqlite.ts'

const [file = '', begin = 'immediate', count = '10', barrier = '', parties = '2'] =
  process.argv.slice(2)
const store = openSqliteStore(file, { begin: begin === 'deferred' ? 'deferred' : 'immediate' })
await store.read.getMeta('n')

// A file-system barrier: every writer starts only once all are ready, however slow the
// machine is, so their transactions really overlap.
writeFileSync(join(barrier, `ready-${process.pid}`), '')
const deadline = Date.now() + 60_000
while (readdirSync(barrier).length < Number(parties) && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 5))
}

let ok = 0
let busy = 0
for (let i = 0; i < Number(count); i++) {
  try {
    await store.transaction(async (tx) => {
      const v = Number((await tx.getMeta('n')) ?? '0')
      await new Promise((r) => setTimeout(r, 2))
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
