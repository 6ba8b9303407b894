import { readFileSync } from 'node:fs'
import { Wechatpay } from 'wechatpay-axios-plugin'
import WxPay from 'wechatpay-node-v3'
import { WxCouponClient } from '../packages/sdk/src/client/client.ts'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import { API, type CouponRef, type StockRef } from './scenarios.ts'

/**
 * Client-side speed: the same call — query one user coupon — made for a fixed time with a fixed
 * number in flight by this SDK and by the two most used npm WeChat Pay libraries, against the
 * same server. Each library does what it does per call: this SDK and wechatpay-axios-plugin
 * sign the request and verify the response signature; wechatpay-node-v3 only signs.
 */
export interface SdkFigure {
  library: string
  callsPerSecond: number
  verifiesResponses: boolean
  failures: number
}

type Call = () => Promise<unknown>

async function measure(call: Call, inFlight: number, seconds: number) {
  let calls = 0
  let failures = 0
  const end = performance.now() + seconds * 1000
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        try {
          await call()
          calls++
        } catch {
          failures++
        }
      }
    }),
  )
  return { callsPerSecond: calls / ((performance.now() - t0) / 1000), failures }
}

export async function sdkSpeed(o: {
  url: string
  sandbox: SandboxFile
  stock: StockRef
  coupon: CouponRef
  seconds: number
  inFlight: number
}): Promise<SdkFigure[]> {
  const sb = o.sandbox
  const privateKeyPem = readFileSync(sb.partner.private_key_file, 'utf8')
  const platformPem = readFileSync(sb.platform.public_key_file, 'utf8')
  const path = `${API}/users/${o.coupon.openid}/coupons/${o.coupon.coupon_code}`
  const query = new URLSearchParams({ ...o.stock }).toString()

  const ours = new WxCouponClient({
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: privateKeyPem,
    platformPublicKey: platformPem,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: o.url,
    retry: { maxRetries: 0 },
  })
  // biome-ignore lint/suspicious/noExplicitAny: the plugin's chained API is untyped
  const axiosPlugin: any = new Wechatpay({
    mchid: sb.partner.mchid,
    serial: sb.partner.serial_no,
    privateKey: privateKeyPem,
    certs: { [sb.platform.public_key_id]: platformPem },
    baseURL: `${o.url}/`,
  } as never)
  const nodeV3 = new WxPay({
    appid: sb.appid,
    mchid: sb.partner.mchid,
    serial_no: sb.partner.serial_no,
    publicKey: Buffer.from(platformPem),
    privateKey: Buffer.from(privateKeyPem),
  })
  // Its helpers sign the URL minus api.mch.weixin.qq.com; other hosts are signed by path.
  // biome-ignore lint/suspicious/noExplicitAny: protected members, reached as its users do
  const v3 = nodeV3 as any

  const libraries: { library: string; verifiesResponses: boolean; call: Call }[] = [
    {
      library: 'wxcoupon SDK',
      verifiesResponses: true,
      call: () => ours.getUserCoupon({ ...o.coupon, ...o.stock }),
    },
    {
      library: 'wechatpay-axios-plugin 0.9.6',
      verifiesResponses: true,
      call: () =>
        axiosPlugin.v3.marketing.partner.productCoupon.users._openid_.coupons._coupon_code_.get({
          ...o.coupon,
          params: o.stock,
        }),
    },
    {
      library: 'wechatpay-node-v3 2.2.1',
      verifiesResponses: false,
      call: async () => {
        const r = await v3.getRequestV2(
          `${o.url}${path}?${query}`,
          v3.buildAuthorization('GET', `${path}?${query}`),
        )
        if (r.status !== 200) throw new Error(String(r.status))
      },
    },
  ]
  const out: SdkFigure[] = []
  for (const l of libraries) {
    await measure(l.call, o.inFlight, Math.min(1, o.seconds / 2)) // warm-up
    const m = await measure(l.call, o.inFlight, o.seconds)
    out.push({ library: l.library, verifiesResponses: l.verifiesResponses, ...m })
  }
  return out
}
