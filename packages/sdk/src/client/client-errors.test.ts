import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import {
  ApiError,
  ApiServerError,
  AuthenticationError,
  ConnectionError,
  InvalidRequestError,
  NotFoundError,
  ParamError,
  PermissionError,
  RateLimitError,
  SignatureVerificationError,
  WxCouponClient,
  type WxCouponClientOptions,
} from '../index.ts'
import {
  assertNoPrivateKeyIn,
  clientOptions,
  fakeWechat,
  type Handler,
  NOW,
  rejectsWith,
  thrownErrors,
} from './fake-wechat.fixture.ts'
import { COUPON_CODE, couponRef, OPENID, userCoupon } from './samples.fixture.ts'

after(() => assertNoPrivateKeyIn(thrownErrors))

const returnParams = {
  openid: OPENID,
  coupon_code: COUPON_CODE,
  ...couponRef,
  out_request_no: 'MCHRETURN20250804001',
  sequential_coupon_index: 0,
}

function setup(handler: Handler, overrides: Partial<WxCouponClientOptions> = {}) {
  const server = fakeWechat(handler)
  const sleeps: number[] = []
  const client = new WxCouponClient(
    clientOptions({
      fetch: server.fetch,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
      ...overrides,
    }),
  )
  return { client, requests: server.requests, sleeps }
}

test('a response body changed after signing is rejected', async () => {
  const { client } = setup(() => ({
    body: userCoupon,
    tamper: (b) => b.replace('EFFECTIVE', 'USED'),
  }))
  const err = await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(err.reason, 'bad_signature')
  assert.equal(err.status, 200)
  assert.equal(err.requestId, '08E68E97CC0610DF0618AC86BCA80120082880CF05')
  assert.equal(err.headers?.['wechatpay-serial'], 'PUB_KEY_ID_0119000000012025080400000000000001')
  assert.match(err.raw ?? '', /"coupon_state":"USED"/)
  assert.equal(err instanceof ApiError, false)
})

test('a Wechatpay-Timestamp 300 s away is stale; 299 s is accepted', async () => {
  for (const offset of [-300, 300]) {
    const { client } = setup(() => ({ body: userCoupon, timestampOffset: offset }))
    const err = await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
    assert.equal(err.reason, 'stale_timestamp')
  }
  for (const offset of [-299, 299]) {
    const { client } = setup(() => ({ body: userCoupon, timestampOffset: offset }))
    assert.deepEqual(await client.returnCoupon(returnParams), userCoupon)
  }
})

test('a response signed under another key id is rejected', async () => {
  const { client } = setup(() => ({ body: userCoupon, serial: 'PUB_KEY_ID_OTHER' }))
  const err = await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(err.reason, 'serial_mismatch')
})

test('the client checks in the callback parser order: the serial before the clock', async () => {
  const { client } = setup(() => ({
    body: userCoupon,
    serial: 'PUB_KEY_ID_OTHER',
    timestampOffset: 3600,
  }))
  const err = await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(err.reason, 'serial_mismatch')
})

