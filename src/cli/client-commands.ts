import { setTimeout as sleep } from 'node:timers/promises'
import { type Command, Option } from '@commander-js/extra-typings'
import { FAULTY_KINDS } from '@wxcoupon/sdk/schemas'
import { openAdmin } from './admin-client.ts'
import { callApi } from './call.ts'
import { controls, print } from './sandbox-commands.ts'

/**
 * The client commands beside the controls of sandbox-commands.ts: a signed call of any API
 * path, the request journal, callbacks, tenants and issuing a coupon. Each reaches the server
 * of the data dir's sandbox.json, or the one `--base-url` and `--token` name.
 */
export function addClientCommands(program: Command): void {
  controls(program.command('call'))
    .description(
      'send one signed APIv3 request; the body goes to stdout, status, Request-ID and the signature check to stderr; exit 0 on a verified 2xx',
    )
    .argument('<method>', 'GET, POST, PATCH, PUT or DELETE')
    .argument(
      '<path>',
      'request-target such as /v3/marketing/partner/product-coupon/notify-configs (the prefix may be left out)',
    )
    .option('--data <json>', 'request body: JSON text, or @file to read it from a file')
    .option('--mchid <mchid>', "partner to sign as (default: sandbox.json's)")
    .option('--serial-no <serial>', "that partner's certificate serial number")
    .option('--private-key <file>', "that partner's private key (PEM)")
    .option('--platform-public-key <file>', 'WeChat Pay public key to check the answer with (PEM)')
    .option('--platform-public-key-id <id>', 'its id, PUB_KEY_ID_…')
    .action(async (method, path, opts) => {
      process.exitCode = await callApi(method, path, opts)
    })

  controls(program.command('requests'))
    .description('the request journal: what the sandbox received and answered, newest last')
    .option('--mchid <mchid>', 'one partner')
    .option('--status <status>', 'one status (401) or a class (4xx)')
    .option('--operation <name>', 'one operation, such as return')
    .option('--coupon-code <code>', 'calls that touched this coupon')
    .option('--request-id <id>', 'one request, as its Request-ID header')
    .option('--limit <n>', 'how many (1–500)', '20')
    .option('--follow', 'keep printing new requests as they arrive (Ctrl-C stops)', false)
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const query = new URLSearchParams()
      for (const [k, v] of [
        ['mchid', opts.mchid],
        ['status', opts.status],
        ['operation', opts.operation],
        ['coupon_code', opts.couponCode],
        ['request_id', opts.requestId],
        ['limit', opts.limit],
      ] as const) {
        if (v !== undefined) query.set(k, v)
      }
      const fetchPage = async (after?: number) => {
        const q = new URLSearchParams(query)
        if (after !== undefined) {
          q.set('after', String(after))
          q.set('limit', '500')
        }
        const answer = (await admin.call('GET', `/sandbox/requests?${q}`)) as {
          data: JournalLine[]
        }
        return answer.data.reverse()
      }
      let last = 0
      const show = (entries: JournalLine[]) => {
        for (const e of entries) {
          last = Math.max(last, e.seq)
          process.stdout.write(opts.json ? `${JSON.stringify(e)}\n` : `${describeRequest(e)}\n`)
        }
      }
      const first = await fetchPage()
      show(first)
      if (!opts.follow) {
        if (first.length === 0 && !opts.json) process.stdout.write('no requests recorded\n')
        return
      }
      for (;;) {
        await sleep(1000)
        show(await fetchPage(last))
      }
    })

  const notifications = program
    .command('notifications')
    .description('callbacks the sandbox sent (or will send) to partners, with every attempt')
  controls(notifications.command('list'))
    .description('callbacks, newest first')
    .option('--mchid <mchid>', 'one partner')
    .addOption(
      new Option('--state <state>', 'one state').choices([
        'PENDING',
        'DELIVERED',
        'FAILED',
      ] as const),
    )
    .option('--limit <n>', 'how many (1–200)', '20')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const q = new URLSearchParams({ limit: opts.limit })
      if (opts.mchid) q.set('mchid', opts.mchid)
      if (opts.state) q.set('state', opts.state)
      const answer = (await admin.call('GET', `/sandbox/notifications?${q}`)) as {
        notifications: NotificationLine[]
      }
      const lines = answer.notifications.map(
        (n) =>
          `${n.id}  ${n.event_type}  ${n.state}  partner ${n.mchid}  ${n.attempts.length} attempt(s)${
            n.attempts.length
              ? `, last ${n.attempts.at(-1)?.status ?? n.attempts.at(-1)?.error}`
              : ''
          }`,
      )
      print(opts, answer, lines.join('\n') || 'no callbacks')
    })
  controls(notifications.command('redeliver'))
    .description('deliver a callback again now')
    .argument('<id>', 'the notification id')
    .action(async (id, opts) => {
      const admin = await openAdmin(opts)
      const a = (await admin.call(
        'POST',
        `/sandbox/notifications/${encodeURIComponent(id)}/redeliver`,
      )) as { attemptNo: number; status?: number; error?: string; latencyMs: number }
      print(
        opts,
        a,
        `attempt ${a.attemptNo}: ${a.status === undefined ? a.error : `HTTP ${a.status}`} in ${Math.round(a.latencyMs)} ms`,
      )
    })
  controls(notifications.command('faulty'))
    .description("send a delivery a careful receiver must refuse, to test the receiver's defences")
    .argument('<id>', 'the notification id')
    .addOption(
      new Option('--kind <kind>', 'what is wrong with it')
        .choices(FAULTY_KINDS)
        .makeOptionMandatory(),
    )
    .action(async (id, opts) => {
      const admin = await openAdmin(opts)
      const answer = (await admin.call(
        'POST',
        `/sandbox/notifications/${encodeURIComponent(id)}/faulty`,
        { kind: opts.kind },
      )) as { attempts: { kind: string; status?: number; error?: string }[] }
      const lines = answer.attempts.map(
        (a) =>
          `${a.kind}: ${a.status === undefined ? a.error : `receiver answered HTTP ${a.status}`}`,
      )
      print(opts, answer, lines.join('\n'))
    })

  const tenants = program
    .command('tenants')
    .description('partners, brands, AppIDs and users of the sandbox')
  controls(tenants.command('list'))
    .description('every partner, brand and AppID (no secrets)')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const [partners, brands, appids] = await Promise.all([
        admin.client.listPartners(),
        admin.client.listBrands(),
        admin.client.listAppIds(),
      ])
      const lines = [
        ...partners.map((p) => `partner ${p.mchid}  certificates ${p.serial_nos.join(', ')}`),
        ...brands.map((b) => `brand ${b.brand_id}  partners ${b.partner_mchids.join(', ')}`),
        ...appids.map(
          (a) => `appid ${a.appid}  ${a.mchid ? `partner ${a.mchid}` : `brand ${a.brand_id}`}`,
        ),
      ]
      print(opts, { partners, brands, appids }, lines.join('\n'))
    })
  controls(tenants.command('add-partner'))
    .description('a new partner; prints its private key once (it is not kept)')
    .addOption(
      new Option(
        '--revision <revision>',
        "the partner's API revision (default: the server's setting)",
      ).choices(['2025-08', '2025-11'] as const),
    )
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const p = await admin.client.createPartner(
        opts.revision === undefined ? {} : { revision: opts.revision },
      )
      print(
        opts,
        p,
        `partner ${p.mchid}  revision ${p.revision}  serial_no ${p.serial_no}  apiv3_key ${p.apiv3_key}\n${p.private_key_pem.trimEnd()}`,
      )
    })
  controls(tenants.command('add-store'))
    .description("a store of a brand (2025-11: a use's store_id, bundle store association)")
    .requiredOption('--brand-id <id>', 'the brand')
    .option('--closed', 'a closed store (uses naming it are refused)')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const st = await admin.client.createStore({ brand_id: opts.brandId, open: !opts.closed })
      print(opts, st, `store ${st.store_id}${opts.closed ? '  closed' : ''}`)
    })
  controls(tenants.command('add-brand'))
    .description('a brand authorised to the given partners')
    .requiredOption('--partner <mchid...>', 'partners the brand authorises')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const b = await admin.client.createBrand({ partner_mchids: opts.partner })
      print(opts, b, `brand ${b.brand_id}`)
    })
  controls(tenants.command('add-appid'))
    .description('an AppID bound to a partner (--mchid) or a brand (--brand-id)')
    .addOption(new Option('--mchid <mchid>', 'a partner AppID').conflicts('brandId'))
    .option('--brand-id <id>', 'a brand AppID')
    .action(async (opts) => {
      if ((opts.mchid === undefined) === (opts.brandId === undefined)) {
        throw new Error('tenants add-appid needs --mchid <mchid> or --brand-id <id>')
      }
      const admin = await openAdmin(opts)
      const a = await admin.client.createAppId(
        opts.mchid !== undefined ? { mchid: opts.mchid } : { brand_id: opts.brandId as string },
      )
      print(opts, a, `appid ${a.appid}`)
    })
  controls(tenants.command('add-user'))
    .description('a user (openid) under an AppID')
    .requiredOption('--appid <appid>', 'the AppID')
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const u = await admin.client.createOpenId({ appid: opts.appid })
      print(opts, u, `openid ${u.openid}`)
    })

  controls(program.command('issue'))
    .description(
      'issue a coupon to a user through a channel other than the send API (→ CONFIRMING)',
    )
    .requiredOption('--product-coupon-id <id>', 'the product coupon')
    .requiredOption('--stock-id <id>', 'its stock')
    .option('--appid <appid>', "default: sandbox.json's")
    .option('--openid <openid>', "default: sandbox.json's")
    .addOption(
      new Option('--channel <channel>', 'how the user got it')
        .choices(['BRAND_MANAGE', 'MERCHANT_CARD', 'MEMBER'] as const)
        .default('BRAND_MANAGE' as const),
    )
    .action(async (opts) => {
      const admin = await openAdmin(opts)
      const fallback = opts.appid && opts.openid ? undefined : await admin.sandbox()
      const appid = opts.appid ?? fallback?.appid
      const openid = opts.openid ?? fallback?.openid
      if (!appid || !openid) throw new Error('issue needs --appid and --openid with --base-url')
      const c = await admin.client.issueCoupon({
        product_coupon_id: opts.productCouponId,
        stock_id: opts.stockId,
        appid,
        openid,
        send_channel: opts.channel,
      })
      print(opts, c, `coupon ${c.coupon_code} issued to ${openid}: ${c.coupon_state}`)
    })
}

interface JournalLine {
  seq: number
  time: string
  method: string
  url: string
  status: number
  code?: string
  operation?: string
  request_id: string
  duration_ms: number
  verification: { result: string; message?: string }
}

interface NotificationLine {
  id: string
  mchid: string
  event_type: string
  state: string
  attempts: { status?: number; error?: string }[]
}

function describeRequest(e: JournalLine): string {
  const what = e.code ? `${e.status} ${e.code}` : String(e.status)
  const check =
    e.verification.result === 'failed' ? `  signature failed: ${e.verification.message}` : ''
  return `${e.time}  ${what.padEnd(20)} ${e.method} ${e.url}  ${e.operation ?? '-'}  ${Math.round(e.duration_ms)} ms  ${e.request_id}${check}`
}
