import cluster, { type Worker } from 'node:cluster'
import type { RunningServer } from '../server/start.ts'

/**
 * `wxcoupon serve --workers N`: node:cluster's primary prepares the database once, forks N
 * workers that each run the whole server on the same port (the primary owns the listening
 * socket and hands connections out in turn), prints the ready line when all N listen, restarts
 * every worker that dies, however many die at once, and stops them all on SIGINT/SIGTERM. It
 * leaves only on a signal (0) or when no worker has listened for GIVE_UP_MS because each new
 * one died before it could (1, the last reason on stderr). Everything the workers must agree
 * on lives in the database, as between PostgreSQL instances: the clock offset (reloaded per
 * request), faults, rate-limit counters, the outbox and its leases. What a worker keeps in memory
 * cannot contradict another's answer: cached partner keys never change, and there is no nonce
 * replay cache (the spec makes one optional, off by default; one would have to live in the
 * database too). Every worker runs the outbox: leases already keep processes apart, and no
 * single worker's death pauses callbacks.
 */

type FromWorker =
  | { type: 'loaded' }
  | { type: 'ready'; baseUrl: string }
  | { type: 'failed'; message: string }
  | JournalMessage
type ToWorker = { type: 'start' } | { type: 'stop' } | JournalMessage

/**
 * A worker about to read the request journal asks, through the primary, every other worker to
 * write the entries it still holds, so that a request answered by any worker is in the answer.
 */
type JournalMessage =
  | { type: 'journal-flush'; id: number }
  | { type: 'journal-flushed'; id: number }
const JOURNAL_FLUSH_WAIT_MS = 2_000

/** The port a worker listens on, chosen by the primary (see Primary.#portForNewWorker). */
const PORT_ENV = 'WXCOUPON_WORKER_PORT'

export function workerPort(fallback: number): number {
  const v = process.env[PORT_ENV]
  return v === undefined ? fallback : Number(v)
}

/** How long a worker may take to stop before it is killed. */
const STOP_GRACE_MS = 10_000
/** A worker that dies sooner than this after starting doubles the wait before the next one. */
const STABLE_MS = 10_000
const FIRST_RESTART_MS = 250
const MAX_RESTART_MS = 10_000
/**
 * With no worker listening for this long (each replacement failed or died while starting, e.g.
 * the database is gone for good), the primary gives up with exit 1 so a supervisor notices.
 * `$WXCOUPON_GIVE_UP_MS` shortens it (tests).
 */
export function giveUpMs(): number {
  const v = Number(process.env.WXCOUPON_GIVE_UP_MS)
  return Number.isInteger(v) && v > 0 ? v : 60_000
}

export interface PrimaryOptions {
  workers: number
  port: number
  /** Once, before any worker starts: migrate and bootstrap. */
  prepare: () => Promise<void>
  /** Once, after the last worker has stopped. */
  finish: () => Promise<void>
  /** All workers listen: print the ready line. */
  ready: (baseUrl: string) => void
}

interface Slot {
  port: number
  startedAt: number
  loaded: boolean
  ready: boolean
  /** What the worker reported before it died, if it failed to start. */
  failure?: string
}

class Primary {
  readonly #o: PrimaryOptions
  readonly #live = new Map<Worker, Slot>()
  #baseUrl: string | undefined
  #prepared = false
  #started = false
  #stopping = false
  #exitCode = 0
  #fatal: string | undefined
  // Doubled before use, so the first restart waits FIRST_RESTART_MS.
  #restartMs = FIRST_RESTART_MS / 2
  /** Since when no worker has been listening (after startup); undefined while one is. */
  #noneListeningSince: number | undefined
  #lastDeath = ''
  readonly #giveUpMs = giveUpMs()
  #startup!: { resolve: () => void; reject: (e: Error) => void }

  constructor(o: PrimaryOptions) {
    this.#o = o
  }

  async run(): Promise<void> {
    const stop = () => this.#stop(0)
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    const startup = new Promise<void>((resolve, reject) => {
      this.#startup = { resolve, reject }
    })
    // Workers load their code meanwhile and start serving once told to (#message 'loaded').
    for (let i = 0; i < this.#o.workers; i++) this.#fork(this.#o.port)
    try {
      await this.#o.prepare()
      this.#prepared = true
      for (const [worker, slot] of this.#live) {
        if (slot.loaded && !this.#stopping) this.#tell(worker, { type: 'start' })
      }
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e))
    }
    await startup
    this.#started = true
    this.#o.ready(this.#baseUrl as string)
  }

