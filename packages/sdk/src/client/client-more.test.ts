import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  ApiError,
  ApiServerError,
  SignatureVerificationError,
  type StockEntity,
  type UserProductCouponEntity,
  WxCouponClient,
} from '../index.ts'
import {
  clientOptions,
  fakeWechat,
  type Handler,
  rejectsWith,
  type SeenRequest,
} from './fake-wechat.fixture.ts'
import {
  APPID,
  BRAND_ID,
  COUPON_CODE,
  couponRef,
  createBody,
  OPENID,
  PRODUCT_COUPON_ID,
  productCoupon,
  STOCK_ID,
  stock,
  userCoupon,
} from './samples.fixture.ts'

/** Stock management, listing and deactivation methods, and the paging iterators. */

const P = '/v3/marketing/partner/product-coupon'
const PC_PATH = `${P}/product-coupons/${PRODUCT_COUPON_ID}`
const STOCK_PATH = `${PC_PATH}/stocks/${STOCK_ID}`

function setup(reply: object) {
  const server = fakeWechat(() => ({ body: reply }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const only = (): SeenRequest => {
    assert.equal(server.requests.length, 1)
    const req = server.requests[0]
    assert.ok(req)
    assert.ok(req.signed, 'the fake server rejected the request signature')
    return req
  }
  return { client, only, server }
}

/** The body went out as JSON with its Content-Type, exactly `body`, and no path ids in it. */
function assertBody(req: SeenRequest, body: object): void {
  assert.equal(req.headers['content-type'], 'application/json')
  assert.equal(req.body, JSON.stringify(body))
  const sent = JSON.parse(req.body ?? '') as Record<string, unknown>
  for (const id of ['product_coupon_id', 'stock_id', 'openid', 'coupon_code']) {
    if (!Object.hasOwn(body, id)) assert.equal(Object.hasOwn(sent, id), false, id)
  }
}

const stockIds = { product_coupon_id: PRODUCT_COUPON_ID, stock_id: STOCK_ID }
const deactivateBody = {
  brand_id: BRAND_ID,
  out_request_no: 'MCHDEA20250804001',
  deactivate_reason: '活动结束',
}

test('addStock POSTs to …/stocks with product_coupon_id only in the path', async () => {
  const { client, only } = setup(stock)
  const body = { out_request_no: 'MCHADD20250804001', brand_id: BRAND_ID, stock: createBody.stock }
  assert.deepEqual(await client.addStock({ product_coupon_id: PRODUCT_COUPON_ID, ...body }), stock)
  const req = only()
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${PC_PATH}/stocks`)
  assertBody(req, body)
})

test('listStocks sends brand_id, state, page_size, page_token in that order', async () => {
  const answer = { total_count: 1, stock_list: [stock] }
  const { client, only } = setup(answer)
  const res = await client.listStocks({
    page_token: 'tok+/=',
    page_size: 10,
    state: 'SENDING',
    brand_id: BRAND_ID,
    product_coupon_id: PRODUCT_COUPON_ID,
  })
  assert.deepEqual(res, answer)
  const req = only()
  assert.equal(req.method, 'GET')
  assert.equal(
    req.target,
    `${PC_PATH}/stocks?brand_id=${BRAND_ID}&state=SENDING&page_size=10&page_token=tok%2B%2F%3D`,
  )
  assert.equal(req.body, undefined)
  assert.equal(req.headers['content-type'], undefined)
})

test('listStocks leaves out optional parameters that are undefined', async () => {
  const { client, only } = setup({ total_count: 0, stock_list: [] })
  await client.listStocks({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID })
  assert.equal(only().target, `${PC_PATH}/stocks?brand_id=${BRAND_ID}`)
  const { client: c2, only: only2 } = setup({ total_count: 0, stock_list: [] })
  // exactOptionalPropertyTypes forbids explicit undefined in TS; plain JS callers can send it.
  const loose = { state: undefined, page_size: undefined } as object
  await c2.listStocks({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID, ...loose })
  assert.equal(only2().target, `${PC_PATH}/stocks?brand_id=${BRAND_ID}`)
})

test('page_size must be a whole number; page_token must not be empty', async () => {
  const { client, server } = setup({ total_count: 0, stock_list: [] })
  const base = { product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID }
  for (const page_size of [1.5, Number.NaN, -1, 1e21]) {
    await assert.rejects(client.listStocks({ ...base, page_size }), TypeError)
  }
  await assert.rejects(client.listStocks({ ...base, ...({ page_size: '5' } as object) }), TypeError)
  await assert.rejects(client.listStocks({ ...base, page_token: '' }), TypeError)
  await assert.rejects(
    client.listUserCoupons({ openid: OPENID, appid: APPID, brand_id: BRAND_ID, page_size: 0.5 }),
    TypeError,
  )
  assert.equal(server.requests.length, 0)
})

test('patchProductCoupon PATCHes the product coupon with a JSON body', async () => {
  const { client, only } = setup(productCoupon)
  const body = {
    brand_id: BRAND_ID,
    out_request_no: 'MCHPATCH20250804001',
    display_info: { ...createBody.display_info, name: '新名字' },
  }
  const res = await client.patchProductCoupon({ product_coupon_id: PRODUCT_COUPON_ID, ...body })
  assert.deepEqual(res, productCoupon)
  const req = only()
  assert.equal(req.method, 'PATCH')
  assert.equal(req.target, PC_PATH)
  assertBody(req, body)
})

test('deactivateProductCoupon POSTs to …/deactivate', async () => {
  const { client, only } = setup(productCoupon)
  await client.deactivateProductCoupon({ product_coupon_id: PRODUCT_COUPON_ID, ...deactivateBody })
  const req = only()
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${PC_PATH}/deactivate`)
  assertBody(req, deactivateBody)
})

test('patchStock PATCHes the stock with a JSON body and no ids in it', async () => {
  const { client, only } = setup(stock)
  const body = {
    brand_id: BRAND_ID,
    out_request_no: 'MCHPATCH20250804002',
    remark: '新备注',
    store_scope: 'ALL' as const,
  }
  assert.deepEqual(await client.patchStock({ ...stockIds, ...body }), stock)
  const req = only()
  assert.equal(req.method, 'PATCH')
  assert.equal(req.target, STOCK_PATH)
  assertBody(req, body)
})

test('deactivateStock, updateStockBudget and uploadCouponCodes POST under the stock', async () => {
  const budget = {
    brand_id: BRAND_ID,
    out_request_no: 'MCHBUD20250804001',
    update_mode: 'MAX_COUNT' as const,
    current_max_count: 100,
    target_max_count: 200,
  }
  const upload = { brand_id: BRAND_ID, out_request_no: 'MCHUPL20250804001', code_list: ['A1'] }
  const uploaded = { total_count: 1, success_code_list: ['A1'] }
  const cases = [
    {
      action: 'deactivate',
      body: deactivateBody,
      reply: stock,
      call: (c: WxCouponClient) => c.deactivateStock({ ...stockIds, ...deactivateBody }),
    },
    {
      action: 'update-budget',
      body: budget,
      reply: stock,
      call: (c: WxCouponClient) => c.updateStockBudget({ ...stockIds, ...budget }),
    },
    {
      action: 'upload-coupon-codes',
      body: upload,
      reply: uploaded,
      call: (c: WxCouponClient) => c.uploadCouponCodes({ ...stockIds, ...upload }),
    },
  ]
  for (const { action, body, reply, call } of cases) {
    const { client, only } = setup(reply)
    assert.deepEqual(await call(client), reply)
    const req = only()
    assert.equal(req.method, 'POST')
    assert.equal(req.target, `${STOCK_PATH}/${action}`)
    assertBody(req, body)
  }
})

test('listUserCoupons sends its seven query parameters in the documented order', async () => {
  const answer = { total_count: 1, user_coupon_list: [userCoupon] }
  const { client, only } = setup(answer)
  const res = await client.listUserCoupons({
    brand_id: BRAND_ID,
    page_token: 'T0',
    page_size: 2,
    coupon_state: 'EFFECTIVE',
    appid: APPID,
    stock_id: STOCK_ID,
    product_coupon_id: PRODUCT_COUPON_ID,
    openid: OPENID,
  })
  assert.deepEqual(res, answer)
  const req = only()
  assert.equal(req.method, 'GET')
  assert.equal(
    req.target,
    `${P}/users/${OPENID}/coupons?product_coupon_id=${PRODUCT_COUPON_ID}&stock_id=${STOCK_ID}` +
      `&appid=${APPID}&coupon_state=EFFECTIVE&page_size=2&page_token=T0&brand_id=${BRAND_ID}`,
  )
  assert.equal(req.body, undefined)
})

test('listUserCoupons with only the required parameters', async () => {
  const { client, only } = setup({ total_count: 0, user_coupon_list: [] })
  await client.listUserCoupons({ openid: OPENID, appid: APPID, brand_id: BRAND_ID })
  assert.equal(only().target, `${P}/users/${OPENID}/coupons?appid=${APPID}&brand_id=${BRAND_ID}`)
})

test('deactivateCoupon POSTs to …/deactivate without openid or coupon_code in the body', async () => {
  const { client, only } = setup(userCoupon)
  const body = { ...couponRef, out_request_no: 'MCHDEA20250804002', deactivate_reason: '用户投诉' }
  const res = await client.deactivateCoupon({ openid: OPENID, coupon_code: COUPON_CODE, ...body })
  assert.deepEqual(res, userCoupon)
  const req = only()
  assert.equal(req.method, 'POST')
  assert.equal(req.target, `${P}/users/${OPENID}/coupons/${COUPON_CODE}/deactivate`)
  assertBody(req, body)
})

const stockN = (n: number): StockEntity => ({ ...stock, stock_id: `${PRODUCT_COUPON_ID}00${n}` })
const couponN = (n: number): UserProductCouponEntity => ({ ...userCoupon, coupon_code: `C${n}` })

/** Three pages of two, one, and two items; the last has no next_page_token. */
function threePages<T>(key: string, items: T[]): Handler {
  const pages = [
    { [key]: items.slice(0, 2), next_page_token: 'PAGE2' },
    { [key]: items.slice(2, 3), next_page_token: 'PAGE3' },
    { [key]: items.slice(3) },
  ]
  return (_req, n) => ({ body: { total_count: items.length, ...pages[n] } })
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

test('iterateStocks follows next_page_token across three pages and stops', async () => {
  const all = [1, 2, 3, 4].map(stockN)
  const server = fakeWechat(threePages('stock_list', all))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const got = await collect(
    client.iterateStocks({
      product_coupon_id: PRODUCT_COUPON_ID,
      brand_id: BRAND_ID,
      page_size: 2,
    }),
  )
  assert.deepEqual(got, all)
  const base = `${PC_PATH}/stocks?brand_id=${BRAND_ID}&page_size=2`
  assert.deepEqual(
    server.requests.map((r) => r.target),
    [base, `${base}&page_token=PAGE2`, `${base}&page_token=PAGE3`],
  )
  assert.ok(server.requests.every((r) => r.signed && r.method === 'GET'))
  assert.equal(new Set(server.requests.map((r) => r.nonce)).size, 3, 'each page freshly signed')
})

test('iterateUserCoupons follows next_page_token across three pages and stops', async () => {
  const all = [1, 2, 3, 4].map(couponN)
  const server = fakeWechat(threePages('user_coupon_list', all))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const got = await collect(
    client.iterateUserCoupons({
      openid: OPENID,
      appid: APPID,
      brand_id: BRAND_ID,
      coupon_state: 'EFFECTIVE',
    }),
  )
  assert.deepEqual(got, all)
  const q = (token: string) =>
    `${P}/users/${OPENID}/coupons?appid=${APPID}&coupon_state=EFFECTIVE${token}&brand_id=${BRAND_ID}`
  assert.deepEqual(
    server.requests.map((r) => r.target),
    [q(''), q('&page_token=PAGE2'), q('&page_token=PAGE3')],
  )
})

test('an iterator fetches lazily: breaking early requests no further pages', async () => {
  const server = fakeWechat(threePages('stock_list', [1, 2, 3, 4].map(stockN)))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  for await (const s of client.iterateStocks({
    product_coupon_id: PRODUCT_COUPON_ID,
    brand_id: BRAND_ID,
  })) {
    assert.equal(s.stock_id, stockN(1).stock_id)
    break
  }
  assert.equal(server.requests.length, 1)
})

test('a page answered 500 is retried like any request, then iteration goes on', async () => {
  const pages = threePages('stock_list', [1, 2, 3, 4].map(stockN))
  const server = fakeWechat((req, n) =>
    n === 1
      ? { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' } }
      : pages(req, n === 0 ? 0 : n - 1),
  )
  const sleeps: number[] = []
  const client = new WxCouponClient(
    clientOptions({
      fetch: server.fetch,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
    }),
  )
  const got = await collect(
    client.iterateStocks({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID }),
  )
  assert.equal(got.length, 4)
  assert.equal(sleeps.length, 1)
  assert.deepEqual(
    server.requests.map((r) => r.target.split('page_token=')[1]),
    [undefined, 'PAGE2', 'PAGE2', 'PAGE3'],
  )
})

test('a page that fails verification or keeps failing ends the iteration with that error', async () => {
  const tampered = fakeWechat((_req, n) => ({
    body: { total_count: 2, stock_list: [stockN(n)], next_page_token: `P${n + 1}` },
    ...(n === 1 ? { tamper: (b: string) => b.replace('"P2"', '"PX"') } : {}),
  }))
  const c1 = new WxCouponClient(clientOptions({ fetch: tampered.fetch }))
  const seen: StockEntity[] = []
  const run = async () => {
    for await (const s of c1.iterateStocks({
      product_coupon_id: PRODUCT_COUPON_ID,
      brand_id: BRAND_ID,
    })) {
      seen.push(s)
    }
  }
  await rejectsWith(run(), SignatureVerificationError)
  assert.equal(seen.length, 1)

  const down = fakeWechat(() => ({
    status: 500,
    body: { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' },
  }))
  const c2 = new WxCouponClient(clientOptions({ fetch: down.fetch, retry: { maxRetries: 1 } }))
  await rejectsWith(
    collect(c2.iterateUserCoupons({ openid: OPENID, appid: APPID, brand_id: BRAND_ID })),
    ApiServerError,
  )
  assert.equal(down.requests.length, 2)
})

test('a next_page_token equal to the token just sent stops the iteration', async () => {
  const server = fakeWechat(() => ({
    body: { total_count: 9, stock_list: [stock], next_page_token: 'SAME' },
  }))
  const client = new WxCouponClient(clientOptions({ fetch: server.fetch }))
  const err = await rejectsWith(
    collect(client.iterateStocks({ product_coupon_id: PRODUCT_COUPON_ID, brand_id: BRAND_ID })),
    ApiError,
  )
  assert.match(err.message, /next_page_token/)
  assert.equal(server.requests.length, 2)
})
