import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { sqliteSkipReason } from './pg-test-db.fixture.ts'
import { openSqliteStore } from './sqlite.ts'
import { storeContract } from './store-contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

const skip = sqliteSkipReason()
if (skip) test('store contract: sqlite', { skip }, () => {})
else {
  storeContract('sqlite', async () => openSqliteStore(join(dir, `contract-${++n}.db`)))
  // What a server opens: checkpoints in a thread of their own.
  storeContract('sqlite, background checkpoints', async () =>
    openSqliteStore(join(dir, `contract-${++n}.db`), { checkpoints: 'background' }),
  )
}

test('sqlite: data survives closing and reopening the file', async () => {
  const file = join(dir, 'reopen.db')
  const first = openSqliteStore(file)
  await first.migrate()
  await first.transaction((tx) => tx.setMeta('kept', 'yes'))
  await first.close()
  const second = openSqliteStore(file)
  await second.migrate()
  assert.equal(await second.read.getMeta('kept'), 'yes')
  await second.close()
})

interface WriterResult {
  ok: number
  busy: number
}

/** Two processes (one process would block its own event loop inside busy_timeout). */
async function runWriters(file: string, begin: 'immediate' | 'deferred'): Promise<WriterResult> {
  const script = fileURLToPath(new URL('./sqlite-writer.fixture.ts', import.meta.url))
  const barrier = mkdtempSync(join(dir, `barrier-${begin}-`))
  const one = () =>
    new Promise<WriterResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--conditions=wxcoupon-source',
          '--import',
          'tsx',
          script,
          file,
          begin,
          '40',
          barrier,
          '2',
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
      })
      child.on('error', reject)
      child.on('exit', () => resolve(JSON.parse(out) as WriterResult))
    })
  const [a, b] = await Promise.all([one(), one()])
  return { ok: (a?.ok ?? 0) + (b?.ok ?? 0), busy: (a?.busy ?? 0) + (b?.busy ?? 0) }
}

test('sqlite: two processes on one file: IMMEDIATE commits all, DEFERRED hits SQLITE_BUSY', async () => {
  const results: Record<string, WriterResult> = {}
  for (const begin of ['immediate', 'deferred'] as const) {
    const file = join(dir, `two-writers-${begin}.db`)
    const init = openSqliteStore(file)
    await init.migrate()
    await init.close()
    const result = await runWriters(file, begin)
    results[begin] = result
    const check = openSqliteStore(file)
    assert.equal(Number((await check.read.getMeta('n')) ?? '0'), result.ok, 'no lost update')
    await check.close()
  }
  assert.deepEqual(results.immediate, { ok: 80, busy: 0 })
  assert.ok(
    (results.deferred?.busy ?? 0) > 0,
    `negative control saw no SQLITE_BUSY: ${JSON.stringify(results)}`,
  )
})
