import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { WxCouponClient } from '../../packages/sdk/src/client/client.ts'
import { clientOptionsFromSandbox } from '../../packages/sdk/src/client/sandbox-file.ts'
import type { SandboxFile } from '../../packages/sdk/src/schemas/sandbox-file.ts'
import { type CouponRef, productCouponBody, reqNo } from './fixtures.ts'
import type { TestServer } from './harness.ts'

/**
 * The seed's Go and Java samples (test/clients/seed-samples, copied verbatim from
 * shared/seed) as the tests run them: which toolchains are here, a copy with the sample's
 * TODO values filled in, and a coupon for its return call to act on.
 */

export const SAMPLES = fileURLToPath(new URL('../clients/seed-samples/', import.meta.url))
export const JARS = ['okhttp', 'okio', 'gson'].map((j) => `/usr/share/java/${j}.jar`)
export const run = promisify(execFile)

async function has(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args, { timeout: 30_000 }).then(
    () => true,
    () => false,
  )
}

export const toolchains = {
  go: await has('go', ['version']),
  java: (await has('javac', ['-version'])) && JARS.every((j) => existsSync(j)),
}

/**
 * `skip` for a suite needing a toolchain: false, or the reason. CI sets
 * WXCOUPON_REQUIRE_CLIENTS=1, and then a missing toolchain fails the tests instead.
 */
export function skipUnless(available: boolean, what: string): false | string {
  if (available || process.env.WXCOUPON_REQUIRE_CLIENTS === '1') return false
  return `${what} not installed (apt-get install -y golang-go default-jdk-headless libokhttp-java libgoogle-gson-java); set WXCOUPON_REQUIRE_CLIENTS=1 to fail instead`
}

export interface Filled {
  mchid: string
  serial: string
  keyFile: string
  platformKeyId: string
  platformKeyFile: string
  coupon: CouponRef
  outRequestNo: string
}

/** The sample's TODO values, replaced once each (the stock id before its product coupon id prefix). */
export function fillIn(source: string, f: Filled): string {
  const values: [string, string][] = [
    ['"19xxxxxxxx"', f.mchid],
    ['"1DDE55AD98Exxxxxxxxxx"', f.serial],
    ['"/path/to/apiclient_key.pem"', f.keyFile],
    ['"PUB_KEY_ID_xxxxxxxxxxxxx"', f.platformKeyId],
    ['"/path/to/wxp_pub.pem"', f.platformKeyFile],
    ['"123446565767"', f.coupon.coupon_code],
    ['"oh-394z-6CGkNoJrsDLTTUKiAnp4"', f.coupon.openid],
    ['"100232301"', f.coupon.stock_id],
    ['"1002323"', f.coupon.product_coupon_id],
    ['"wx233544546545989"', f.coupon.appid],
    ['"MCHRETURN202003101234"', f.outRequestNo],
    ['"120344"', f.coupon.brand_id],
  ]
  let out = source
  for (const [placeholder, value] of values) {
    assert.ok(out.includes(placeholder), `the sample has ${placeholder}`)
    out = out.replace(placeholder, JSON.stringify(value))
  }
  assert.ok(out.includes('"https://api.mch.weixin.qq.com"'), 'the host is left as it is')
  return out
}

/** A copy of the Go sample (module `demo`) with its values filled in. */
export function goSample(into: string, f: Filled): string {
  const dir = mkdtempSync(join(into, 'go-'))
  cpSync(join(SAMPLES, 'go'), dir, { recursive: true })
  const main = join(dir, 'main.go')
  writeFileSync(main, fillIn(readFileSync(main, 'utf8'), f))
  return dir
}

/** A copy of the Java sources (com/java/…) with the sample's values filled in. */
export function javaSample(into: string, f: Filled): string {
  const dir = mkdtempSync(join(into, 'java-'))
  cpSync(join(SAMPLES, 'java'), dir, { recursive: true })
  const main = join(dir, 'com', 'java', 'demo', 'ReturnUserProductCoupon.java')
  writeFileSync(main, fillIn(readFileSync(main, 'utf8'), f))
  return dir
}

/** Go's environment for an offline build with caches of its own. */
export function goEnv(work: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: work,
    GOCACHE: join(work, 'go-cache'),
    GOPATH: join(work, 'gopath'),
    GOPROXY: 'off',
    GOFLAGS: '-mod=mod',
    GO111MODULE: 'on',
  }
}

/** fetch over node:https trusting `ca` (Node's fetch cannot be given a CA). */
export function fetchTrusting(ca: string | Buffer): typeof fetch {
  return (input, init) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        String(input),
        { method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, ca },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const headers = new Headers()
            for (const [k, v] of Object.entries(res.headers)) {
              if (typeof v === 'string') headers.set(k, v)
            }
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }))
          })
        },
      )
      req.on('error', reject)
      req.end(init?.body ?? undefined)
    })
}

/** The SDK as the sandbox's ready partner, over https when the sandbox serves it. */
export function sandboxClient(sb: SandboxFile): WxCouponClient {
  return new WxCouponClient({
    ...clientOptionsFromSandbox(sb),
    ...(sb.base_url.startsWith('https:')
      ? { fetch: fetchTrusting(readFileSync(sb.ca_file ?? '')) }
      : {}),
  })
}

/**
 * A coupon of `kind` sent, confirmed and used (SEQUENTIAL: its first round), made with the SDK
 * so that it works against any sandbox, https included.
 */
export async function usedCouponVia(
  sb: SandboxFile,
  kind: { mode?: 'SINGLE' | 'SEQUENTIAL' } = {},
): Promise<CouponRef> {
  const c = sandboxClient(sb)
  const created = await c.createProductCoupon(
    productCouponBody({ sandbox: sb } as TestServer, { ...kind, rounds: 2 }),
  )
  const ref = {
    product_coupon_id: created.product_coupon_id,
    stock_id: created.stock.stock_id,
    appid: sb.appid,
    brand_id: sb.brand_id,
  }
  const sent = await c.sendCoupon({ ...ref, openid: sb.openid, send_request_no: reqNo('SEND') })
  const coupon = { ...ref, openid: sb.openid, coupon_code: sent.coupon_code }
  await c.confirmCoupon({ ...coupon, out_request_no: reqNo('CFM') })
  await c.useCoupon({
    ...coupon,
    use_time: sent.valid_begin_time,
    associated_order_info: { transaction_id: '4200000000123456789123456789' },
    out_request_no: reqNo('USE'),
    ...(kind.mode === 'SEQUENTIAL' ? { sequential_coupon_index: 0 } : {}),
  })
  return coupon
}
