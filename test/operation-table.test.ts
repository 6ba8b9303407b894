import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { WxCouponBrandClient } from '../packages/sdk/src/client/brand-client.ts'
import { WxCouponClient } from '../packages/sdk/src/client/client.ts'
import {
  BRAND_OPERATION_NAMES,
  BRAND_OPERATIONS,
} from '../packages/sdk/src/schemas/brand-operations.ts'
import {
  API_PREFIX,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationSpec,
  operationPath,
} from '../packages/sdk/src/schemas/operations.ts'
import { renderOperationTable } from '../scripts/readme-operations.ts'
import { RateLimiter } from '../src/server/traffic/rate-limit.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'
import { operationOf } from './helpers/operation-routes.ts'

/**
 * Everything derived from the operation table is there for every entry: a route, a rate limit,
 * an SDK method (and iterator for lists), a fault name, the README's row. The service binding
 * and the fuzz and tenant-isolation fixtures are checked by the compiler (mapped types over
 * the operation names), the tenant matrix's coverage by its own test.
 */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

/** A request-target for an operation, its path ids filled with plausible values. */
function targetOf(op: OperationSpec): string {
  return operationPath(op).replace(/\{\w+\}/g, 'X1')
}

test('every operation has a route: an unsigned call is refused by the signature check, not 404', async () => {
  for (const name of OPERATION_NAMES) {
    const op = OPERATIONS[name]
    const r = await s.call(op.method, targetOf(op), op.method === 'GET' ? undefined : {}, {
      authorization: null,
    })
    assert.equal(r.status, 401, `${name}: ${r.text}`)
    assert.equal(r.json.code, 'SIGN_ERROR', name)
  }
  // The control: a path that is no operation's is a 404.
  const r = await s.call('POST', `${API_PREFIX}/no-such-operation`, {}, { authorization: null })
  assert.equal(r.status, 404)
})

test('routes are distinct: each method and path reaches exactly its own operation', () => {
  for (const name of OPERATION_NAMES) {
    const op = OPERATIONS[name]
    assert.equal(operationOf(op.method, targetOf(op)), name)
  }
})

test('every operation has the rate limit of its entry', () => {
  const limiter = new RateLimiter()
  for (const name of OPERATION_NAMES) {
    assert.deepEqual(limiter.limitOf(name), OPERATIONS[name].rateLimit, name)
  }
  assert.deepEqual(new RateLimiter({ return: { limit: 7, perSeconds: 2 } }).limitOf('return'), {
    limit: 7,
    perSeconds: 2,
  })
})

test('every operation has its SDK method, and every paged list its iterator', () => {
  const methods = new Set<string>()
  for (const name of OPERATION_NAMES) {
    const op = OPERATIONS[name]
    const proto = WxCouponClient.prototype as unknown as Record<string, unknown>
    assert.equal(typeof proto[op.sdk], 'function', `${name} → ${op.sdk}`)
    assert.ok(!methods.has(op.sdk), `${op.sdk} named twice`)
    methods.add(op.sdk)
    if ('page' in op) assert.equal(typeof proto[op.page.iterator], 'function', op.page.iterator)
  }
})

test('every operation is a fault name; anything else is refused', async () => {
  for (const name of OPERATION_NAMES) {
    const r = await s.admin('POST', '/sandbox/faults', {
      operation: name,
      mode: 'SYSTEM_ERROR',
      count: 1,
    })
    assert.equal(r.status, 200, `${name}: ${r.text}`)
  }
  const bad = await s.admin('POST', '/sandbox/faults', {
    operation: 'retrun',
    mode: 'SYSTEM_ERROR',
    count: 1,
  })
  assert.equal(bad.status, 400, bad.text)
  assert.equal(bad.json.code, 'PARAM_ERROR')
  assert.match(bad.json.detail.issue, /return/)
  assert.equal((await s.admin('DELETE', '/sandbox/faults')).status, 200)
})

test("the README's operation table is the table's (npm run docs rewrites it)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  assert.ok(readme.includes(renderOperationTable()), 'README.md operation table is out of date')
})

test('every brand operation has a route under the brand scheme, its brand rate limit and a brand SDK method', async () => {
  const limiter = new RateLimiter()
  const proto = WxCouponBrandClient.prototype as unknown as Record<string, unknown>
  for (const name of BRAND_OPERATION_NAMES) {
    const op = BRAND_OPERATIONS[name]
    const r = await s.brandCall(op.method, targetOf(op), op.method === 'GET' ? undefined : {}, {
      authorization: null,
    })
    assert.equal(r.status, 401, `${name}: ${r.text}`)
    assert.equal(r.json.code, 'SIGN_ERROR', name)
    assert.deepEqual(limiter.limitOf(name), op.rateLimit, name)
    assert.equal(op.rateLimit.limit, op.partner === 'send' || op.rateLimit.limit === 500 ? 500 : 20)
    assert.equal(typeof proto[op.sdk], 'function', `${name} → ${op.sdk}`)
    if ('page' in op && op.page) assert.equal(typeof proto[op.page.iterator], 'function')
    const f = await s.admin('POST', '/sandbox/faults', {
      operation: name,
      mode: 'SYSTEM_ERROR',
      count: 1,
    })
    assert.equal(f.status, 200, `${name}: ${f.text}`)
  }
  assert.equal((await s.admin('DELETE', '/sandbox/faults')).status, 200)
})
