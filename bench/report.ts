import type { CallbackFigure } from './callbacks.ts'
import type { RunFigure } from './measure.ts'
import type { SdkFigure } from './sdk-speed.ts'

export interface Machine {
  cores: number
  cpu: string
  node: string
  /** Single-core RSA-2048 signatures per second, measured in this run. */
  rsaSignPerSecond: number
}

export interface BenchReport {
  machine: Machine
  timing: { warmupSeconds: number; durationSeconds: number; connections: number }
  floor: RunFigure[]
  runs: (RunFigure & { ratioToFloor: number })[]
  seeding: { coupons: number; seconds: number; perSecond: number }[]
  sdk: SdkFigure[]
  callbacks: CallbackFigure[]
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(digits ? 7 : 6)
const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n))

export function table(r: BenchReport): string {
  const m = r.machine
  const lines = [
    `machine: ${m.cores} cores, ${m.cpu}, Node ${m.node}; RSA-2048 sign ${m.rsaSignPerSecond.toFixed(0)}/s on one core`,
    `each run: ${r.timing.warmupSeconds} s warm-up, ${r.timing.durationSeconds} s measured, ${r.timing.connections} connections, requests signed beforehand`,
    '',
    'scenario                db        inst  workers  coupons     req/s  vs floor    p50 ms    p99 ms    max ms  errors  RSS MB  CPU µs/req',
  ]
  const row = (name: string, db: string, instances: string, workers: number, rest: string) =>
    lines.push(
      `${name.padEnd(24)}${db.padEnd(8)}${instances.padStart(6)}${String(workers).padStart(9)}  ${rest}`,
    )
  const run = (f: RunFigure, ratio: string) => {
    const errs = f.errors + Object.values(f.non2xx).reduce((a, b) => a + b, 0)
    row(
      f.offered ? `${f.scenario}@${f.offered}/s` : f.scenario,
      f.db ?? '—',
      String(f.instances ?? 1),
      f.workers,
      `${k(f.coupons).padStart(7)}  ${fmt(f.rps)}  ${ratio.padStart(8)}  ${fmt(f.p50, 2)}  ${fmt(f.p99, 2)}  ${fmt(f.max, 1)}  ${String(errs).padStart(6)}  ${fmt(f.rssMb)}  ${fmt(f.cpuUsPerRequest).padStart(10)}${f.wrapped ? '  (request file reused!)' : ''}`,
    )
  }
  for (const f of r.floor) run(f, f.offered ? '—' : '1.00')
  for (const f of r.runs) run(f, f.offered ? '—' : f.ratioToFloor.toFixed(2))
  // Delivered per second at the receiver; "coupons" are the callbacks pending at the start,
  // "errors" those it did not get, CPU per callback delivered.
  const dash = '—'.padStart(7)
  for (const c of r.callbacks) {
    row(
      c.scenario,
      c.db,
      '1',
      c.workers,
      `${k(c.pending).padStart(7)}  ${fmt(c.perSecond)}  ${'—'.padStart(8)}  ${dash}  ${dash}  ${dash.slice(1)}  ${String(c.pending - c.delivered).padStart(6)}  ${fmt(c.rssMb)}  ${fmt(c.cpuUsPerCallback).padStart(10)}`,
    )
  }
  if (r.seeding.length) {
    lines.push('', 'seeding (wxcoupon seed):')
    for (const s of r.seeding) {
      lines.push(
        `  ${k(s.coupons)} coupons in ${s.seconds.toFixed(1)} s = ${s.perSecond.toFixed(0)}/s`,
      )
    }
  }
  if (r.sdk.length) {
    lines.push('', 'SDK calls/s (query one coupon, same server):')
    for (const s of r.sdk) {
      lines.push(
        `  ${s.library.padEnd(30)} ${fmt(s.callsPerSecond)}${s.verifiesResponses ? '' : '  (does not verify response signatures)'}${s.failures ? `  ${s.failures} failures` : ''}`,
      )
    }
  }
  return lines.join('\n')
}