test('a response without signature headers, or with a probe signature, is rejected', async () => {
  const { client } = setup(() => ({ body: userCoupon, headers: { 'Wechatpay-Signature': '' } }))
  const missing = await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(missing.reason, 'missing_header')
  const probe = setup(() => ({
    body: userCoupon,
    headers: { 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abc=' },
  }))
  const err = await rejectsWith(probe.client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(err.reason, 'signature_probe')
})

test('signature failures are not retried', async () => {
  const { client, requests } = setup(() => ({ body: userCoupon, serial: 'PUB_KEY_ID_OTHER' }))
  await rejectsWith(client.returnCoupon(returnParams), SignatureVerificationError)
  assert.equal(requests.length, 1)
})

const statusCases = [
  [400, 'PARAM_ERROR', ParamError],
  [400, 'INVALID_REQUEST', InvalidRequestError],
  [400, 'ALREADY_EXISTS', InvalidRequestError],
  [401, 'SIGN_ERROR', AuthenticationError],
  [403, 'NO_AUTH', PermissionError],
  [404, 'NOT_FOUND', NotFoundError],
  [429, 'RATELIMIT_EXCEEDED', RateLimitError],
  [500, 'SYSTEM_ERROR', ApiServerError],
] as const

for (const [status, code, cls] of statusCases) {
  test(`${status} ${code} → ${cls.name} carrying everything the server said`, async () => {
    const body = {
      code,
      message: '参数错误',
      detail: { field: '/out_request_no', value: 'abc', issue: 'too short', location: 'body' },
    }
    const requestId = `08E68E97CC0610DF0618AC86BCA80120082880CF05-${status}`
    const { client, requests } = setup(
      () => ({ status, body, headers: { 'Request-ID': requestId } }),
      {
        retry: { maxRetries: 0 },
      },
    )
    const err = await rejectsWith(client.returnCoupon(returnParams), cls)
    assert.ok(err instanceof ApiError)
    assert.equal(err.name, cls.name)
    assert.equal(err.status, status)
    assert.equal(err.code, code)
    assert.equal(err.message, `${code}: 参数错误`)
    assert.deepEqual(err.detail, body.detail)
    assert.equal(err.requestId, requestId)
    assert.equal(err.headers?.['request-id'], requestId)
    assert.equal(err.headers?.['content-type'], 'application/json; charset=utf-8')
    assert.equal(err.raw, JSON.stringify(body))
    assert.equal(requests.length, 1)
  })
}

test('error answers are not signature-checked: an unsigned 404 is still a NotFoundError', async () => {
  const { client } = setup(() => ({
    status: 404,
    body: { code: 'NOT_FOUND', message: '未找到 coupon_code 对应的用户商品券' },
    headers: { 'Wechatpay-Signature': 'garbage', 'Wechatpay-Timestamp': '0' },
  }))
  const err = await rejectsWith(client.returnCoupon(returnParams), NotFoundError)
  assert.equal(err.message, 'NOT_FOUND: 未找到 coupon_code 对应的用户商品券')
})

test('a non-JSON error body still yields the right class and keeps the raw text', async () => {
  const html = '<html><body>502 Bad Gateway</body></html>'
  const { client, requests } = setup(
    () => ({ status: 502, body: html, headers: { 'Content-Type': 'text/html' } }),
    { retry: { maxRetries: 0 } },
  )
  const err = await rejectsWith(client.returnCoupon(returnParams), ApiServerError)
  assert.equal(err.status, 502)
  assert.equal(err.code, undefined)
  assert.equal(err.message, 'HTTP 502: Bad Gateway')
  assert.equal(err.raw, html)
  assert.equal(requests.length, 1)
})

test('a 2xx body that is not JSON is an ApiError after verification', async () => {
  const { client } = setup(() => ({ body: 'not json' }))
  const err = await rejectsWith(client.returnCoupon(returnParams), ApiError)
  assert.equal(err.status, 200)
  assert.equal(err.raw, 'not json')
})

test('429 then 200: one retry, same body bytes, fresh nonce, back-off within the jitter band', async () => {
  const { client, requests, sleeps } = setup(
    (_req, n) =>
      n === 0
        ? { status: 429, body: { code: 'RATELIMIT_EXCEEDED', message: '请求超过接口频率限制' } }
        : { body: userCoupon },
    { random: () => 0 },
  )
  assert.deepEqual(await client.returnCoupon(returnParams), userCoupon)
  assert.equal(requests.length, 2)
  const [first, second] = requests
  assert.ok(first?.signed && second?.signed)
  assert.equal(second.body, first.body)
  assert.notEqual(second.nonce, first.nonce)
  assert.notEqual(second.headers.authorization, first.headers.authorization)
  assert.deepEqual(sleeps, [500])
})

test('500 is retried with the clock advancing between attempts', async () => {
  let now = NOW
  const server = fakeWechat(
    (_req, n) =>
      n < 2
        ? { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } }
        : { body: userCoupon },
    () => now,
  )
  const sleeps: number[] = []
  const client = new WxCouponClient(
    clientOptions({
      fetch: server.fetch,
      nowSeconds: () => now,
      sleep: async (ms) => {
        sleeps.push(ms)
        now += ms / 1000
      },
      random: () => 1,
    }),
  )
  assert.deepEqual(await client.returnCoupon(returnParams), userCoupon)
  assert.deepEqual(
    server.requests.map((r) => r.timestamp),
    [String(NOW), String(NOW + 1), String(NOW + 3)],
  )
  assert.deepEqual(sleeps, [1000, 2000])
})

test('retries stop after maxRetries and the last error is thrown', async () => {
  const { client, requests, sleeps } = setup(() => ({
    status: 429,
    body: { code: 'RATELIMIT_EXCEEDED', message: '请求超过接口频率限制' },
  }))
  await rejectsWith(client.returnCoupon(returnParams), RateLimitError)
  assert.equal(requests.length, 3)
  assert.equal(sleeps.length, 2)
  assert.equal(new Set(requests.map((r) => r.body)).size, 1)
})

test('retry disabled: exactly one attempt', async () => {
  const { client, requests, sleeps } = setup(
    () => ({ status: 429, body: { code: 'RATELIMIT_EXCEEDED', message: '请求超过接口频率限制' } }),
    { retry: { maxRetries: 0 } },
  )
  await rejectsWith(client.returnCoupon(returnParams), RateLimitError)
  assert.equal(requests.length, 1)
  assert.deepEqual(sleeps, [])
})

test('400 is never retried', async () => {
  const { client, requests, sleeps } = setup(() => ({
    status: 400,
    body: { code: 'INVALID_REQUEST', message: '用户券状态非法' },
  }))
  await rejectsWith(client.returnCoupon(returnParams), InvalidRequestError)
  assert.equal(requests.length, 1)
  assert.deepEqual(sleeps, [])
})

test('a rejected fetch becomes a ConnectionError, retried and then thrown', async () => {
  const cause = new TypeError('fetch failed')
  const { client, requests, sleeps } = setup(() => {
    throw cause
  })
  const err = await rejectsWith(client.returnCoupon(returnParams), ConnectionError)
  assert.equal(err.cause, cause)
  assert.equal(err.status, undefined)
  assert.match(err.message, /POST \/v3\/marketing\/partner\/product-coupon\/users\/.+\/return/)
  assert.equal(requests.length, 3)
  assert.equal(sleeps.length, 2)
})

test('a connection failure followed by success resolves', async () => {
  const { client, requests } = setup((_req, n) => {
    if (n === 0) throw new TypeError('fetch failed')
    return { body: userCoupon }
  })
  assert.deepEqual(await client.returnCoupon(returnParams), userCoupon)
  assert.equal(requests.length, 2)
})

test('an attempt that outlives timeoutMs is a ConnectionError', async () => {
  const never: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
    })
  const client = new WxCouponClient(
    clientOptions({ fetch: never, timeoutMs: 20, retry: { maxRetries: 0 } }),
  )
  // AbortSignal.timeout's timer is unref'd; a real socket would keep the process alive meanwhile.
  const keepAlive = setTimeout(() => {}, 5000)
  try {
    const err = await rejectsWith(client.returnCoupon(returnParams), ConnectionError)
    assert.match(err.message, /timed out after 20 ms/)
    assert.equal((err.cause as Error).name, 'TimeoutError')
  } finally {
    clearTimeout(keepAlive)
  }
})
