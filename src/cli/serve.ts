import { startServer } from '../server/start.ts'

/**
 * Foreground server: one ready line on stdout, clean exit 0 on SIGINT/SIGTERM. A terminal's
 * Ctrl-C or `kill -- -PGID` delivers the signal to npm and to us together; closing is
 * idempotent, so the second delivery is harmless.
 */
export async function serve(opts: {
  host: string
  port: number
  dataDir: string
  log: boolean
}): Promise<void> {
  const server = await startServer({
    host: opts.host,
    port: opts.port,
    dataDir: opts.dataDir,
    logger: opts.log ? { level: 'info', redact: ['req.headers.authorization'] } : false,
  })
  process.stdout.write(
    `wxcoupon sandbox listening on ${server.baseUrl} (data dir ${opts.dataDir})\n`,
  )
  const stop = (signal: NodeJS.Signals) => {
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`wxcoupon: error while stopping on ${signal}: ${String(e)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
