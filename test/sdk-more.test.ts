import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
// The built package, as a consumer imports it (package.json "exports").
import {
  ApiServerError,
  InvalidRequestError,
  RateLimitError,
  type UserProductCouponEntity,
  WxCouponClient,
  type WxCouponClientOptions,
} from 'wxcoupon'
import { type CouponKind, productCouponBody, reqNo, sandboxNow } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * SDK ↔ server round trips for stock management, listing, deactivation and the paging
 * iterators, plus retries driven by the sandbox's fault injection. One server shared by every
 * method's round trip, which is why the file is longer than most.
 */

let s: TestServer
let wx: WxCouponClient
before(async () => {
  s = await startTestServer()
  wx = client({ retry: { maxRetries: 0 } })
})
after(() => s.close())

function client(extra: Partial<WxCouponClientOptions> = {}): WxCouponClient {
  const sb = s.sandbox
  return new WxCouponClient({
    mchid: sb.partner.mchid,
    serialNo: sb.partner.serial_no,
    privateKey: sb.partner.private_key_file,
    platformPublicKey: sb.platform.public_key_file,
    platformPublicKeyId: sb.platform.public_key_id,
    baseUrl: s.baseUrl,
    ...extra,
  })
}

const brand = () => s.sandbox.brand_id

async function newProductCoupon(kind: CouponKind = {}) {
  const pc = await wx.createProductCoupon(productCouponBody(s, kind))
  return { product_coupon_id: pc.product_coupon_id, stock_id: pc.stock.stock_id }
}

