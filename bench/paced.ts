import { Agent, request } from 'node:http'
import type { LoadJob, LoadResult, PresignedRequest } from './load-types.ts'

/**
 * Fixed-rate load: request i is sent at t0 + i / rate whatever happened to the others (an
 * open model, as real traffic is), and its latency is measured from that scheduled moment, so
 * a stall of the server shows in the figures instead of silently slowing the sender.
 * autocannon's overallRate releases each second's quota in a burst, which measures the burst.
 */
export async function paced(
  job: LoadJob & { rate: number },
  take: () => PresignedRequest,
): Promise<{
  latencies: number[]
  non2xx: Record<string, number>
  errors: number
  seconds: number
  answered: number
}> {
  const urls = job.urls.map((u) => new URL(u))
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections * 4 })
  const latencies: number[] = []
  const non2xx: Record<string, number> = {}
  let errors = 0
  let answered = 0
  const send = (r: PresignedRequest, url: URL, scheduled: number, record: boolean) =>
    new Promise<void>((done) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path,
          headers: r.headers,
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            answered++
            if (record) {
              latencies.push(performance.now() - scheduled)
              const s = res.statusCode ?? 0
              if (s < 200 || s > 299) non2xx[s] = (non2xx[s] ?? 0) + 1
            }
            done()
          })
        },
      )
      req.on('error', () => {
        if (record) errors++
        done()
      })
      req.end(r.body)
    })
  const phase = async (seconds: number, record: boolean) => {
    const total = Math.floor(seconds * job.rate)
    const t0 = performance.now()
    const inFlight: Promise<void>[] = []
    for (let i = 0; i < total; i++) {
      const at = t0 + (i * 1000) / job.rate
      const wait = at - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      inFlight.push(send(take(), urls[i % urls.length] as URL, at, record))
    }
    await Promise.all(inFlight)
    return (performance.now() - t0) / 1000
  }
  if (job.warmupSeconds > 0) await phase(job.warmupSeconds, false)
  const seconds = await phase(job.durationSeconds, true)
  agent.destroy()
  return { latencies, non2xx, errors, seconds, answered }
}

export type { LoadResult }
