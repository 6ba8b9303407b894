import cluster from 'node:cluster'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { InvalidArgumentError } from '@commander-js/extra-typings'
import type { RunningServer, StartOptions } from '../server/start.ts'
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts'
import {
  closeAndExit,
  flushPeerJournals,
  servePrimary,
  serveWorker,
  workerPort,
} from './serve-cluster.ts'
import { explainStartupError } from './startup-errors.ts'

export interface ServeOptions {
  host: string
  port: number
  dataDir: string
  settings?: string
  db?: string | undefined
  log: boolean
  /** Requests the journal keeps per partner; 0 turns it off. */
  journalSize?: number
  /** Processes serving the port; 1 is a single process without cluster. */
  workers: number
  /** Serve HTTPS with a certificate of the sandbox CA. */
  tls?: boolean
  /** Also listen as a proxy intercepting WeChat Pay's hosts; 0 picks a free port. */
  proxyPort?: number | undefined
}

export function workerCount(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError('must be 1–256')
  return n
}

/**
 * `$WXCOUPON_WORKERS` (lets a test run or a container pin it), else one process: the fastest
 * correct configuration `npm run bench` measured on both databases (docs/performance.md). One
 * process signs every answer in the thread pool, so it already uses every core for RSA, its
 * largest cost. More processes on one SQLite file take turns at its write lock and re-read each
 * other's pages; on PostgreSQL they compete with the database's own processes for the cores.
 */
export function defaultWorkers(): number {
  const env = process.env.WXCOUPON_WORKERS
  if (!env) return 1
  try {
    return workerCount(env)
  } catch (e) {
    throw new Error(`WXCOUPON_WORKERS=${env}: ${(e as Error).message}`)
  }
}

/**
 * Foreground server: one ready line on stdout, clean exit 0 on SIGINT/SIGTERM. A terminal's
 * Ctrl-C or `kill -- -PGID` delivers the signal to npm and to us together; closing is
 * idempotent, so the second delivery is harmless. The handlers are installed before anything
 * else: a signal that arrives while starting must not find Node's default (die at once).
 * With several workers this process is node:cluster's primary and each worker runs the server.
 * The server's modules are imported when needed, so that a primary never loads the HTTP stack
 * and its workers load theirs while it prepares the database.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const explain = (e: unknown) => Promise.reject(explainStartupError(e, context(opts)))
  if (cluster.isWorker) {
    const chosen = process.env[PROXY_PORT_ENV]
    const own = chosen === undefined ? opts : { ...opts, proxyPort: Number(chosen) }
    return serveWorker(async () => {
      const [{ startServer }, options] = await Promise.all([
        import('../server/start.ts'),
        startOptions(own),
      ])
      return () =>
        startServer({
          ...options,
          port: workerPort(opts.port),
          shared: true,
          flushPeerJournals,
        }).catch(explain)
    })
  }
  // Before anything touches the data dir: a second server must not rewrite its sandbox.json.
  const lock: DataDirLock = await lockDataDir(opts.dataDir).catch(explain)
  if (opts.workers > 1) {
    // Every worker listens on the one proxy port (node:cluster shares it): "any" is chosen
    // here, and the workers (forked with this environment) are told.
    if (opts.proxyPort === 0) {
      opts = { ...opts, proxyPort: await freePort(opts.host) }
      process.env[PROXY_PORT_ENV] = String(opts.proxyPort)
    }
    /** The ready line's name for the database, known once it is prepared. */
    let database = ''
    return servePrimary({
      workers: opts.workers,
      port: opts.port,
      prepare: async () => {
        const [{ loadSettings }, { prepareDatabase }] = await Promise.all([
          import('./settings-file.ts'),
          import('../server/prepare.ts'),
        ])
        // A bad settings file is refused here, once, rather than by every worker.
        const settings = await loadSettings(opts.settings)
        const prepared = await prepareDatabase({
          dataDir: opts.dataDir,
          revision: settings.revision,
          ...(opts.db ? { databaseUrl: opts.db } : {}),
        }).catch(explain)
        database = prepared.database
      },
      finish: () => checkpoint(opts).finally(() => lock.release()),
      ready: (baseUrl) => {
        lock.listening(baseUrl)
        const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
        const proxy = opts.proxyPort === undefined ? undefined : `http://${host}:${opts.proxyPort}`
        process.stdout.write(readyLine(opts, database, baseUrl, proxy))
      },
    })
  }
  let server: RunningServer | undefined
  let stopRequested = false
  const stop = () => {
    stopRequested = true
    if (server) closeAndExit(server)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const { startServer } = await import('../server/start.ts')
  server = await startServer(await startOptions(opts)).catch(explain)
  if (stopRequested) return stop()
  lock.listening(server.baseUrl)
  process.stdout.write(readyLine(opts, server.store.label, server.baseUrl, server.proxyUrl))
}

const PROXY_PORT_ENV = 'WXCOUPON_WORKER_PROXY_PORT'

/** A port nothing listens on right now (the kernel's pick). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function context(opts: ServeOptions) {
  return { dataDir: opts.dataDir, host: opts.host, port: opts.port, database: opts.db }
}

async function startOptions(opts: ServeOptions): Promise<StartOptions> {
  const [{ loadSettings }, { serverLogger }] = await Promise.all([
    import('./settings-file.ts'),
    import('../server/logging.ts'),
  ])
  return {
    settings: await loadSettings(opts.settings),
    host: opts.host,
    port: opts.port,
    dataDir: opts.dataDir,
    ...(opts.db ? { databaseUrl: opts.db } : {}),
    ...(opts.tls ? { tls: true } : {}),
    ...(opts.proxyPort === undefined ? {} : { proxyPort: opts.proxyPort }),
    ...(opts.journalSize === undefined ? {} : { journalSize: opts.journalSize }),
    logger: serverLogger({ requests: opts.log }),
  }
}

/** `database`: the store's label, which never shows a password. */
function readyLine(
  opts: ServeOptions,
  database: string,
  baseUrl: string,
  proxyUrl?: string,
): string {
  const workers = opts.workers > 1 ? `, ${opts.workers} workers` : ''
  const proxy = proxyUrl ? `; proxy for api.mch.weixin.qq.com on ${proxyUrl}` : ''
  return `wxcoupon sandbox listening on ${baseUrl} (data dir ${opts.dataDir}, ${database}${workers})${proxy}\n`
}

/**
 * After the last worker: workers closing together may each see the other still open and leave
 * the WAL behind; a lone connection opened and closed here folds it into the database.
 */
async function checkpoint(opts: ServeOptions): Promise<void> {
  // PostgreSQL keeps no such log: nothing to fold, so no connection to open at shutdown.
  if (opts.db) return
  const { openStore } = await import('../store/open.ts')
  const store = openStore({ dataDir: resolve(opts.dataDir) })
  await store.read.getMeta('admin_token')
  await store.close()
}