function send(ids: { product_coupon_id: string; stock_id: string }) {
  const sb = s.sandbox
  return wx.sendCoupon({
    openid: sb.openid,
    ...ids,
    appid: sb.appid,
    brand_id: sb.brand_id,
    send_request_no: reqNo('SEND'),
  })
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  assert.fail('expected the call to fail')
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('stocks', () => {
  test('addStock, then iterateStocks with page_size 1 yields every stock once, in order', async () => {
    const pc = await newProductCoupon()
    const added = []
    for (let i = 0; i < 3; i++) {
      added.push(
        await wx.addStock({
          product_coupon_id: pc.product_coupon_id,
          out_request_no: reqNo('ADD'),
          brand_id: brand(),
          stock: productCouponBody(s).stock,
        }),
      )
    }
    assert.deepEqual(
      added.map((st) => st.stock_id),
      [2, 3, 4].map((n) => `${pc.product_coupon_id}00${n}`),
    )
    assert.ok(added.every((st) => st.state === 'SENDING'))

    const first = await wx.listStocks({ ...pc, brand_id: brand(), page_size: 1 })
    assert.equal(first.total_count, 4)
    assert.equal(first.stock_list.length, 1)
    assert.ok(first.next_page_token)

    const all = await collect(
      wx.iterateStocks({
        product_coupon_id: pc.product_coupon_id,
        brand_id: brand(),
        page_size: 1,
      }),
    )
    assert.deepEqual(
      all.map((st) => st.stock_id),
      [pc.stock_id, ...added.map((st) => st.stock_id)],
    )
    assert.deepEqual(all.slice(1), added)

    const sending = await collect(
      wx.iterateStocks({ ...pc, brand_id: brand(), state: 'SENDING', page_size: 50 }),
    )
    assert.equal(sending.length, 4)
  })

  test('uploadCouponCodes reports each code; sendCoupon then draws from the pool', async () => {
    const pc = await newProductCoupon({ codeMode: 'UPLOAD' })
    const up = await wx.uploadCouponCodes({
      ...pc,
      brand_id: brand(),
      out_request_no: reqNo('UPL'),
      code_list: ['SDK-A1', 'SDK-A1', 'bad code!', 'SDK_B2'],
    })
    assert.equal(up.total_count, 3)
    assert.deepEqual(up.success_code_list, ['SDK-A1', 'SDK_B2'])
    assert.deepEqual(up.duplicate_code_list, ['SDK-A1'])
    assert.deepEqual(
      up.failed_code_list?.map((f) => [f.coupon_code, f.code]),
      [['bad code!', 'PARAM_ERROR']],
    )
    assert.deepEqual(up.already_exist_code_list, [])

    const again = await wx.uploadCouponCodes({
      ...pc,
      brand_id: brand(),
      out_request_no: reqNo('UPL'),
      code_list: ['SDK_B2', 'SDK-C3'],
    })
    assert.deepEqual(again.already_exist_code_list, ['SDK_B2'])
    assert.deepEqual(again.success_code_list, ['SDK-C3'])
    const st = await wx.getStock({ ...pc, brand_id: brand() })
    assert.deepEqual(st.coupon_code_count_info, { total_count: 3, available_count: 3 })

    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await send(pc)).coupon_code)
    assert.deepEqual(codes.sort(), ['SDK-A1', 'SDK-C3', 'SDK_B2'].sort())
    const empty = await rejection(send(pc))
    assert.ok(empty instanceof InvalidRequestError)
    assert.equal(empty.message, 'INVALID_REQUEST: 批次可用券Code不足')
  })

  test('updateStockBudget raises max_count; a stale current_max_count is refused', async () => {
    const pc = await newProductCoupon({ maxCount: 3 })
    await send(pc)
    const budget = { ...pc, brand_id: brand(), update_mode: 'MAX_COUNT' as const }
    const stale = await rejection(
      wx.updateStockBudget({
        ...budget,
        out_request_no: reqNo('BUD'),
        current_max_count: 9,
        target_max_count: 5,
      }),
    )
    assert.ok(stale instanceof InvalidRequestError)
    const r = await wx.updateStockBudget({
      ...budget,
      out_request_no: reqNo('BUD'),
      current_max_count: 3,
      target_max_count: 5,
    })
    assert.equal(r.stock_send_rule.max_count, 5)
    const st = await wx.getStock({ ...pc, brand_id: brand() })
    assert.equal(st.stock_send_rule.max_count, 5)
  })

  test('deactivateStock, then sendCoupon fails with InvalidRequestError', async () => {
    const pc = await newProductCoupon()
    const no = reqNo('DEA')
    const r = await wx.deactivateStock({
      ...pc,
      brand_id: brand(),
      out_request_no: no,
      deactivate_reason: '活动取消',
    })
    assert.equal(r.state, 'DEACTIVATED')
    assert.equal(r.deactivate_request_no, no)
    const err = await rejection(send(pc))
    assert.ok(err instanceof InvalidRequestError)
    assert.equal(err.code, 'INVALID_REQUEST')
    assert.equal(err.message, 'INVALID_REQUEST: 商品券批次状态不是发放中')
  })

  test('patchStock changes the remark and store scope', async () => {
    const pc = await newProductCoupon()
    const r = await wx.patchStock({
      ...pc,
      brand_id: brand(),
      out_request_no: reqNo('PAT'),
      remark: '新备注',
      store_scope: 'ALL',
    })
    assert.equal(r.remark, '新备注')
    assert.equal(r.store_scope, 'ALL')
    assert.deepEqual(await wx.getStock({ ...pc, brand_id: brand() }), r)
  })
})

describe('product coupons', () => {
  test('patchProductCoupon changes display_info.name as getProductCoupon sees it', async () => {
    const pc = await newProductCoupon()
    const display_info = { ...productCouponBody(s).display_info, name: 'SDK 改名' }
    const r = await wx.patchProductCoupon({
      product_coupon_id: pc.product_coupon_id,
      brand_id: brand(),
      out_request_no: reqNo('PAT'),
      display_info,
    })
    assert.equal(r.display_info.name, 'SDK 改名')
    const got = await wx.getProductCoupon({
      product_coupon_id: pc.product_coupon_id,
      brand_id: brand(),
    })
    assert.deepEqual(got.display_info, display_info)
  })

  test('deactivateProductCoupon deactivates it and its stocks', async () => {
    const pc = await newProductCoupon()
    const r = await wx.deactivateProductCoupon({
      product_coupon_id: pc.product_coupon_id,
      brand_id: brand(),
      out_request_no: reqNo('DEA'),
      deactivate_reason: '商品下架',
    })
    assert.equal(r.state, 'DEACTIVATED')
    assert.equal((await wx.getStock({ ...pc, brand_id: brand() })).state, 'DEACTIVATED')
  })
})

