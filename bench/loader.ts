/**
 * The load generator, in its own process (forked by bench/run.ts with IPC): autocannon over
 * keep-alive connections, every request taken in turn from a file of requests signed before the
 * measured window (unique nonce each). With several servers the connections are dealt to them
 * round-robin, one autocannon instance per server drawing from the same file. A warm-up, then a
 * fixed duration; latencies are kept at full precision from autocannon's per-response events
 * rather than its integer histogram.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { LoadJob, LoadResult, PresignedRequest } from './load-types.ts'
import { paced } from './paced.ts'

type Recorder = (status: number, ms: number) => void

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}

async function run(job: LoadJob): Promise<LoadResult> {
  const all = readFileSync(job.file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as PresignedRequest)
  let next = 0
  let wrapped = false
  let answered = 0
  const take = () => {
    if (next === all.length) {
      next = 0
      wrapped = true
    }
    return all[next++] as PresignedRequest
  }
  /** One autocannon instance on one server with its share of the connections. */
  const cannon = (url: string, connections: number, seconds: number, record: Recorder) =>
    new Promise<autocannon.Result>((ok, fail) => {
      const instance = autocannon(
        {
          url,
          connections,
          duration: seconds,
          requests: [{ setupRequest: (req) => ({ ...req, ...take() }) }],
        },
        (err, r) => (err ? fail(err) : ok(r)),
      )
      instance.on('response', (_client, status, _bytes, ms) => record(status, ms))
    })
  const attack = async (seconds: number, record: boolean) => {
    const latencies: number[] = []
    const non2xx: Record<string, number> = {}
    const recorder: Recorder = (status, ms) => {
      answered++
      if (!record) return
      latencies.push(ms)
      if (status < 200 || status > 299) non2xx[status] = (non2xx[status] ?? 0) + 1
    }
    const n = job.urls.length
    const results = await Promise.all(
      job.urls.map((url, i) =>
        cannon(
          url,
          Math.floor(job.connections / n) + (i < job.connections % n ? 1 : 0),
          seconds,
          recorder,
        ),
      ),
    )
    const errors = results.reduce((a, r) => a + r.errors + r.timeouts, 0)
    const duration = Math.max(...results.map((r) => r.duration))
    return { duration, errors, latencies, non2xx }
  }
  if (job.rate) {
    const p = await paced({ ...job, rate: job.rate }, take)
    return summary(p.latencies, p.seconds, p.errors, p.non2xx, wrapped, p.answered)
  }
  if (job.warmupSeconds > 0) await attack(job.warmupSeconds, false)
  const { duration, errors, latencies, non2xx } = await attack(job.durationSeconds, true)
  return summary(latencies, duration, errors, non2xx, wrapped, answered)
}

function summary(
  latencies: number[],
  seconds: number,
  errors: number,
  non2xx: Record<string, number>,
  wrapped: boolean,
  answered: number,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort()
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    errors,
    non2xx,
    wrapped,
    answered,
  }
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (r) => process.send?.({ ok: r }, () => process.exit(0)),
    (e: unknown) => process.send?.({ error: String(e) }, () => process.exit(1)),
  )
})
