import type { RequestOf } from '@wxcoupon/sdk/schemas'
import {
  type ApiOperationName,
  apiOperation,
  ErrorBody,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationName,
  type OperationSpec,
  operationPath,
} from '@wxcoupon/sdk/schemas'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { wxError } from '../domain/errors.ts'
import type { Caller, ServiceDeps } from '../service/context.ts'
import type { PlatformKeys, SigningKey } from '../service/platform-keys.ts'
import type { Authenticator } from './authenticate.ts'
import { BINDINGS, type Binding } from './bindings.ts'
import { parseJsonBody } from './request-body.ts'
import { revisedParts, revisedRateLimit } from './revision-parts.ts'
import { admit, type Traffic } from './traffic/admit.ts'

const EMPTY = Buffer.alloc(0)
const ERRORS = { '4xx': ErrorBody, '5xx': ErrorBody }

/**
 * The WeChat-compatible API, one route per entry of the operation table (each at its full
 * path: GET /v3/certificates is outside the product-coupon prefix). Order per the protocol:
 * verify the signature over the raw bytes, pick the partner's platform key for the answer (and
 * refuse a Wechatpay-Serial it does not know, if the partner is strict), then read the body as
 * JSON, then (Fastify) validate against the route's schemas, then the service runs
 * authorisation, ownership, idempotency and the rules.
 */
export const wechatApi: FastifyPluginAsync<{
  deps: ServiceDeps
  auth: Authenticator
  traffic: Traffic
  platformKeys: PlatformKeys
}> = async (app, opts) => {
  const { deps } = opts
  const limits = deps.settings.rateLimits
  app.decorateRequest('caller', null)
  app.decorateRequest('signingKey', undefined)
  app.addHook('preValidation', async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY
    request.caller = await opts.auth.authenticate({
      method: request.method,
      url: request.raw.url ?? request.url,
      authorization: request.headers.authorization,
      body: raw,
    })
    if (deps.clock.shared) await deps.clock.refresh()
    const operation = request.routeOptions.config.operation
    const serial = request.headers['wechatpay-serial']
    const answer = await opts.platformKeys.forAnswer(request.caller.mchid, {
      requestSerial: Array.isArray(serial) ? serial[0] : serial,
      now: deps.clock.seconds(),
      certificateDownload: operation === 'get_certificates',
    })
    request.signingKey = answer.key
    if (answer.refuseSerial) {
      throw wxError('PLATFORM_SERIAL_INVALID', { field: 'Wechatpay-Serial', location: 'header' })
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      request.body = parseJsonBody(request.headers['content-type'], raw)
    }
    if (operation === undefined) return
    const revised = revisedRateLimit(apiOperation(operation), request.caller)
    const subject = limits.per === 'brand' ? (brandOf(request) ?? '') : ''
    const key = limits.enabled ? `${request.caller.mchid}\n${subject}` : undefined
    await admit(opts.traffic, operation, key, revised)
  })
  for (const name of OPERATION_NAMES) {
    const op: OperationSpec = OPERATIONS[name]
    // Each binding is typed by its own entry; here they are all handled alike.
    const bound = BINDINGS[name] as Binding<OperationName>
    const revised = revisedParts(op, callerOf)
    app.route({
      method: op.method,
      url: operationPath(op).replace(/\{(\w+)\}/g, ':$1'),
      config: { operation: name },
      schema: {
        ...(op.params ? { params: op.params } : {}),
        // A part that differs between revisions is validated after authentication, by the
        // caller's revision's schema (preHandler below), with the same PARAM_ERROR.
        ...(op.query && !revised.query ? { querystring: op.query } : {}),
        ...(op.body && !revised.body ? { body: op.body } : {}),
        response: { 200: op.response, ...ERRORS },
      },
      ...(revised.any ? { preHandler: revised.check } : {}),
      handler: (request) =>
        bound(deps, callerOf(request), {
          params: request.params,
          query: request.query,
          body: request.body,
        } as RequestOf<OperationName>),
    })
  }
}

/** The brand a call acts for (body for POST/PATCH, query for GET), when it names one. */
function brandOf(request: FastifyRequest): string | undefined {
  const from = (v: unknown) =>
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { brand_id?: unknown }).brand_id === 'string'
      ? (v as { brand_id: string }).brand_id
      : undefined
  return from(request.body) ?? from(request.query)
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller
  if (!caller) throw new Error('route reached without authentication')
  return caller
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
    /** The platform key this request's answer is signed with; unset: the public key. */
    signingKey: SigningKey | undefined
  }
  interface FastifyContextConfig {
    /** The WeChat operation a route serves, for rate limits and fault injection. */
    operation?: ApiOperationName
  }
}
