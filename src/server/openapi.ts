import * as couponConfig from '@wxcoupon/sdk/schemas'
import * as entities from '@wxcoupon/sdk/schemas'
import * as requests from '@wxcoupon/sdk/schemas'
import * as sandbox from '@wxcoupon/sdk/schemas'
import {
  BRAND_OPERATION_NAMES,
  BRAND_OPERATIONS,
  CONTROL_NAMES,
  type ControlSpec,
  ErrorBody,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationSpec,
  operationPath,
  SANDBOX_CONTROLS,
  SANDBOX_PREFIX,
} from '@wxcoupon/sdk/schemas'
import { type TObject, type TSchema, Type } from 'typebox'

/**
 * The OpenAPI 3.1 document of everything the server answers, made from the operation table and
 * the sandbox control table (their TypeBox schemas are JSON Schema 2020-12, OpenAPI 3.1's own
 * dialect). Served at GET /openapi.json and committed as openapi.json, which a test keeps equal.
 */

type Json = Record<string, unknown>

/**
 * Every object schema exported by the schema modules, by its export name: the document refers
 * to each (`#/components/schemas/<name>`) instead of repeating it wherever it is used.
 */
const NAMED = new Map<unknown, string>()
for (const module of [entities, requests, couponConfig, sandbox]) {
  for (const [name, value] of Object.entries(module)) {
    const schema = value as { type?: unknown; anyOf?: unknown }
    if (
      typeof value === 'object' &&
      (schema.type === 'object' || schema.anyOf) &&
      !NAMED.has(value)
    ) {
      NAMED.set(value, name)
    }
  }
}

/**
 * A brand operation's schemas that lost a brand_id (at any depth) are named after their
 * partner twin's, so each is written once: walks the two trees side by side.
 */
function nameBrandTwins(b: unknown, p: unknown): void {
  if (b === p || b === null || p === null || typeof b !== 'object' || typeof p !== 'object') return
  const twin = NAMED.get(p)
  if (twin !== undefined && !NAMED.has(b)) NAMED.set(b, `Brand${twin}`)
  for (const [k, v] of Object.entries(b)) nameBrandTwins(v, (p as Record<string, unknown>)[k])
}
for (const name of BRAND_OPERATION_NAMES) {
  const brand = BRAND_OPERATIONS[name] as unknown as Record<string, unknown>
  const partner = OPERATIONS[BRAND_OPERATIONS[name].partner] as unknown as Record<string, unknown>
  for (const key of ['query', 'body', 'response']) nameBrandTwins(brand[key], partner[key])
}

const Health = Type.Object({
  status: Type.Enum(['ok', 'unavailable']),
  database: Type.Enum(['reachable', 'unreachable']),
})

const json = (schema: TSchema) => ({ 'application/json': { schema } })

/** The schema with every named part below it as a $ref; `used` collects the names. */
function withRefs(node: unknown, used: Map<string, unknown>, top = true): unknown {
  const name = NAMED.get(node)
  if (name !== undefined && !top) {
    if (!used.has(name)) {
      used.set(name, null)
      used.set(name, withRefs(node, used, true))
    }
    return { $ref: `#/components/schemas/${name}` }
  }
  if (Array.isArray(node)) return node.map((n) => withRefs(n, used, false))
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withRefs(v, used, false)]))
}

function parameters(where: 'path' | 'query', schema: TObject | undefined): Json[] {
  if (!schema) return []
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }))
}

const ERROR = { description: "in WeChat Pay's error envelope", content: json(ErrorBody) }

function operation(
  id: string,
  spec: OperationSpec | ControlSpec,
  extra: { tags: string[]; security: Json[] },
): Json {
  const doc: Json = {
    operationId: id,
    summary: spec.summary,
    tags: extra.tags,
    security: extra.security,
  }
  const params = [...parameters('path', spec.params), ...parameters('query', spec.query)]
  if (params.length > 0) doc.parameters = params
  if (spec.body) doc.requestBody = { required: bodyRequired(spec.body), content: json(spec.body) }
  doc.responses = {
    '200': { description: 'OK', content: json(spec.response) },
    '4XX': ERROR,
    '5XX': ERROR,
  }
  return doc
}

