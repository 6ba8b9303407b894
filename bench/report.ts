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
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(digits ? 7 : 6)
const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n))

export function table(r: BenchReport): string {
  const m = r.machine
  const lines = [
    `machine: ${m.cores} cores, ${m.cpu}, Node ${m.node}; RSA-2048 sign ${m.rsaSignPerSecond.toFixed(0)}/s on one core`,
    `each run: ${r.timing.warmupSeconds} s warm-up, ${r.timing.durationSeconds} s measured, ${r.timing.connections} connections, requests signed beforehand`,
    '',
    'scenario        workers  coupons     req/s  vs floor    p50 ms    p99 ms    max ms  errors  RSS MB  CPU µs/req',
  ]
  const row = (f: RunFigure, ratio: string) => {
    const errs = f.errors + Object.values(f.non2xx).reduce((a, b) => a + b, 0)
    const name = f.offered ? `${f.scenario}@${f.offered}/s` : f.scenario
    lines.push(
      `${name.padEnd(16)}${String(f.workers).padStart(7)}  ${k(f.coupons).padStart(7)}  ${fmt(f.rps)}  ${ratio.padStart(8)}  ${fmt(f.p50, 2)}  ${fmt(f.p99, 2)}  ${fmt(f.max, 1)}  ${String(errs).padStart(6)}  ${fmt(f.rssMb)}  ${fmt(f.cpuUsPerRequest).padStart(10)}${f.wrapped ? '  (request file reused!)' : ''}`,
    )
  }
  for (const f of r.floor) row(f, f.offered ? '—' : '1.00')
  for (const f of r.runs) row(f, f.offered ? '—' : f.ratioToFloor.toFixed(2))
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
