import {
  clientOptionsFromSandbox,
  readSandboxFile,
  SandboxAdminClient,
  type SandboxFile,
  WxCouponBrandClient,
  WxCouponClient,
} from '@wxcoupon/sdk'
import { DAY, formatRfc3339, parseRfc3339 } from '../domain/time.ts'

/**
 * The newcomer's second command: one coupon through its whole life against a running server,
 * using only what sandbox.json publishes and the SDK, as an integrator would. With `brand`,
 * the same walk in brand-direct mode: the brand calls /brand/… itself with the brand client
 * (brand_id left out of every call: the brand signature names it).
 */
export async function runDemo(opts: { dataDir: string; brand?: boolean }): Promise<void> {
  const sandbox = await readSandboxFile(opts.dataDir)
  const out = (line: string) => process.stdout.write(`${line}\n`)
  // A retry (a fault injected with `wxcoupon faults add`, a 429) is shown, never hidden.
  const onRetry = (e: {
    retry: number
    method: string
    target: string
    delayMs: number
    error: unknown
  }) =>
    out(
      `   retry ${e.retry} of ${e.method} ${e.target} in ${e.delayMs} ms after ${(e.error as Error).message}`,
    )
  const direct = sandbox.brand_direct
  if (opts.brand && !direct)
    throw new Error('this server publishes no brand_direct tenant (upgrade it)')
  const client =
    opts.brand && direct
      ? brandAsPartner(direct, sandbox.base_url, onRetry)
      : new WxCouponClient({ ...clientOptionsFromSandbox(sandbox), onRetry })
  const now = await sandboxNow(sandbox)
  const run = `${Date.now().toString(36)}${process.pid}`
  const { brand_id, appid, openid } = opts.brand && direct ? direct : sandbox
  out(
    opts.brand
      ? `wxcoupon demo --brand against ${sandbox.base_url} (brand ${brand_id} calling /brand/… itself)`
      : `wxcoupon demo against ${sandbox.base_url} (partner ${sandbox.partner.mchid}, brand ${brand_id})`,
  )

  const pc = await client.createProductCoupon({
    out_request_no: `DEMO_CREATE_${run}`,
    brand_id,
    scope: 'ALL',
    type: 'NORMAL',
    usage_mode: 'SINGLE',
    single_usage_info: { normal_coupon: { threshold: 10000, discount_amount: 1000 } },
    display_info: {
      name: '全场满100减10',
      image_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/demo/image',
      background_url: 'https://wxpaylogo.qpic.cn/wxpaylogo/demo/background',
    },
    stock: {
      coupon_code_mode: 'WECHATPAY',
      stock_send_rule: { max_count: 100, max_count_per_user: 10 },
      single_usage_rule: {
        coupon_available_period: {
          available_begin_time: formatRfc3339(now - DAY),
          available_end_time: formatRfc3339(now + 30 * DAY),
          available_days: 7,
        },
      },
      usage_rule_display_info: {
        coupon_usage_method_list: ['OFFLINE'],
        usage_description: '全场可用',
      },
      coupon_display_info: { code_display_mode: 'QRCODE' },
      notify_config: { notify_appid: appid },
      store_scope: 'NONE',
    },
  })
  out(
    `1. create   product coupon ${pc.product_coupon_id} (${pc.state}), stock ${pc.stock.stock_id} (${pc.stock.state})`,
  )
  const ref = {
    product_coupon_id: pc.product_coupon_id,
    stock_id: pc.stock.stock_id,
    appid,
    brand_id,
  }

  const sent = await client.sendCoupon({ openid, ...ref, send_request_no: `DEMO_SEND_${run}` })
  const coupon = { openid, coupon_code: sent.coupon_code, ...ref }
  out(
    `2. send     coupon ${sent.coupon_code} → ${sent.coupon_state}, valid ${sent.valid_begin_time} … ${sent.valid_end_time}`,
  )

  const confirmed = await client.confirmCoupon({ ...coupon, out_request_no: `DEMO_CONFIRM_${run}` })
  out(`3. confirm  → ${confirmed.coupon_state}`)

  const used = await client.useCoupon({
    ...coupon,
    use_time: formatRfc3339(await sandboxNow(sandbox)),
    associated_order_info: { transaction_id: '4200000000123456789123456789' },
    out_request_no: `DEMO_USE_${run}`,
  })
  out(
    `4. use      → ${used.coupon_state} (order ${used.single_usage_detail?.associated_order_info?.transaction_id})`,
  )

  const returned = await client.returnCoupon({ ...coupon, out_request_no: `DEMO_RETURN_${run}` })
  out(
    `5. return   → ${returned.coupon_state} (return_request_no ${returned.single_usage_detail?.return_request_no})`,
  )

  const queried = await client.getUserCoupon(coupon)
  out(
    `6. query    → ${queried.coupon_state}; the coupon is back with the user and can be used again`,
  )
}

type Demo = Pick<
  WxCouponClient,
  | 'createProductCoupon'
  | 'sendCoupon'
  | 'confirmCoupon'
  | 'useCoupon'
  | 'returnCoupon'
  | 'getUserCoupon'
>

/** The brand client behind the demo's calls: the same steps, each without brand_id. */
function brandAsPartner(
  b: NonNullable<SandboxFile['brand_direct']>,
  baseUrl: string,
  onRetry: NonNullable<ConstructorParameters<typeof WxCouponBrandClient>[0]['onRetry']>,
): Demo {
  const c = new WxCouponBrandClient({
    brandId: b.brand_id,
    serialNo: b.serial_no,
    privateKey: b.private_key_file,
    publicKey: b.public_key_file,
    publicKeyId: b.public_key_id,
    baseUrl,
    onRetry,
  })
  const strip = <P extends { brand_id?: string }>(p: P) => {
    const { brand_id: _, ...rest } = p
    return rest
  }
  // Brand answers are the partner ones without brand_id, which the demo never reads.
  return {
    createProductCoupon: (p) => c.createProductCoupon(strip(p)) as never,
    sendCoupon: (p) => c.sendCoupon(strip(p)) as never,
    confirmCoupon: (p) => c.confirmCoupon(strip(p)) as never,
    useCoupon: (p) => c.useCoupon(strip(p)) as never,
    returnCoupon: (p) => c.returnCoupon(strip(p)) as never,
    getUserCoupon: (p) => c.getUserCoupon(strip(p)) as never,
  }
}

async function sandboxNow(sandbox: SandboxFile): Promise<number> {
  const { now } = await SandboxAdminClient.fromSandboxFile(sandbox).getClock()
  const t = parseRfc3339(now)
  if (t === undefined) throw new Error('GET /sandbox/clock answered no time')
  return t
}
