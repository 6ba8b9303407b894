import {
  Argument,
  type Command,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from '@commander-js/extra-typings'
import { parseRfc3339 } from '../domain/time.ts'
import { openAdmin } from './admin-client.ts'
import { parseDuration } from './duration.ts'

/**
 * The /sandbox/ controls a person reaches for by hand while testing an integration: the clock,
 * review decisions, fault injection and reset (client-commands.ts has the rest).
 */
export function addSandboxCommands(program: Command): void {
  controls(program.command('clock'))
    .description('show the sandbox business time, or move it forward')
    .addOption(
      new Option('--advance <duration>', 'move forward by seconds, or 90s, 15m, 2h, 3d')
        .argParser(duration)
        .conflicts('set'),
    )
    .option(
      '--set <time>',
      'jump forward to an RFC 3339 time, e.g. 2030-01-01T00:00:00+08:00',
      rfc3339,
    )
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const body =
        opts.advance !== undefined
          ? { advance_seconds: opts.advance }
          : opts.set !== undefined
            ? { now: opts.set }
            : undefined
      const clock = (await (body === undefined
        ? admin.call('GET', '/sandbox/clock')
        : admin.call('POST', '/sandbox/clock', body))) as { now: string }
      print(opts, clock, `sandbox time ${clock.now}`)
    })

  controls(program.command('claim'))
    .description(
      'claim a pre-send token as the user would in the mini program (2025-11): the coupon is issued, with its callback',
    )
    .addArgument(new Argument('<token>', 'the token pre-send-coupon answered'))
    .action(async (token, opts) => {
      const admin = await openAdmin(opts)
      const claimed = (await admin.client.claimPreSendToken({ token })) as {
        coupon_code?: string
        user_coupon_bundle_id?: string
        user_product_coupon_list?: { coupon_code: string }[]
      }
      const text = claimed.user_coupon_bundle_id
        ? `user coupon bundle ${claimed.user_coupon_bundle_id}  coupons ${(claimed.user_product_coupon_list ?? []).map((c) => c.coupon_code).join(', ')}`
        : `coupon ${claimed.coupon_code}`
      print(opts, claimed, text)
    })

  const both = ['product-coupon', 'stock'] as const
  review(program, 'approve', 'pass review: an AUDITING product coupon or stock goes live', both)
  review(
    program,
    'reject',
    'fail review: an AUDITING product coupon or stock is DEACTIVATED',
    both,
  ).option('--reason <text>', 'deactivate_reason the integrator will see')
  review(program, 'pause', 'stop a SENDING stock from sending', ['stock'])
  review(program, 'resume', 'let a PAUSED stock send again', ['stock'])

  const faults = program
    .command('faults')
    .description(
      'make WeChat API calls fail or stall (until cleared; a restart of a single SQLite process clears them)',
    )
  controls(faults.command('add'))
    .description('inject a fault into the matching calls')
    .requiredOption('--operation <op>', 'operation name such as return or send, or * for all')
    .addOption(
      new Option('--mode <mode>', 'what the call does instead')
        .choices(['SYSTEM_ERROR', 'RATELIMIT_EXCEEDED', 'DELAY'] as const)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--count <n>', 'affect the next n matching calls')
        .argParser(wholeNumber)
        .conflicts('probability'),
    )
    .option('--probability <p>', 'affect this share (0–1) of matching calls', probability)
    .option('--delay-ms <ms>', 'how long a DELAY holds the call', wholeNumber)
    .action(async (opts) => {
      const { operation, mode, count, probability, delayMs } = opts
      if (count === undefined && probability === undefined) {
        throw new Error('faults add needs --count <n> or --probability <p>')
      }
      const admin = await openAdmin(opts)
      const fault = (await admin.call('POST', '/sandbox/faults', {
        operation,
        mode,
        ...(count === undefined ? {} : { count }),
        ...(probability === undefined ? {} : { probability }),
        ...(delayMs === undefined ? {} : { delay_ms: delayMs }),
      })) as Fault
      print(opts, fault, `added ${describeFault(fault)}`)
    })
  controls(faults.command('list'))
    .description('show the faults in force')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const answer = (await admin.call('GET', '/sandbox/faults')) as { faults: Fault[] }
      print(opts, answer, answer.faults.map(describeFault).join('\n') || 'no faults')
    })
  controls(faults.command('remove'))
    .description('remove one fault, by the id `faults add` and `faults list` show')
    .argument('<fault_id>', 'such as F1')
    .action(async (faultId, opts) => {
      const admin = await openAdmin(opts)
      const answer = (await admin.call(
        'DELETE',
        `/sandbox/faults/${encodeURIComponent(faultId)}`,
      )) as { faults: Fault[] }
      const left = answer.faults.length
      print(opts, answer, `fault ${faultId} removed; ${left} left in force`)
    })
  controls(faults.command('clear'))
    .description('remove every fault')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const answer = await admin.call('DELETE', '/sandbox/faults')
      print(opts, answer, 'faults cleared')
    })

  controls(program.command('reset'))
    .description(
      'wipe every product coupon, stock and user coupon and the request journal; tenants and keys stay',
    )
    .option('--yes', 'confirm the wipe', false)
    .option('--clock', 'also bring the sandbox clock back to real time', false)
    .action(async (opts) => {
      if (!opts.yes) {
        throw new Error(
          'reset wipes every coupon in the sandbox; run `wxcoupon reset --yes` to do it',
        )
      }
      const admin = await openAdmin(opts)
      const answer = (await admin.call('POST', '/sandbox/reset', { clock: opts.clock })) as {
        clock?: string
      }
      const clock = answer.clock ? `; clock back to real time (${answer.clock})` : ''
      print(
        opts,
        answer,
        `sandbox at ${admin.baseUrl} reset: coupons wiped, tenants and keys kept${clock}`,
      )
    })
}

