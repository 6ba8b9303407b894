import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'

/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the COMMIT
 * that crosses `wal_autocheckpoint` pages: it copies the log back into the database and
 * fsyncs both files while the event loop waits — about 30 % of a return's database time and
 * the cause of the latency tail at a steady rate. Here a worker thread with its own connection
 * runs PASSIVE checkpoints on a timer; PASSIVE never waits for and never blocks the writer.
 * The log can only start over when a checkpoint has copied all of it and no write came in
 * between, which a busy writer never allows; so once the log is long the writer is asked
 * (beforeTransaction) to finish the job itself between two transactions. With other processes
 * writing too, a log past `maxFrames` gets one RESTART checkpoint from the thread, which makes
 * writers wait for it as every automatic checkpoint did.
 */
export interface CheckpointerOptions {
  /** Time between checkpoints. */
  intervalMs?: number
  /** WAL frames (pages) at which the writer is asked to let the log start over. */
  restartFrames?: number
  /** WAL frames beyond which the thread runs a RESTART checkpoint (other processes writing). */
  maxFrames?: number
  /** Called once if the thread fails; the caller should fall back to automatic checkpoints. */
  onFailure?: (reason: string) => void
}

export interface Checkpointer {
  /**
   * Called by the writer between two of its transactions. Once the log is long enough to
   * start over, it runs a PASSIVE checkpoint on the writer's connection: only the frames since
   * the thread's last checkpoint are left to copy, and the next write restarts the log. Until
   * one such checkpoint has copied everything (the thread may hold the checkpoint at that
   * moment), the next transaction tries again.
   */
  beforeTransaction(writer: BetterSqlite3.Database): void
  /** Stops the thread and closes its connection; resolves when the thread has exited. */
  stop(): Promise<void>
}

// Plain CommonJS evaluated in the thread, so the same code runs from src/ (tsx) and dist/.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
db.pragma('journal_size_limit = ' + workerData.sizeLimit)
let timer
let stopped = false
function tick() {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)')
    if (r && r.log >= workerData.restartFrames) parentPort.postMessage({ log: r.log })
    if (r && r.log > workerData.maxFrames && r.checkpointed < r.log) db.pragma('wal_checkpoint(RESTART)')
  } catch (e) {
    // Another connection checkpointing at the same moment is not a failure.
    if (!(e && e.code === 'SQLITE_BUSY')) {
      parentPort.postMessage({ failed: String((e && e.code) || 'checkpoint error') })
      stopped = true
      db.close()
      return
    }
  }
  if (!stopped) timer = setTimeout(tick, workerData.intervalMs)
}
timer = setTimeout(tick, workerData.intervalMs)
parentPort.on('message', () => {
  stopped = true
  clearTimeout(timer)
  db.close()
  parentPort.close()
})
`

interface WalCheckpoint {
  busy: number
  log: number
  checkpointed: number
}

/** The WAL file is cut back to this size whenever the log starts over. */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024

export function startCheckpointer(path: string, opts: CheckpointerOptions = {}): Checkpointer {
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      path,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: opts.intervalMs ?? 100,
      restartFrames: opts.restartFrames ?? 4_096,
      maxFrames: opts.maxFrames ?? 65_536,
      sizeLimit: WAL_SIZE_LIMIT,
    },
  })
  // The server's life decides the process's, not this thread.
  worker.unref()
  let failed = false
  const fail = (reason: string) => {
    if (failed) return
    failed = true
    opts.onFailure?.(reason)
  }
  let restart = false
  worker.on('message', (m: { failed?: string; log?: number }) => {
    if (m.failed !== undefined) fail(m.failed)
    else restart = true
  })
  worker.on('error', (e) => fail(e.name))
  let stopping: Promise<void> | undefined
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping) fail('thread exited')
      resolve()
    }),
  )
  return {
    beforeTransaction(writer) {
      if (!restart) return
      try {
        const [r] = writer.pragma('wal_checkpoint(PASSIVE)') as WalCheckpoint[]
        if (r && r.busy === 0 && r.checkpointed === r.log) restart = false
      } catch {
        // SQLITE_BUSY: the thread is checkpointing; the next transaction tries again.
      }
    },
    stop() {
      stopping ??= (async () => {
        failed = true
        // Unreferenced, the thread would let the process end before the store has closed.
        worker.ref()
        worker.postMessage('stop')
        await exited
      })()
      return stopping
    },
  }
}
