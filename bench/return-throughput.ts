/**
 * Return-path throughput on loopback: one server process (the built CLI), N coupons made USED
 * beforehand, N return requests signed before the clock starts, fired with C in flight.
 * Also times the per-return budget's pieces in isolation: one signature verify, one response
 * signature. Bounded in count and time; targets 127.0.0.1 only.
 *
 *   npm run bench                      # N=2000, C=16
 *   BENCH_N=5000 BENCH_C=32 npm run bench
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatRfc3339 } from '../src/domain/time.ts'
import { signRequest } from '../src/protocol/authorization.ts'
import { WxCouponClient } from '../src/sdk/client.ts'
import type { SandboxFile } from '../src/server/start.ts'

const N = Number(process.env.BENCH_N ?? 2000)
const C = Number(process.env.BENCH_C ?? 16)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const out = (s: string) => process.stdout.write(`${s}\n`)

/** The bench measures the return path itself, so the spec's 500/s interface limit is off. */
function benchSettings(dir: string): string {
  const file = join(dir, 'bench-settings.json')
  writeFileSync(
    file,
    JSON.stringify({ rateLimits: { enabled: false, per: 'brand', overrides: {} } }),
  )
  return file
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const profile = process.env.BENCH_PROFILE
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : []
  const child = spawn(
    process.execPath,
    [
      ...profile,
      join(ROOT, 'dist/cli/main.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--settings',
      benchSettings(dir),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let buf = ''
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf)
      if (m?.[1]) resolve(m[1])
    })
    child.on('exit', () => reject(new Error('server exited')))
  })
  return { child, url }
}

async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T)
    }),
  )
}