describe('user coupons', () => {
  test('listUserCoupons / iterateUserCoupons with page_size 2: newest first, each once', async () => {
    const pc = await newProductCoupon()
    const sent: UserProductCouponEntity[] = []
    for (let i = 0; i < 5; i++) sent.push(await send(pc))
    const newestFirst = sent.map((c) => c.coupon_code).reverse()
    const sb = s.sandbox
    const q = {
      openid: sb.openid,
      appid: sb.appid,
      brand_id: sb.brand_id,
      product_coupon_id: pc.product_coupon_id,
      page_size: 2,
    }

    const first = await wx.listUserCoupons(q)
    assert.equal(first.total_count, 5)
    assert.deepEqual(
      first.user_coupon_list.map((c) => c.coupon_code),
      newestFirst.slice(0, 2),
    )
    assert.ok(first.next_page_token)
    const second = await wx.listUserCoupons({ ...q, page_token: first.next_page_token })
    assert.deepEqual(
      second.user_coupon_list.map((c) => c.coupon_code),
      newestFirst.slice(2, 4),
    )

    const all = await collect(wx.iterateUserCoupons(q))
    assert.deepEqual(
      all.map((c) => c.coupon_code),
      newestFirst,
    )
    const byStock = await collect(
      wx.iterateUserCoupons({ ...q, stock_id: pc.stock_id, coupon_state: 'CONFIRMING' }),
    )
    assert.deepEqual(
      byStock.map((c) => c.coupon_code),
      newestFirst,
    )
  })

  test('deactivateCoupon → DEACTIVATED', async () => {
    const pc = await newProductCoupon()
    const sent = await send(pc)
    const sb = s.sandbox
    const no = reqNo('DEA')
    const r = await wx.deactivateCoupon({
      openid: sb.openid,
      coupon_code: sent.coupon_code,
      ...pc,
      appid: sb.appid,
      brand_id: sb.brand_id,
      out_request_no: no,
      deactivate_reason: '用户投诉',
    })
    assert.equal(r.coupon_state, 'DEACTIVATED')
    assert.equal(r.deactivate_request_no, no)
    assert.equal(r.deactivate_reason, '用户投诉')
  })
})

