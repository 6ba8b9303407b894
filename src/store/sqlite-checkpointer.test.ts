import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { openSqliteStore } from './sqlite.ts'
import type { Store } from './store.ts'

/**
 * Background checkpoints (sqlite-checkpointer.ts): the thread copies the log into the database
 * without the writer's help, the log starts over instead of growing for ever under steady
 * writes, and closing still leaves one file with everything in it.
 */

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-checkpoint-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0)

/**
 * `n` separate transactions, the event loop turning after every `burst` of them: a busy server
 * commits back to back, which leaves the thread no quiet moment to finish a checkpoint in.
 */
async function writes(store: Store, n: number, from = 0, burst = 1): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await store.transaction((tx) => tx.setMeta(`k${i}`, 'x'.repeat(3000)))
    if ((i + 1) % burst === 0) await new Promise((r) => setImmediate(r))
  }
}

test('the thread checkpoints what the writer committed; SQLite alone would not have yet', async () => {
  const grown: Record<string, number> = {}
  for (const mode of ['auto', 'background'] as const) {
    const file = join(dir, `copy-${mode}.db`)
    const store = openSqliteStore(file, { checkpoints: mode, checkpointer: { intervalMs: 10 } })
    await store.migrate()
    // Let the migration's own pages settle first, whichever way they are checkpointed.
    await sleep(100)
    const before = size(file)
    // ≈ 500 pages: under SQLite's automatic threshold of 1,000.
    await writes(store, 200)
    // The thread may be slow to start on a busy machine: wait for it, up to 5 s.
    const deadline = Date.now() + (mode === 'auto' ? 150 : 5000)
    do await sleep(20)
    while (size(file) - before <= 200 * 3000 && Date.now() < deadline)
    grown[mode] = size(file) - before
    await store.close()
  }
  assert.equal(grown.auto, 0, 'control: SQLite checkpoints only at 1,000 pages')
  assert.ok((grown.background ?? 0) > 200 * 3000, JSON.stringify(grown))
})

test('under steady writes the log starts over instead of growing', async () => {
  const file = join(dir, 'restart.db')
  const store = openSqliteStore(file, {
    checkpoints: 'background',
    checkpointer: { intervalMs: 5, restartFrames: 64 },
  })
  await store.migrate()
  const wal: number[] = []
  for (let round = 0; round < 70; round++) {
    await writes(store, 100, round * 100, 100)
    wal.push(size(`${file}-wal`))
  }
  await store.close()
  // The file keeps its largest size; once the log starts over it stops growing. Without the
  // writer's own checkpoint (beforeTransaction) it grew by 3–5 MB over 30 such rounds, the
  // thread alone finding a quiet moment only now and then; 2 MB leaves room for a round or
  // two in which a busy machine starves the thread.
  const growth = (wal[69] ?? 0) - (wal[9] ?? 0)
  assert.ok(growth < 2 * 1024 * 1024, `the log grew by ${growth} bytes: ${wal.join(' ')}`)
})

test('close stops the thread first: no log left, every write in the database file', async () => {
  const file = join(dir, 'close.db')
  const store = openSqliteStore(file, { checkpoints: 'background' })
  await store.migrate()
  await writes(store, 50)
  await store.close()
  assert.equal(existsSync(`${file}-wal`), false)
  const again = openSqliteStore(file)
  assert.equal(await again.read.getMeta('k49'), 'x'.repeat(3000))
  await again.close()
})
