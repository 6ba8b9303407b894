import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A loopback notify URL that answers 204 after `delayMs`, identifies each delivery by the
 * envelope's notification id, and records what a partner would worry about: ids delivered
 * more than once, and deliveries of one id that overlapped in time (two senders at once).
 */
export async function deliveryRecorder(delayMs: number) {
  const count = new Map<string, number>()
  const inFlight = new Map<string, number>()
  let overlaps = 0
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => {
      text += c.toString()
    })
    req.on('end', async () => {
      let id = ''
      try {
        id = String(JSON.parse(text).id)
      } catch {}
      count.set(id, (count.get(id) ?? 0) + 1)
      const now = (inFlight.get(id) ?? 0) + 1
      inFlight.set(id, now)
      if (now > 1) overlaps++
      await sleep(delayMs)
      inFlight.set(id, (inFlight.get(id) ?? 1) - 1)
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/wxcoupon/notify`,
    /** Distinct ids delivered. */
    get distinct() {
      return count.size
    },
    get duplicates() {
      return [...count.values()].reduce((a, n) => a + n - 1, 0)
    },
    get overlaps() {
      return overlaps
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