/**
 * The options every client command shares; added per leaf so they may follow the arguments.
 * The server is the one whose sandbox.json is in the data dir, or `--base-url` with `--token`.
 */
export function controls<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .addOption(
      new Option('--data-dir <dir>', 'data dir of the running server (reads its sandbox.json)')
        .env('WXCOUPON_DATA_DIR')
        .default('.wxcoupon'),
    )
    .addOption(
      new Option('--base-url <url>', 'a server started elsewhere (with --token)')
        .env('WXCOUPON_BASE_URL')
        .argParser(httpUrl),
    )
    .addOption(
      new Option('--token <token>', "that server's admin token (from its sandbox.json)").env(
        'WXCOUPON_TOKEN',
      ),
    )
    .option('--json', "print the server's JSON answer", false)
}

function httpUrl(value: string): string {
  if (!/^https?:\/\/[^/\s]+/.test(value)) {
    throw new InvalidArgumentError('must be an http(s) URL such as http://127.0.0.1:8080')
  }
  return value.replace(/\/+$/, '')
}

const PATHS = { 'product-coupon': 'product-coupons', stock: 'stocks' } as const
type Kind = keyof typeof PATHS

function review(
  program: Command,
  move: 'approve' | 'reject' | 'pause' | 'resume',
  description: string,
  kinds: readonly Kind[],
) {
  const cmd = controls(program.command(move))
    .description(description)
    .addArgument(new Argument('<kind>', kinds.join(' or ')).choices(kinds))
    .argument('<id>', kinds.length > 1 ? 'product_coupon_id or stock_id' : 'stock_id')
  // Read back untyped: only `reject` declares --reason, and the body accepts it only there.
  cmd.action(async (kind, id, opts) => {
    const reason = (opts as { reason?: string }).reason
    const admin = await openAdmin(opts)
    const entity = (await admin.call(
      'POST',
      `/sandbox/${PATHS[kind]}/${encodeURIComponent(id)}/${move}`,
      reason === undefined ? undefined : { reason },
    )) as { state?: string }
    print(opts, entity, `${kind.replace('-', ' ')} ${id}: ${entity.state ?? move}`)
  })
  return cmd
}

interface Fault {
  fault_id: string
  operation: string
  mode: string
  count?: number
  probability?: number
  delay_ms?: number
  hits: number
}

function describeFault(f: Fault): string {
  const what = f.mode === 'DELAY' ? `DELAY ${f.delay_ms ?? 0} ms` : f.mode
  const scope =
    f.count !== undefined ? `next ${f.count} calls` : `probability ${f.probability ?? 0}`
  return `fault ${f.fault_id}: ${f.operation} → ${what}, ${scope} (${f.hits} hit so far)`
}

export function print(opts: { json: boolean }, answer: unknown, line: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(answer, null, 2)}\n` : `${line}\n`)
}

function duration(value: string): number {
  if (value.startsWith('-')) throw new InvalidArgumentError('the sandbox clock only moves forward')
  const seconds = parseDuration(value)
  if (seconds === undefined) {
    throw new InvalidArgumentError('give seconds, or a number with s, m, h or d (90s, 15m, 2h, 3d)')
  }
  return seconds
}

// Checked here because the server, seeing neither body shape, would only name advance_seconds.
function rfc3339(value: string): string {
  if (parseRfc3339(value) === undefined) {
    throw new InvalidArgumentError('must be an RFC 3339 time such as 2030-01-01T00:00:00+08:00')
  }
  return value
}

function wholeNumber(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('must be a whole number')
  }
  return n
}

function probability(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError('must be a number from 0 to 1')
  }
  return n
}
