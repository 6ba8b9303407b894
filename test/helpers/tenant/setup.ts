import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { API, type CouponKind, productCouponBody, reqNo, sandboxNow } from '../fixtures.ts'
import { type BrandCreds, partnerFrom, startTestServer, type TestServer } from '../harness.ts'
import {
  A_BUDGET,
  A_CODES,
  A_REASON,
  asBrand,
  type BrandKey,
  couponUrl,
  LOOK,
  type Tenant,
  TX,
  type Who,
  type World,
} from './world.ts'

/**
 * Builds the world of tenant-isolation.test.ts through the API and the sandbox controls, and
 * the request bodies that carry A's recognisable values: kept apart so that the test file
 * reads as the matrix itself.
 */

async function admin(s: TestServer, path: string, body: unknown) {
  const r = await s.admin('POST', path, body)
  assert.equal(r.status, 200, `${path}: ${r.text}`)
  return r.json
}

async function ok(x: World, who: Who, method: string, path: string, body?: unknown) {
  const b = asBrand(path, body)
  const r =
    who === 'D'
      ? await x.s.brandCall(method, b.path, b.body, { brand: x.d.creds })
      : await x.s.call(method, path, body, { partner: x.t[who].creds })
  assert.equal(r.status, 200, `${method} ${path} as ${who}: ${r.text}`)
  return r.json
}

async function newTenant(s: TestServer, keys: Record<string, unknown> = {}): Promise<Tenant> {
  const p = await admin(s, '/sandbox/partners', keys)
  for (const c of p.platform_certificates ?? []) s.trustCertificate(c.serial_no, c.certificate_pem)
  const { appid } = await admin(s, '/sandbox/appids', { mchid: p.mchid })
  const { openid } = await admin(s, '/sandbox/openids', { appid })
  return { creds: partnerFrom(p), mchid: p.mchid, appid, openid }
}

/** Callbacks need somewhere to go; delivery itself is callbacks.test.ts's business. */
async function receiver() {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(204).end())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

export function stockFor(
  x: World,
  remark: string,
  appid: string,
  budget = 1000,
  kind: CouponKind = {},
) {
  const st = productCouponBody(x.s, kind).stock
  return {
    ...st,
    remark,
    notify_config: { notify_appid: appid },
    stock_send_rule: { ...st.stock_send_rule, max_count: budget },
  }
}

export function createBody(
  x: World,
  who: Who,
  brand: string,
  appid: string,
  kind: CouponKind = {},
) {
  const b = productCouponBody(x.s, kind)
  return {
    ...b,
    brand_id: brand,
    out_product_no: LOOK[who].sku,
    display_info: { ...b.display_info, name: LOOK[who].name },
    stock: stockFor(x, LOOK[who].remark, appid, who === 'A' ? A_BUDGET : 1000, kind),
  }
}

async function newPc(x: World, who: Who, brand: BrandKey, kind: CouponKind = {}) {
  const body = createBody(x, who, x.brand[brand], x.t[who].appid, kind)
  const r = await ok(x, who, 'POST', `${API}/product-coupons`, body)
  const rec = {
    owner: who,
    brand: x.brand[brand],
    pc: r.product_coupon_id,
    stocks: [r.stock.stock_id],
  }
  x.pcs.push(rec)
  if (who === 'A') x.a.allNumbers.push(body.out_request_no)
  return { pc: rec.pc, stock: r.stock.stock_id as string, requestNo: body.out_request_no, body }
}

async function issue(x: World, who: Who, brand: BrandKey, pc: { pc: string; stock: string }) {
  const me = x.t[who]
  const send_request_no = reqNo('SEND')
  const r = await ok(x, who, 'POST', `${API}/users/${me.openid}/coupons`, {
    product_coupon_id: pc.pc,
    stock_id: pc.stock,
    appid: me.appid,
    brand_id: x.brand[brand],
    send_request_no,
    attach: LOOK[who].attach,
  })
  const code: string = r.coupon_code
  x.coupons.push({
    owner: who,
    brand: x.brand[brand],
    appid: me.appid,
    openid: me.openid,
    ...pc,
    code,
  })
  if (who === 'A') x.a.allNumbers.push(send_request_no)
  return { code, requestNo: send_request_no }
}

