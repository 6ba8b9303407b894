import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  clientOptionsFromSandbox,
  createNotificationHandler,
  type Notification,
  NotificationError,
  notificationErrorStatus,
  notificationFailure,
  readSandboxFile,
  WxCouponClient,
} from '@wxcoupon/sdk'

export interface ListenOptions {
  host: string
  port: number
  path: string
  dataDir: string
  register: boolean
  json: boolean
}

/**
 * A callback receiver for the sandbox partner, as an integrator would write one with the SDK:
 * every delivery is verified and decrypted, each event printed once. Unless told otherwise it
 * registers its own URL as the partner's notify_url, before the ready line, so a coupon sent
 * after that line is delivered here at the first attempt rather than at the first retry.
 * Signals as in `serve`: handlers first, so a signal during start-up still exits 0.
 */
export async function listen(opts: ListenOptions): Promise<void> {
  let server: Server | undefined
  let stopRequested = false
  const stop = () => {
    stopRequested = true
    if (!server) return
    server.close(() => process.exit(0))
    // Keep-alive connections from the sandbox would otherwise hold close() open.
    server.closeAllConnections()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  const sandbox = await readSandboxFile(opts.dataDir)
  const out = (line: string) => process.stdout.write(`${line}\n`)
  const handler = createNotificationHandler<Record<string, unknown>>({
    platformPublicKey: sandbox.platform.public_key_file,
    platformPublicKeyId: sandbox.platform.public_key_id,
    apiv3Key: sandbox.partner.apiv3_key,
    onEvent: (n) => {
      out(opts.json ? JSON.stringify(n) : describeEvent(n))
    },
    onError: (e) => {
      process.stderr.write(`wxcoupon: ${describeFailure(e)}\n`)
    },
  })
  const s = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === opts.path) return handler(req, res)
    const text = JSON.stringify(notificationFailure(`callbacks go to ${opts.path}`))
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' }).end(text)
  })
  server = s
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.listen(opts.port, opts.host, () => {
      s.off('error', reject)
      resolve()
    })
  })
  if (stopRequested) return stop()
  const url = `http://${urlHost(opts.host)}:${(s.address() as AddressInfo).port}${opts.path}`

  if (opts.register) {
    const client = new WxCouponClient(clientOptionsFromSandbox(sandbox))
    try {
      await client.setNotifyConfig({ notify_url: url })
    } catch (e) {
      s.closeAllConnections()
      s.close()
      const why = e instanceof Error ? e.message : String(e)
      throw new Error(`cannot register ${url} as notify_url at ${sandbox.base_url}: ${why}`)
    }
  }
  if (stopRequested) return stop()
  const mchid = sandbox.partner.mchid
  out(
    opts.json
      ? JSON.stringify({ listening: url, registered: opts.register, mchid })
      : `wxcoupon listening for callbacks on ${url} (${
          opts.register ? `registered as notify_url of partner ${mchid}` : 'not registered'
        })`,
  )
}

/** One line a person can scan: what happened, to which coupon, and the id to dedupe on. */
function describeEvent(n: Notification<Record<string, unknown>>): string {
  const fields = ['coupon_code', 'openid', 'send_channel']
    .filter((k) => typeof n.data[k] === 'string')
    .map((k) => `${k}=${String(n.data[k])}`)
  return [n.event_type, ...fields, `id=${n.id}`].join(' ')
}

function describeFailure(e: unknown): string {
  if (e instanceof NotificationError) {
    return `refused a callback (${notificationErrorStatus(e)} ${e.reason}): ${e.message}`
  }
  return `error while handling a callback: ${e instanceof Error ? e.message : String(e)}`
}

/** The address to advertise: a wildcard bind is reachable on loopback, IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
