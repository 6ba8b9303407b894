import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import {
  BRAND_OPERATION_NAMES,
  BRAND_OPERATIONS,
} from '../packages/sdk/src/schemas/brand-operations.ts'
import {
  API_PREFIX,
  OPERATION_NAMES,
  OPERATIONS,
  operationPath,
} from '../packages/sdk/src/schemas/operations.ts'
import {
  CONTROL_NAMES,
  SANDBOX_CONTROLS,
  SANDBOX_PREFIX,
} from '../packages/sdk/src/schemas/sandbox.ts'
import { openApiDocument } from '../src/server/openapi.ts'
import { SERVER_VERSION } from '../src/server/version.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * The OpenAPI document: valid OpenAPI 3.1 by a validator written elsewhere, listing every
 * operation and control with its schemas, served at /openapi.json without authentication, and
 * committed as openapi.json (npm run docs rewrites it).
 */

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(() => s.close())

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Doc = any

test('GET /openapi.json needs no authentication and is the committed openapi.json', async () => {
  const r = await fetch(`${s.baseUrl}/openapi.json`)
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/)
  const served = (await r.json()) as Doc
  const committed = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'))
  assert.deepEqual(served, committed, 'openapi.json is out of date: run npm run docs')
  assert.deepEqual(served, openApiDocument(SERVER_VERSION))
})

test('GET /healthz needs no authentication: 200 while the database answers', async () => {
  const r = await fetch(`${s.baseUrl}/healthz`)
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { status: 'ok', database: 'reachable' })
})

test('a validator not written here accepts it as OpenAPI 3.1', async () => {
  const doc = (await SwaggerParser.validate(
    structuredClone(openApiDocument('0.0.0')) as never,
  )) as Doc
  assert.equal(doc.openapi, '3.1.0')
  // The control: the same validator refuses a broken document.
  const broken = structuredClone(openApiDocument('0.0.0')) as Doc
  broken.paths[`${API_PREFIX}/notify-configs`].post.responses = 'none'
  await assert.rejects(SwaggerParser.validate(broken))
})

/** The schema with every $ref replaced by what it names, as a client would read it. */
function resolve(doc: Doc, node: Doc): Doc {
  if (Array.isArray(node)) return node.map((n) => resolve(doc, n))
  if (node === null || typeof node !== 'object') return node
  if (typeof node.$ref === 'string') {
    return resolve(doc, doc.components.schemas[node.$ref.replace('#/components/schemas/', '')])
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(doc, v)]))
}

test('every operation and every control is in it, with its schemas and error responses', () => {
  const doc = openApiDocument('0.0.0') as Doc
  for (const name of OPERATION_NAMES) {
    const spec = OPERATIONS[name]
    const op = doc.paths[operationPath(spec)]?.[spec.method.toLowerCase()]
    assert.ok(op, `${spec.method} ${spec.path}`)
    assert.equal(op.operationId, name)
    assert.deepEqual(
      resolve(doc, op.responses['200'].content['application/json'].schema),
      spec.response,
    )
    assert.ok(op.responses['4XX'] && op.responses['5XX'], name)
    if ('body' in spec)
      assert.deepEqual(resolve(doc, op.requestBody.content['application/json'].schema), spec.body)
    const pathParams = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
    assert.deepEqual(
      (op.parameters ?? []).filter((p: Doc) => p.in === 'path').map((p: Doc) => p.name),
      pathParams,
    )
  }
  for (const name of CONTROL_NAMES) {
    const spec = SANDBOX_CONTROLS[name]
    const op = doc.paths[SANDBOX_PREFIX + spec.path]?.[spec.method.toLowerCase()]
    assert.equal(op?.operationId, `sandbox_${name}`)
  }
  const count = Object.values(doc.paths).reduce(
    (n: number, p) => n + Object.keys(p as object).length,
    0,
  )
  // And the two routes outside both tables: /healthz and /openapi.json itself.
  assert.equal(
    count,
    OPERATION_NAMES.length + BRAND_OPERATION_NAMES.length + CONTROL_NAMES.length + 2,
  )
  for (const name of BRAND_OPERATION_NAMES) {
    const spec = BRAND_OPERATIONS[name]
    const op = doc.paths[operationPath(spec)]?.[spec.method.toLowerCase()]
    assert.equal(op?.operationId, name)
    assert.deepEqual(op.security, [{ wechatpay_brand: [] }])
    const schema = resolve(doc, op.responses['200'].content['application/json'].schema)
    assert.deepEqual(schema, spec.response)
    assert.doesNotMatch(JSON.stringify(schema), /brand_id/, `${name} answers without brand_id`)
  }
})

test('SERVER_VERSION is package.json’s version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  assert.equal(SERVER_VERSION, pkg.version)
})