/** CPU seconds the server process has used (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

function microBudget(): { signPerSec: number; verifyPerSec: number } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const msg = Buffer.from(`1754272800\nNONCE\n${'x'.repeat(2500)}\n`)
  const signature = sign('sha256', msg, privateKey)
  const time = (n: number, f: () => void) => {
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) f()
    return n / (Number(process.hrtime.bigint() - t) / 1e9)
  }
  return {
    signPerSec: time(1000, () => sign('sha256', msg, privateKey)),
    verifyPerSec: time(5000, () => verify('sha256', msg, publicKey, signature)),
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-'))
  const { child, url } = await startServer(dir)
  try {
    const sb = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxFile
    const client = new WxCouponClient({
      mchid: sb.partner.mchid,
      serialNo: sb.partner.serial_no,
      privateKey: sb.partner.private_key_file,
      platformPublicKey: sb.platform.public_key_file,
      platformPublicKeyId: sb.platform.public_key_id,
      baseUrl: url,
      retry: { maxRetries: 0 },
    })
    const now = Math.floor(Date.now() / 1000)
    const pc = await client.createProductCoupon({
      out_request_no: `BENCH_${now}`,
      brand_id: sb.brand_id,
      scope: 'ALL',
      type: 'NORMAL',
      usage_mode: 'SINGLE',
      single_usage_info: { normal_coupon: { threshold: 0, discount_amount: 100 } },
      display_info: { name: 'bench', image_url: 'https://a/i', background_url: 'https://a/b' },
      stock: {
        coupon_code_mode: 'WECHATPAY',
        stock_send_rule: { max_count: N + 10 },
        single_usage_rule: {
          coupon_available_period: {
            available_begin_time: formatRfc3339(now - 86_400),
            available_end_time: formatRfc3339(now + 30 * 86_400),
          },
        },
        usage_rule_display_info: {
          coupon_usage_method_list: ['OFFLINE'],
          usage_description: 'bench',
        },
        coupon_display_info: { code_display_mode: 'INVISIBLE' },
        notify_config: { notify_appid: sb.appid },
        store_scope: 'NONE',
      },
    })
    const ref = {
      product_coupon_id: pc.product_coupon_id,
      stock_id: pc.stock.stock_id,
      appid: sb.appid,
      brand_id: sb.brand_id,
    }
    const codes: string[] = []
    const prepStart = Date.now()
    await pool(
      Array.from({ length: N }, (_, i) => i),
      16,
      async (i) => {
        const sent = await client.sendCoupon({
          openid: sb.openid,
          ...ref,
          send_request_no: `BSEND${now}x${i}`,
        })
        const c = { openid: sb.openid, coupon_code: sent.coupon_code, ...ref }
        await client.confirmCoupon({ ...c, out_request_no: `BCFM${now}x${i}` })
        await client.useCoupon({
          ...c,
          use_time: formatRfc3339(Math.floor(Date.now() / 1000)),
          associated_order_info: { transaction_id: '4200000000123456789123456789' },
          out_request_no: `BUSE${now}x${i}`,
        })
        codes.push(sent.coupon_code)
      },
    )
    out(
      `prepared ${N} USED coupons in ${((Date.now() - prepStart) / 1000).toFixed(1)} s (send+confirm+use, 16 in flight)`,
    )

    const key = createPrivateKey(readFileSync(sb.partner.private_key_file))
    createPublicKey(readFileSync(sb.platform.public_key_file))
    const requests = codes.map((code, i) => {
      const path = `/v3/marketing/partner/product-coupon/users/${sb.openid}/coupons/${code}/return`
      const body = JSON.stringify({ ...ref, out_request_no: `BRET${now}x${i}` })
      const { authorization } = signRequest({
        method: 'POST',
        url: path,
        body,
        mchid: sb.partner.mchid,
        serialNo: sb.partner.serial_no,
        privateKey: key,
      })
      return { path, body, authorization }
    })
    const agent = new Agent({ keepAlive: true, maxSockets: C })
    const target = new URL(url)
    const latencies: number[] = []
    const statuses = new Map<number, number>()
    const cpu0 = cpuSeconds(child.pid)
    const t0 = process.hrtime.bigint()
    await pool(
      requests,
      C,
      (r) =>
        new Promise<void>((resolve, reject) => {
          const start = process.hrtime.bigint()
          const req = request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              method: 'POST',
              path: r.path,
              headers: {
                Authorization: r.authorization,
                'Content-Type': 'application/json',
                Accept: 'application/json',
              },
            },
            (res) => {
              res.resume()
              res.on('end', () => {
                latencies.push(Number(process.hrtime.bigint() - start) / 1e6)
                statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1)
                resolve()
              })
            },
          )
          req.on('error', reject)
          req.end(r.body)
        }),
    )
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const cpu1 = cpuSeconds(child.pid)
    agent.destroy()
    latencies.sort((a, b) => a - b)
    out(
      `returns: ${N} in ${seconds.toFixed(2)} s = ${(N / seconds).toFixed(0)} returns/s with ${C} in flight`,
    )
    out(
      `latency ms: p50 ${percentile(latencies, 50).toFixed(2)}  p90 ${percentile(latencies, 90).toFixed(2)}  p99 ${percentile(latencies, 99).toFixed(2)}  max ${(latencies.at(-1) ?? 0).toFixed(2)}`,
    )
    out(`statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`)
    if (cpu0 !== undefined && cpu1 !== undefined) {
      out(
        `server CPU per return: ${(((cpu1 - cpu0) * 1000) / N).toFixed(3)} ms (all threads of the server process)`,
      )
    }
    const m = microBudget()
    out(
      `budget pieces on this machine (one core): RSA-2048 sign ${m.signPerSec.toFixed(0)}/s (${(1000 / m.signPerSec).toFixed(3)} ms), verify ${m.verifyPerSec.toFixed(0)}/s (${(1000 / m.verifyPerSec).toFixed(3)} ms)`,
    )
    out(
      `one sign + one verify per return caps one core at ≈ ${(1000 / (1000 / m.signPerSec + 1000 / m.verifyPerSec)).toFixed(0)} returns/s`,
    )
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
