/**
 * Callbacks delivered per second: a backlog of pending callbacks, then the rate at which one
 * server drains it into a local receiver that answers 204 at once.
 *
 * The backlog: returns with `notify.emitUseReturnEvents` on and no notify_url yet, which the
 * outbox holds back untried (src/store/queries/outbox.ts). Setting the notify_url to the
 * receiver releases them all at once, and nothing but delivery runs in the server meanwhile.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clientOptionsFromSandbox, SandboxAdminClient, WxCouponClient } from '@wxcoupon/sdk'
import { measureRun, type Timing } from './measure.ts'
import { cpuSeconds, sampleRss, startWxcoupon } from './processes.ts'
import { settingsFile, signerOf } from './sandbox-files.ts'
import { returnRequest } from './scenarios.ts'
import { seed } from './seed-data.ts'

export interface CallbackFigure {
  scenario: 'callbacks'
  db: 'sqlite'
  workers: number
  /** Callbacks pending when delivery was let go (delivered + still pending, ≤ 999 counted). */
  pending: number
  delivered: number
  /** From the first delivery to the last. */
  seconds: number
  perSecond: number
  rssMb: number
  /** Server CPU time per delivered callback, from the clock's move to the last delivery. */
  cpuUsPerCallback: number
}

const NOTIFY = {
  schedule: 'standard',
  timeoutMs: 5000,
  allowPrivateNetworks: false,
  emitUseReturnEvents: true,
}

/** Counts POSTs and answers each 204 once its body is read. */
async function startReceiver() {
  const arrivals: number[] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      arrivals.push(performance.now())
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench/notify`,
    arrivals,
    close: () => {
      server.closeAllConnections()
      return new Promise((ok) => server.close(ok))
    },
  }
}

/** Polls `done` every 50 ms until it holds or `seconds` have passed. */
async function until(done: () => boolean, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000
  while (performance.now() < end && !done()) await new Promise((r) => setTimeout(r, 50))
}

export async function measureCallbacks(o: {
  timing: Timing
  /** Returns enough to keep the server busy for the run. */
  returns: number
}): Promise<CallbackFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-cb-'))
  const receiver = await startReceiver()
  try {
    const used = await seed(dir, { coupons: o.returns, state: 'USED' })
    const settings = settingsFile(dir, { notify: NOTIFY })
    const server = await startWxcoupon({ dataDir: dir, workers: 1, settingsFile: settings })
    try {
      const { signer, sandbox } = signerOf(dir)
      const requests = Array.from({ length: used.count }, (_, i) =>
        returnRequest(used.stock, used.coupon(i)),
      )
      await measureRun(
        [server],
        signer,
        requests,
        { ...o.timing, warmupSeconds: 0 },
        {
          scenario: 'queue callbacks',
          workers: 1,
          coupons: used.count,
        },
      )
      const pid = server.child.pid as number
      const rss = sampleRss(pid)
      const cpu0 = cpuSeconds(pid)
      await new WxCouponClient(clientOptionsFromSandbox(sandbox)).setNotifyConfig({
        notify_url: receiver.url,
      })
      // Until half a second passes with nothing new; bounded, whatever the server does.
      let seen = -1
      let quietSince = performance.now()
      await until(
        () => {
          if (receiver.arrivals.length !== seen) {
            seen = receiver.arrivals.length
            quietSince = performance.now()
          }
          return performance.now() - quietSince > 500
        },
        10 + used.count / 200,
      )
      const cpu = cpuSeconds(pid) - cpu0
      const delivered = receiver.arrivals.length
      const seconds = ((receiver.arrivals.at(-1) ?? 0) - (receiver.arrivals[0] ?? 0)) / 1000
      const admin = SandboxAdminClient.fromSandboxFile(sandbox)
      const left = await admin.listNotifications({ state: 'PENDING', limit: '999' })
      return {
        scenario: 'callbacks',
        db: 'sqlite',
        workers: 1,
        pending: delivered + left.notifications.length,
        delivered,
        seconds,
        perSecond: seconds > 0 ? delivered / seconds : 0,
        rssMb: rss(),
        cpuUsPerCallback: (cpu * 1e6) / Math.max(1, delivered),
      }
    } finally {
      await server.stop()
    }
  } finally {
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
