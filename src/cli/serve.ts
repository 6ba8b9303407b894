import { type RunningServer, startServer } from '../server/start.ts'
import { loadSettings } from './settings-file.ts'

/**
 * Foreground server: one ready line on stdout, clean exit 0 on SIGINT/SIGTERM. A terminal's
 * Ctrl-C or `kill -- -PGID` delivers the signal to npm and to us together; closing is
 * idempotent, so the second delivery is harmless. The handlers are installed before anything
 * else: a signal that arrives while starting must not find Node's default (die at once).
 */
export async function serve(opts: {
  host: string
  port: number
  dataDir: string
  settings?: string
  db?: string | undefined
  log: boolean
}): Promise<void> {
  let server: RunningServer | undefined
  let stopRequested = false
  const stop = () => {
    stopRequested = true
    if (!server) return
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`wxcoupon: error while stopping: ${String(e)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  server = await startServer({
    settings: await loadSettings(opts.settings),
    host: opts.host,
    port: opts.port,
    dataDir: opts.dataDir,
    ...(opts.db ? { databaseUrl: opts.db } : {}),
    logger: opts.log ? { level: 'info', redact: ['req.headers.authorization'] } : false,
  })
  if (stopRequested) return stop()
  const database = opts.db ? `PostgreSQL ${redactPassword(opts.db)}` : 'SQLite'
  process.stdout.write(
    `wxcoupon sandbox listening on ${server.baseUrl} (data dir ${opts.dataDir}, ${database})\n`,
  )
}

/** The ready line names the database without its password. */
function redactPassword(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'database'
  }
}