describe('retries through sandbox fault injection', () => {
  /** A SINGLE coupon in state USED, ready to be returned. */
  async function usedCoupon() {
    const pc = await newProductCoupon()
    const sent = await send(pc)
    const sb = s.sandbox
    const coupon = {
      openid: sb.openid,
      coupon_code: sent.coupon_code,
      ...pc,
      appid: sb.appid,
      brand_id: sb.brand_id,
    }
    await wx.confirmCoupon({ ...coupon, out_request_no: reqNo('CFM') })
    await wx.useCoupon({
      ...coupon,
      use_time: await sandboxNow(s),
      associated_order_info: { transaction_id: '4200000000123456789123456789' },
      out_request_no: reqNo('USE'),
    })
    return coupon
  }

  async function injectFault(operation: string, mode: string, count: number) {
    const r = await s.admin('POST', '/sandbox/faults', { operation, mode, count })
    assert.equal(r.status, 200, r.text)
  }

  /** A retrying client whose sleeps resolve at once; records statuses and sleep calls. */
  function retrying(maxRetries: number) {
    const statuses: number[] = []
    const sleeps: number[] = []
    const c = client({
      retry: { maxRetries },
      sleep: async (ms) => {
        sleeps.push(ms)
      },
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        statuses.push(res.status)
        return res
      },
    })
    return { c, statuses, sleeps }
  }

  after(async () => {
    await s.admin('DELETE', '/sandbox/faults')
  })

  test('two SYSTEM_ERRORs are retried; the coupon is returned exactly once', async () => {
    const coupon = await usedCoupon()
    await injectFault('return', 'SYSTEM_ERROR', 2)
    const { c, statuses, sleeps } = retrying(3)
    const no = reqNo('RET')
    const r = await c.returnCoupon({ ...coupon, out_request_no: no })
    assert.equal(r.coupon_state, 'EFFECTIVE')
    assert.equal(r.single_usage_detail?.return_request_no, no)
    assert.equal(sleeps.length, 2, 'two retries after the first attempt')
    assert.deepEqual(statuses, [500, 500, 200])
    assert.deepEqual((await s.admin('GET', '/sandbox/faults')).json.faults, [], 'fault used up')

    const second = await rejection(wx.returnCoupon({ ...coupon, out_request_no: reqNo('RET') }))
    assert.ok(second instanceof InvalidRequestError)
    assert.equal(second.message, 'INVALID_REQUEST: 用户券状态非法')
    assert.deepEqual(await wx.getUserCoupon(coupon), r)
  })

  test('RATELIMIT_EXCEEDED surfaces as RateLimitError, is retried, then succeeds', async () => {
    const coupon = await usedCoupon()
    await injectFault('return', 'RATELIMIT_EXCEEDED', 1)
    const { c: plain } = retrying(0)
    const limited = await rejection(plain.returnCoupon({ ...coupon, out_request_no: reqNo('RET') }))
    assert.ok(limited instanceof RateLimitError)
    assert.equal(limited.status, 429)

    await injectFault('return', 'RATELIMIT_EXCEEDED', 1)
    const { c, statuses, sleeps } = retrying(3)
    const r = await c.returnCoupon({ ...coupon, out_request_no: reqNo('RET') })
    assert.equal(r.coupon_state, 'EFFECTIVE')
    assert.equal(sleeps.length, 1)
    assert.deepEqual(statuses, [429, 200])
  })

  test('with maxRetries 0 the 500 surfaces as ApiServerError and nothing changed', async () => {
    const coupon = await usedCoupon()
    await injectFault('return', 'SYSTEM_ERROR', 1)
    const { c, statuses, sleeps } = retrying(0)
    const no = reqNo('RET')
    const err = await rejection(c.returnCoupon({ ...coupon, out_request_no: no }))
    assert.ok(err instanceof ApiServerError)
    assert.equal(err.status, 500)
    assert.equal(err.code, 'SYSTEM_ERROR')
    assert.deepEqual(statuses, [500])
    assert.equal(sleeps.length, 0)
    assert.equal((await wx.getUserCoupon(coupon)).coupon_state, 'USED')
    const r = await c.returnCoupon({ ...coupon, out_request_no: no })
    assert.equal(r.coupon_state, 'EFFECTIVE')
  })

  test('a page answered 500 is retried inside the iteration, which then goes on', async () => {
    const pc = await newProductCoupon()
    for (let i = 0; i < 3; i++) await send(pc)
    await injectFault('list_user_coupons', 'SYSTEM_ERROR', 1)
    const { c, statuses, sleeps } = retrying(3)
    const sb = s.sandbox
    const all = await collect(
      c.iterateUserCoupons({
        openid: sb.openid,
        appid: sb.appid,
        brand_id: sb.brand_id,
        product_coupon_id: pc.product_coupon_id,
        page_size: 2,
      }),
    )
    assert.equal(all.length, 3)
    assert.equal(new Set(all.map((x) => x.coupon_code)).size, 3)
    assert.deepEqual(statuses, [500, 200, 200])
    assert.equal(sleeps.length, 1)
  })
})