  #fork(port: number): void {
    const worker = cluster.fork({ [PORT_ENV]: String(port) })
    const slot: Slot = { port, startedAt: Date.now(), loaded: false, ready: false }
    this.#live.set(worker, slot)
    worker.on('message', (m: FromWorker) => this.#message(worker, slot, m))
    worker.on('exit', (code, signal) => this.#exit(worker, slot, code, signal))
  }

  #message(worker: Worker, slot: Slot, m: FromWorker): void {
    if (m.type === 'loaded') {
      slot.loaded = true
      if (this.#stopping) this.#tell(worker, { type: 'stop' })
      else if (this.#prepared) this.#tell(worker, { type: 'start' })
      return
    }
    if (m.type === 'failed') {
      if (this.#started) {
        slot.failure = `a worker failed to start: ${m.message}`
        process.stderr.write(
          `wxcoupon: worker ${worker.process.pid} failed to start: ${m.message}\n`,
        )
      } else {
        this.#fail(m.message)
      }
      return
    }
    if (m.type === 'journal-flush') {
      this.#relayJournalFlush(worker, m.id)
      return
    }
    if (m.type !== 'ready') return
    this.#baseUrl ??= m.baseUrl
    if (m.baseUrl !== this.#baseUrl) {
      // Only if every worker had died at once and port 0 found a new port: not ours to keep.
      process.stderr.write(`wxcoupon: worker ${worker.process.pid} got ${m.baseUrl}; stopping it\n`)
      worker.kill('SIGKILL')
      return
    }
    slot.ready = true
    this.#noneListeningSince = undefined
    const ready = [...this.#live.values()].filter((s) => s.ready).length
    if (!this.#started && ready === this.#o.workers) this.#startup.resolve()
  }

  /** Asks the other workers to flush; answers the asker once all have, or after a bound. */
  #relayJournalFlush(asker: Worker, id: number): void {
    const others = [...this.#live].filter(([w, s]) => w !== asker && s.ready).map(([w]) => w)
    let waiting = others.length
    const done = () => {
      if (asker.isConnected()) asker.send({ type: 'journal-flushed', id } satisfies ToWorker)
    }
    if (waiting === 0) {
      done()
      return
    }
    const timer = setTimeout(() => {
      waiting = -1
      done()
    }, JOURNAL_FLUSH_WAIT_MS).unref()
    const relayId = this.#nextRelayId++
    for (const w of others) {
      const listener = (m: FromWorker) => {
        if (m.type !== 'journal-flushed' || m.id !== relayId) return
        w.off('message', listener)
        if (--waiting === 0) {
          clearTimeout(timer)
          done()
        }
      }
      w.on('message', listener)
      if (w.isConnected()) w.send({ type: 'journal-flush', id: relayId } satisfies ToWorker)
      else if (--waiting === 0) done()
    }
  }

  #nextRelayId = 1

  #exit(worker: Worker, slot: Slot, code: number | null, signal: string | null): void {
    this.#live.delete(worker)
    const how = signal ? `signal ${signal}` : `code ${code}`
    if (this.#stopping) {
      // A worker still loading when a group's Ctrl-C came had no handler yet: that is a stop.
      const stopped = code === 0 || signal === 'SIGINT' || signal === 'SIGTERM'
      if (!stopped) this.#exitCode = 1
      if (!stopped && !this.#fatal) {
        process.stderr.write(`wxcoupon: worker ${worker.process.pid} stopped with ${how}\n`)
      }
      if (this.#live.size === 0) void this.#stopped()
      return
    }
    if (!this.#started) {
      this.#fail(`a worker exited with ${how} while starting`)
      return
    }
    const now = Date.now()
    const lived = now - slot.startedAt
    this.#lastDeath = slot.failure ?? `a worker exited with ${how}`
    if (![...this.#live.values()].some((s) => s.ready)) this.#noneListeningSince ??= now
    if (
      this.#noneListeningSince !== undefined &&
      now - this.#noneListeningSince >= this.#giveUpMs
    ) {
      this.#fail(
        `no worker has listened for ${Math.round((now - this.#noneListeningSince) / 1000)} s (last: ${this.#lastDeath}); giving up`,
      )
      return
    }
    this.#restartMs =
      lived < STABLE_MS ? Math.min(this.#restartMs * 2, MAX_RESTART_MS) : FIRST_RESTART_MS
    process.stderr.write(
      `wxcoupon: worker ${worker.process.pid} exited with ${how}; starting another in ${this.#restartMs} ms\n`,
    )
    // The wait also lets a signal sent to the whole group reach this process first. The timer
    // is not unref'd: with every worker dead it is what keeps the primary alive to restart them
    // (unref'd, the primary used to run out of work and exit 0 with nothing listening).
    setTimeout(() => {
      if (!this.#stopping) this.#fork(this.#portForNewWorker())
    }, this.#restartMs)
  }

  /**
   * The primary keeps one listening socket per (host, port) that workers asked for, and closes
   * it when its last worker leaves. A new worker asks for what the listening ones asked for
   * (port 0 included, which then means the same port); with none listening, the actual port.
   */
  #portForNewWorker(): number {
    const listening = [...this.#live.values()].find((s) => s.ready)
    if (listening) return listening.port
    return this.#baseUrl ? Number(new URL(this.#baseUrl).port) : this.#o.port
  }

  #fail(message: string): void {
    if (this.#fatal !== undefined) return
    this.#fatal = message
    // Before the ready line the caller reports it; after it, nobody else would.
    if (this.#started) process.stderr.write(`wxcoupon: ${message}\n`)
    this.#stop(1)
  }

  #stop(code: number): void {
    if (code !== 0) this.#exitCode = code
    if (this.#stopping) return
    this.#stopping = true
    if (this.#live.size === 0) {
      void this.#stopped()
      return
    }
    // A message sent before a worker listens is lost: those still loading hear it on 'loaded'.
    for (const [worker, slot] of this.#live) if (slot.loaded) this.#tell(worker, { type: 'stop' })
    setTimeout(() => {
      for (const worker of this.#live.keys()) worker.process.kill('SIGKILL')
    }, STOP_GRACE_MS).unref()
  }

  #tell(worker: Worker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message)
    else worker.process.kill('SIGKILL')
  }

  /** Every worker is gone: tidy up, then fail startup or leave. */
  async #stopped(): Promise<void> {
    try {
      if (this.#prepared) await this.#o.finish()
    } catch (e) {
      process.stderr.write(`wxcoupon: error while stopping: ${String(e)}\n`)
      this.#exitCode = 1
    }
    if (this.#fatal !== undefined && !this.#started) {
      this.#startup.reject(new Error(this.#fatal))
      return
    }
    process.exit(this.#exitCode)
  }
}

let journalAsks = 0
let journalListening = false
const journalWaits = new Map<number, () => void>()

/** In a worker: every other worker has written its journal entries (or the bound passed). */
export function flushPeerJournals(): Promise<void> {
  if (!process.send) return Promise.resolve()
  const id = ++journalAsks
  if (!journalListening) {
    journalListening = true
    process.on('message', (m: ToWorker) => {
      if (m?.type === 'journal-flushed') journalWaits.get(m.id)?.()
    })
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(finish, JOURNAL_FLUSH_WAIT_MS + 500)
    function finish() {
      clearTimeout(timer)
      journalWaits.delete(id)
      resolve()
    }
    journalWaits.set(id, finish)
    process.send?.({ type: 'journal-flush', id } satisfies FromWorker)
  })
}

/** Closes the server (database included) and leaves: 0 if it closed cleanly, else 1. */
export function closeAndExit(server: RunningServer): void {
  server.close().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`wxcoupon: error while stopping: ${String(e)}\n`)
      process.exit(1)
    },
  )
}

export function servePrimary(o: PrimaryOptions): Promise<void> {
  return new Primary(o).run()
}

/**
 * One worker: loads the server's code, starts it when the primary says the database is ready,
 * reports, stops on the primary's word or on a signal, and leaves at once if the primary is gone
 * (SIGKILL) — nothing may keep serving behind a port nobody listens on any more, nor hold the
 * database for the next start.
 */
export async function serveWorker(
  load: () => Promise<() => Promise<RunningServer>>,
): Promise<void> {
  const send = (m: FromWorker, then?: () => void) => process.send?.(m, undefined, {}, then)
  let server: RunningServer | undefined
  let starting = false
  let stopRequested = false
  let closing = false
  const stop = () => {
    stopRequested = true
    if (starting || closing) return
    // Nothing is open yet: no need to wait for anything.
    if (!server) process.exit(0)
    closing = true
    closeAndExit(server)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const told = new Promise<void>((resolve) => {
    process.on('message', (m: ToWorker) => {
      if (m?.type === 'stop') stop()
      else if (m?.type === 'start') resolve()
      else if (m?.type === 'journal-flush') {
        const id = m.id
        void (server?.journal?.flush() ?? Promise.resolve()).then(() =>
          send({ type: 'journal-flushed', id }),
        )
      }
    })
  })
  process.on('disconnect', () => {
    if (!closing) process.exit(1)
  })
  // The primary reports the first failure; a worker leaves without printing its own.
  const failed = (e: unknown): void => {
    const message = e instanceof Error ? e.message : String(e)
    send({ type: 'failed', message }, () => process.exit(1))
  }
  let start: () => Promise<RunningServer>
  try {
    start = await load()
  } catch (e) {
    return failed(e)
  }
  if (stopRequested) return stop()
  send({ type: 'loaded' })
  await told
  starting = true
  try {
    server = await start()
  } catch (e) {
    return failed(e)
  } finally {
    starting = false
  }
  if (stopRequested) return stop()
  send({ type: 'ready', baseUrl: server.baseUrl })
}
