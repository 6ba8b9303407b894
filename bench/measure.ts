import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadResult } from './load-types.ts'
import { presign, type Signer, type UnsignedRequest } from './presign.ts'
import { cpuSeconds, load, type ServerUnderTest, sampleRss, startFloor } from './processes.ts'

export interface Timing {
  warmupSeconds: number
  durationSeconds: number
  connections: number
}

/** What a run is: scenario, servers, database. */
export interface RunLabel {
  scenario: string
  /** Processes serving, per instance. */
  workers: number
  coupons: number
  /** Absent for the floor server, which has none. */
  db?: 'sqlite' | 'postgres'
  /** Separate servers sharing the load (and, on PostgreSQL, the database). */
  instances?: number
  rate?: number
}

export interface RunFigure extends LoadResult, Omit<RunLabel, 'rate'> {
  /** Largest resident set of any one server process during the run. */
  rssMb: number
  /** Server CPU time (all its processes) per answered request, warm-up included. */
  cpuUsPerRequest: number
  /** Offered rate, when fixed. */
  offered?: number
}

/** Single-core RSA-2048 SHA-256 signatures per second over a ~3 KB message. */
export function rsaSignRate(seconds = 2): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const msg = Buffer.from(`1754272800\nNONCE\n${'x'.repeat(3000)}\n`)
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < seconds * 1000) {
    sign('sha256', msg, privateKey)
    n++
  }
  return n / ((performance.now() - t0) / 1000)
}

/** Signs the requests, fires them at the servers, samples their memory meanwhile. */
export async function measureRun(
  servers: ServerUnderTest[],
  signer: Signer,
  requests: UnsignedRequest[],
  timing: Timing,
  label: RunLabel,
): Promise<RunFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-req-'))
  try {
    const file = join(dir, 'requests.jsonl')
    await presign(file, signer, requests)
    const pids = servers.map((s) => s.child.pid as number)
    const samplers = pids.map(sampleRss)
    const cpu = () => pids.reduce((a, pid) => a + cpuSeconds(pid), 0)
    const cpu0 = cpu()
    const result = await load({
      urls: servers.map((s) => s.url),
      file,
      connections: timing.connections,
      warmupSeconds: timing.warmupSeconds,
      durationSeconds: timing.durationSeconds,
      ...(label.rate ? { rate: label.rate } : {}),
    })
    const { rate, ...rest } = label
    return {
      ...rest,
      ...result,
      rssMb: Math.max(...samplers.map((stop) => stop())),
      cpuUsPerRequest: ((cpu() - cpu0) * 1e6) / Math.max(1, result.answered),
      ...(rate ? { offered: rate } : {}),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The floor server with `workers` workers, measured the same way: return-shaped signed POSTs,
 * each verified, each answered with a signed ~3 KB body.
 */
export async function measureFloor(
  workers: number,
  signRate: number,
  timing: Timing,
  /** A fixed offered rate (paced), to see the latency tail of the machine and load generator. */
  rate?: number,
): Promise<RunFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-floor-'))
  const keys = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
  const partner = keys()
  const platform = keys()
  writeFileSync(join(dir, 'partner.pub.pem'), partner.publicKey)
  writeFileSync(join(dir, 'platform.pem'), platform.privateKey)
  const floor = await startFloor({
    workers,
    partnerPublicKeyFile: join(dir, 'partner.pub.pem'),
    platformPrivateKeyFile: join(dir, 'platform.pem'),
  })
  try {
    // Enough for the floor at its ceiling (one signature per request per worker), or paced.
    const count = Math.ceil(
      (rate ?? signRate * workers) * (timing.warmupSeconds + timing.durationSeconds) * 1.1,
    )
    const requests: UnsignedRequest[] = Array.from({ length: count }, (_, i) => ({
      method: 'POST',
      path: `/v3/marketing/partner/product-coupon/users/oFLOOR${i}/coupons/${i}/return`,
      body: JSON.stringify({ out_request_no: `FLOOR${i}`, brand_id: '120001', appid: 'wx0' }),
    }))
    const signer = { mchid: '1900000001', serialNo: 'FLOOR', privateKeyPem: partner.privateKey }
    return await measureRun([floor], signer, requests, timing, {
      scenario: 'floor',
      workers,
      coupons: 0,
      ...(rate ? { rate } : {}),
    })
  } finally {
    await floor.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
