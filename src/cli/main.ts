#!/usr/bin/env node
import { Command, InvalidArgumentError } from '@commander-js/extra-typings'
import { runDemo } from './demo.ts'
import { listen } from './listen.ts'
import { addSandboxCommands } from './sandbox-commands.ts'
import { addSeedCommand } from './seed.ts'
import { defaultWorkers, serve, workerCount } from './serve.ts'

// Only PostgreSQL URLs: anything else is a typo that would otherwise surface as a driver error.
function databaseUrl(value: string): string {
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new InvalidArgumentError('must be a postgres:// or postgresql:// URL')
  }
  return value
}

function port(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be 0–65535')
  return n
}

// The sandbox refuses a notify_url without a path, with a query or with a fragment.
function notifyPath(value: string): string {
  if (!/^\/[^?#\s]+$/.test(value)) {
    throw new InvalidArgumentError('must start with / and carry no query, fragment or spaces')
  }
  return value
}

const program = new Command()
  .name('wxcoupon')
  .description('WeChat Pay APIv3 partner product-coupon sandbox: server, SDK and CLI')
  // Usage errors read like every other failure; subcommands inherit this when created.
  .configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, 'wxcoupon: ')),
  })

program
  .command('serve')
  .description('start the sandbox server (bootstraps the data dir on first start)')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--port <port>', 'port; 0 picks a free one', port, 8080)
  .option('--data-dir <dir>', 'where the database, keys and sandbox.json live', '.wxcoupon')
  .option('--settings <file>', 'JSON file overriding the behaviour defaults (see README)')
  .option(
    '--db <url>',
    'PostgreSQL URL; several instances may share one database (default: $DATABASE_URL, else SQLite in the data dir)',
    databaseUrl,
  )
  .option('--log', 'log every request as JSON lines on stderr', false)
  .option(
    '--workers <n>',
    'processes serving the port (default: $WXCOUPON_WORKERS, else one per core)',
    workerCount,
  )
  .option('--tls', 'serve HTTPS with a certificate of the sandbox CA (sandbox.json ca_file)', false)
  .option(
    '--proxy-port <port>',
    'also listen as an HTTP proxy that serves api.mch.weixin.qq.com and api2.… itself (0 picks a free port)',
    port,
  )
  .action((opts) => {
    const db =
      opts.db ?? (process.env.DATABASE_URL ? databaseUrl(process.env.DATABASE_URL) : undefined)
    return serve({ ...opts, db, workers: opts.workers ?? defaultWorkers() })
  })

program
  .command('demo')
  .description('walk a coupon through create → send → confirm → use → return → query')
  .option('--data-dir <dir>', 'data dir of a running server (reads its sandbox.json)', '.wxcoupon')
  .action((opts) => runDemo(opts))

program
  .command('listen')
  .description("receive the partner's callbacks: verify, decrypt and print each event")
  .requiredOption('--port <port>', 'port; 0 picks a free one', port)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--path <path>', 'path of the notify URL', notifyPath, '/wxcoupon/notify')
  .option('--data-dir <dir>', 'data dir of a running server (reads its sandbox.json)', '.wxcoupon')
  .option('--no-register', "don't set this URL as the partner's notify_url")
  .option('--json', 'print each event as one line of JSON', false)
  .action((opts) => listen(opts))

addSandboxCommands(program)
addSeedCommand(program, databaseUrl)

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`wxcoupon: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = 1
})