/** Runs confirm / use / deactivate on a coupon; returns the request number it used. */
async function act(
  x: World,
  who: Who,
  brand: BrandKey,
  c: { pc: string; stock: string; code: string },
  action: 'confirm' | 'use' | 'deactivate',
) {
  const me = x.t[who]
  const out_request_no = reqNo(action.slice(0, 3).toUpperCase())
  const extra =
    action === 'use'
      ? { use_time: x.useTime, associated_order_info: TX }
      : action === 'deactivate'
        ? { deactivate_reason: A_REASON }
        : {}
  await ok(x, who, 'POST', couponUrl(me.openid, c.code, action), {
    product_coupon_id: c.pc,
    stock_id: c.stock,
    appid: me.appid,
    brand_id: x.brand[brand],
    out_request_no,
    ...extra,
  })
  if (who === 'A') x.a.allNumbers.push(out_request_no)
  return out_request_no
}

/** Starts a server and builds the three tenants and A's resources; `close` stops both. */
export async function setupWorld(): Promise<World> {
  const s = await startTestServer()
  const rx = await receiver()
  // A is in certificate key mode: its platform certificates are one more thing of its own.
  const [A, B, C] = [
    await newTenant(s, { key_mode: 'certificate' }),
    await newTenant(s),
    await newTenant(s),
  ]
  const brand = async (mchids: string[]) =>
    (await admin(s, '/sandbox/brands', { partner_mchids: mchids })).brand_id as string
  // Filled in step by step below: later steps need the earlier ones' ids.
  const x = {
    s,
    t: { A, B, C },
    brand: {
      A: await brand([A.mchid, C.mchid]),
      B: await brand([B.mchid, C.mchid]),
      AX: await brand([A.mchid]),
    },
    notifyUrl: { A: `${rx.url}/notify/a-only`, C: `${rx.url}/notify/c` },
    useTime: await sandboxNow(s),
    a: { allNumbers: [] as string[] },
    pcs: [],
    coupons: [],
    owner: new Map(),
    secrets: new Map(),
    close: async () => {
      await s.close()
      await rx.close()
    },
  } as unknown as World
  const { appid: appid2 } = await admin(s, '/sandbox/appids', { mchid: A.mchid })
  x.a2 = { appid: appid2, ...(await admin(s, '/sandbox/openids', { appid: appid2 })) }
  await ok(x, 'A', 'POST', `${API}/notify-configs`, { notify_url: x.notifyUrl.A })
  await ok(x, 'C', 'POST', `${API}/notify-configs`, { notify_url: x.notifyUrl.C })

  // A: a product coupon with two stocks, an UPLOAD one with codes, a spare one to deactivate.
  const main = await newPc(x, 'A', 'A')
  const add = { out_request_no: reqNo('ADD'), brand_id: x.brand.A }
  const stock2 = await ok(x, 'A', 'POST', `${API}/product-coupons/${main.pc}/stocks`, {
    ...add,
    stock: stockFor(x, LOOK.A.remark, A.appid, A_BUDGET),
  })
  x.pcs.find((p) => p.pc === main.pc)?.stocks.push(stock2.stock_id)
  x.a.allNumbers.push(add.out_request_no)
  const upload = await newPc(x, 'A', 'A', { codeMode: 'UPLOAD' })
  const up = { brand_id: x.brand.A, out_request_no: reqNo('UPL'), code_list: A_CODES }
  await ok(
    x,
    'A',
    'POST',
    `${API}/product-coupons/${upload.pc}/stocks/${upload.stock}/upload-coupon-codes`,
    up,
  )
  x.a.allNumbers.push(up.out_request_no)
  const spare = await newPc(x, 'A', 'A')

  // A's user holds coupons in every state a cross-tenant write could try to move.
  const sent = await issue(x, 'A', 'A', main)
  const coupon = async () => ({ ...main, code: (await issue(x, 'A', 'A', main)).code })
  const effective = await coupon()
  const confirmNo = await act(x, 'A', 'A', effective, 'confirm')
  const used = await coupon()
  await act(x, 'A', 'A', used, 'confirm')
  const useNo = await act(x, 'A', 'A', used, 'use')
  const deactivated = await coupon()
  await act(x, 'A', 'A', deactivated, 'confirm')
  await act(x, 'A', 'A', deactivated, 'deactivate')
  const spareCoupon = await coupon()
  await act(x, 'A', 'A', spareCoupon, 'confirm')

  // Page tokens A was handed, to replay as someone else.
  const pcUrl = `${API}/product-coupons/${main.pc}`
  const stocksPage = await ok(x, 'A', 'GET', `${pcUrl}/stocks?brand_id=${x.brand.A}&page_size=1`)
  const couponsPage = await ok(
    x,
    'A',
    'GET',
    `${API}/users/${A.openid}/coupons?brand_id=${x.brand.A}&appid=${A.appid}&page_size=1`,
  )
  assert.ok(stocksPage.next_page_token && couponsPage.next_page_token, 'A has a second page')

  x.a = {
    ...x.a,
    main: { pc: main.pc, stock: main.stock, stock2: stock2.stock_id },
    upload: { pc: upload.pc, stock: upload.stock },
    spare: { pc: spare.pc, stock: spare.stock },
    coupons: {
      sent: sent.code,
      effective: effective.code,
      used: used.code,
      deactivated: deactivated.code,
      spare: spareCoupon.code,
    },
    numbers: {
      create: main.requestNo,
      add_stock: add.out_request_no,
      send: sent.requestNo,
      confirm: confirmNo,
      use: useNo,
    },
    createBody: main.body,
    tokens: { stocks: stocksPage.next_page_token, coupons: couponsPage.next_page_token },
  }

  // D: brand A integrating itself; its own product coupon and a coupon sent to its own user.
  const creds = await admin(s, `/sandbox/brands/${x.brand.A}/direct-credentials`, {})
  const dCreds: BrandCreds = {
    brandId: creds.brand_id,
    serialNo: creds.serial_no,
    privateKey: createPrivateKey(creds.private_key_pem),
    publicKeyId: creds.public_key_id,
    publicKey: createPublicKey(creds.public_key_pem),
  }
  s.trustBrand(dCreds)
  // An AppID associated with a brand that integrates directly is bound to the brand's tenant.
  const { appid: dAppid } = await admin(s, '/sandbox/appids', { brand_id: x.brand.A })
  const { openid: dOpenid } = await admin(s, '/sandbox/openids', { appid: dAppid })
  const appids = await s.admin('GET', '/sandbox/appids')
  const dMchid = (appids.json as { appid: string; mchid?: string }[]).find(
    (a) => a.appid === dAppid,
  )?.mchid
  assert.ok(dMchid, "the brand's AppID is bound to its own tenant")
  x.t.D = { creds: A.creds, mchid: dMchid, appid: dAppid, openid: dOpenid }
  x.d = { creds: dCreds, pc: '', stock: '', code: '' }
  const dPc = await newPc(x, 'D', 'A')
  const dCoupon = await issue(x, 'D', 'A', dPc)
  x.d = { creds: dCreds, pc: dPc.pc, stock: dPc.stock, code: dCoupon.code }

  // C under the shared brand A, and B's UPLOAD product coupon under brand B.
  const cPc = await newPc(x, 'C', 'A')
  const cSent = await issue(x, 'C', 'A', cPc)
  const cEffective = { ...cPc, code: (await issue(x, 'C', 'A', cPc)).code }
  await act(x, 'C', 'A', cEffective, 'confirm')
  x.c = { pc: cPc.pc, stock: cPc.stock, sent: cSent.code, effective: cEffective.code }
  const bPc = await newPc(x, 'B', 'B', { codeMode: 'UPLOAD' })
  x.b = { pc: bPc.pc, stock: bPc.stock }

  for (const who of ['A', 'B', 'C', 'D'] as const) {
    x.owner.set(x.t[who].appid, who)
    x.owner.set(x.t[who].openid, who)
  }
  x.owner.set(x.a2.appid, 'A')
  x.owner.set(x.a2.openid, 'A')
  for (const p of x.pcs) for (const id of [p.pc, ...p.stocks]) x.owner.set(id, p.owner)
  for (const c of x.coupons) x.owner.set(c.code, c.owner)

  const secret = (token: string, what: string) => x.secrets.set(token, what)
  for (const [id, who] of x.owner) if (who === 'A') secret(id, "an id of A's")
  secret(A.mchid, "A's mchid")
  secret(x.brand.AX, 'the brand only A is authorised for')
  for (const [k, v] of Object.entries(LOOK.A)) secret(v, `A's ${k}`)
  for (const n of x.a.allNumbers) secret(n, "one of A's request numbers")
  for (const c of A_CODES) secret(c, 'a code A uploaded')
  secret(A_REASON, "A's deactivate reason")
  secret(x.notifyUrl.A, "A's notify_url")
  secret(String(A_BUDGET), "A's stock budget")
  secret(x.a.tokens.stocks, "A's page token")
  secret(x.a.tokens.coupons, "A's page token")
  return x
}