/** A body with required members (or a choice of shapes) must be sent; `{}` controls may omit it. */
function bodyRequired(body: TSchema): boolean {
  const s = body as { required?: string[]; anyOf?: unknown[] }
  return (s.required?.length ?? 0) > 0 || Array.isArray(s.anyOf)
}

function addPath(paths: Record<string, Json>, path: string, method: string, op: Json): void {
  paths[path] ??= {}
  ;(paths[path] as Json)[method.toLowerCase()] = op
}

export function openApiDocument(version: string): Json {
  const paths: Record<string, Json> = {}
  for (const name of OPERATION_NAMES) {
    const spec: OperationSpec = OPERATIONS[name]
    const op = operation(name, spec, { tags: ['partner'], security: [{ wechatpay: [] }] })
    op['x-rate-limit'] = spec.rateLimit
    if (spec.requestNo) op['x-request-number'] = spec.requestNo
    // The API revision an operation exists in only, and the parts another revision changes.
    if (spec.only) op['x-revision'] = spec.only
    if (spec.revisions) op['x-revisions'] = spec.revisions as unknown as Json
    addPath(paths, operationPath(spec), spec.method, op)
  }
  for (const name of BRAND_OPERATION_NAMES) {
    const spec: OperationSpec = BRAND_OPERATIONS[name]
    const op = operation(name, spec, { tags: ['brand'], security: [{ wechatpay_brand: [] }] })
    op['x-rate-limit'] = spec.rateLimit
    if (spec.requestNo) op['x-request-number'] = spec.requestNo
    addPath(paths, operationPath(spec), spec.method, op)
  }
  for (const name of CONTROL_NAMES) {
    const spec: ControlSpec = SANDBOX_CONTROLS[name]
    const op = operation(`sandbox_${name}`, spec, { tags: ['sandbox'], security: [{ admin: [] }] })
    addPath(paths, SANDBOX_PREFIX + spec.path, spec.method, op)
  }
  paths['/healthz'] = {
    get: {
      operationId: 'healthz',
      summary: 'readiness: 200 while the database answers, 503 when it does not',
      tags: ['sandbox'],
      security: [],
      responses: {
        '200': { description: 'ready', content: json(Health) },
        '503': { description: 'the database does not answer', content: json(Health) },
      },
    },
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'this document',
      tags: ['sandbox'],
      security: [],
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
    },
  }
  const schemas = new Map<string, unknown>()
  const linked = withRefs(paths, schemas, false) as Json
  return {
    openapi: '3.1.0',
    info: {
      title: 'wxcoupon: WeChat Pay APIv3 product coupons (商品券), self-hosted',
      version,
      description:
        'The WeChat-compatible operations (tag partner) answer exactly as WeChat Pay does: APIv3-signed requests and responses, errors in its envelope. The sandbox controls (tag sandbox) are not part of WeChat Pay.',
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'wxcoupon serve (default port)' }],
    tags: [
      { name: 'partner', description: 'WeChat Pay partner (service provider) mode' },
      {
        name: 'brand',
        description:
          'brand-direct mode (品牌直连): the partner operations, called by the brand itself, without brand_id',
      },
      { name: 'sandbox', description: 'sandbox controls' },
    ],
    paths: linked,
    components: {
      schemas: Object.fromEntries([...schemas].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        wechatpay: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…": RSA-SHA256 over "METHOD\\nrequest-target\\ntimestamp\\nnonce\\nbody\\n" with the partner key',
        },
        wechatpay_brand: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'WECHATPAY-BRAND-SHA256-RSA2048 brand_id="…",nonce_str="…",signature="…",timestamp="…",serial_no="…" (any order), the same message signed with the brand API key; every request also sends Wechatpay-Serial: the brand\'s PUB_KEY_ID_…',
        },
        admin: { type: 'http', scheme: 'bearer', description: 'the admin_token of sandbox.json' },
      },
    },
  }
}
