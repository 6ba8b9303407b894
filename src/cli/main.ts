#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings'
import { SERVER_VERSION } from '../server/version.ts'
import { addClientCommands } from './client-commands.ts'
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

function journalSize(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 10_000_000) {
    throw new InvalidArgumentError(
      'must be a whole number up to 10000000 (0 turns the journal off)',
    )
  }
  return n
}

/** `PORT` (what platforms such as container hosts set) when neither the flag nor WXCOUPON_PORT is. */
function portFromEnvironment(): number | undefined {
  const value = process.env.PORT
  if (value === undefined || value === '') return undefined
  try {
    return port(value)
  } catch (e) {
    throw new Error(`PORT=${value} is not a port: ${(e as Error).message}`)
  }
}

const dataDirOption = (what: string) =>
  new Option('--data-dir <dir>', what).env('WXCOUPON_DATA_DIR').default('.wxcoupon')

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
  .version(SERVER_VERSION, '-V, --version', 'print the version')
  // Usage errors read like every other failure; subcommands inherit this when created.
  .configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, 'wxcoupon: ')),
  })

program
  .command('serve')
  .description('start the sandbox server (bootstraps the data dir on first start)')
  .addOption(
    new Option('--host <host>', 'interface to listen on').env('WXCOUPON_HOST').default('127.0.0.1'),
  )
  .addOption(
    new Option('--port <port>', 'port; 0 picks a free one (else $WXCOUPON_PORT, $PORT, 8080)')
      .env('WXCOUPON_PORT')
      .argParser(port),
  )
  .addOption(dataDirOption('where the database, keys and sandbox.json live'))
  .option('--settings <file>', 'JSON file overriding the behaviour defaults (see README)')
  .option(
    '--db <url>',
    'PostgreSQL URL; several instances may share one database (default: $DATABASE_URL, else SQLite in the data dir)',
    databaseUrl,
  )
  .option('--log', 'log every request as JSON lines on stderr (errors are logged always)', false)
  .addOption(
    new Option('--journal-size <n>', 'requests the journal keeps per partner; 0 turns it off')
      .env('WXCOUPON_JOURNAL_SIZE')
      .argParser(journalSize)
      .default(10_000),
  )
  .option(
    '--workers <n>',
    'processes serving the port (default: $WXCOUPON_WORKERS, else 1; see docs/performance.md)',
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
    const chosenPort = opts.port ?? portFromEnvironment() ?? 8080
    return serve({ ...opts, port: chosenPort, db, workers: opts.workers ?? defaultWorkers() })
  })

program
  .command('demo')
  .description('walk a coupon through create → send → confirm → use → return → query')
  .addOption(dataDirOption('data dir of a running server (reads its sandbox.json)'))
  .option(
    '--brand',
    'brand-direct mode: the brand calls /brand/… itself (sandbox.json brand_direct)',
    false,
  )
  .action((opts) => runDemo(opts))

program
  .command('listen')
  .description("receive the partner's callbacks: verify, decrypt and print each event")
  .requiredOption('--port <port>', 'port; 0 picks a free one', port)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--path <path>', 'path of the notify URL', notifyPath, '/wxcoupon/notify')
  .addOption(dataDirOption('data dir of a running server (reads its sandbox.json)'))
  .option('--no-register', "don't set this URL as the partner's notify_url")
  .option('--json', 'print each event as one line of JSON', false)
  .action((opts) => listen(opts))

addSandboxCommands(program)
addClientCommands(program)
addSeedCommand(program, databaseUrl)

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`wxcoupon: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = 1
})
