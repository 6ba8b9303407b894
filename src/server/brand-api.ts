import {
  BRAND_OPERATION_NAMES,
  BRAND_OPERATIONS,
  type BrandOperationName,
  type BrandOperationSpec,
  ErrorBody,
  type OperationName,
  operationPath,
  type RequestOf,
} from '@wxcoupon/sdk/schemas'
import type { FastifyPluginAsync } from 'fastify'
import { wxError } from '../domain/errors.ts'
import type { ServiceDeps } from '../service/context.ts'
import { BINDINGS, type Binding } from './bindings.ts'
import type { BrandAuthenticator } from './brand-authenticate.ts'
import { parseJsonBody } from './request-body.ts'
import { revisedParts, revisedRateLimit } from './revision-parts.ts'
import { admit, type Traffic } from './traffic/admit.ts'
import { callerOf } from './wechat-api.ts'

const EMPTY = Buffer.alloc(0)
const ERRORS = { '4xx': ErrorBody, '5xx': ErrorBody }

/**
 * Brand-direct mode: one route per derived brand operation, under /brand/marketing/product-
 * coupon, running its partner twin's service on the same data. The brand signature names the
 * brand, so after authentication the brand_id is put into the query or body the partner
 * service expects; a brand_id the client sent anyway is ignored when it is the signing brand's
 * and refused (400) when it is another's, so a mix-up never acts for the wrong brand. Answers
 * are serialised by the twin's schema without brand_id, so none leaves in them.
 */
export const brandApi: FastifyPluginAsync<{
  deps: ServiceDeps
  auth: BrandAuthenticator
  traffic: Traffic
}> = async (app, opts) => {
  const { deps } = opts
  const limits = deps.settings.rateLimits
  app.decorateRequest('caller', null)
  app.decorateRequest('signingKey', undefined)
  app.addHook('preValidation', async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY
    const serial = request.headers['wechatpay-serial']
    const { caller, signingKey } = await opts.auth.authenticate(
      {
        method: request.method,
        url: request.raw.url ?? request.url,
        authorization: request.headers.authorization,
        body: raw,
        serial: Array.isArray(serial) ? serial[0] : serial,
      },
      (key) => {
        request.signingKey = key
      },
    )
    request.caller = caller
    request.signingKey = signingKey
    if (deps.clock.shared) await deps.clock.refresh()
    const brandId = caller.brandDirect ?? ''
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      request.body = withBrand(parseJsonBody(request.headers['content-type'], raw), brandId, 'body')
    }
    request.query = withBrand(request.query, brandId, 'query')
    const operation = request.routeOptions.config.operation
    if (operation === undefined) return
    const revised = revisedRateLimit(BRAND_OPERATIONS[operation as BrandOperationName], caller)
    await admit(opts.traffic, operation, limits.enabled ? `brand\n${brandId}` : undefined, revised)
  })
  for (const name of BRAND_OPERATION_NAMES) {
    const op: BrandOperationSpec = BRAND_OPERATIONS[name]
    const bound = BINDINGS[op.partner] as Binding<OperationName>
    const revised = revisedParts(op, callerOf, jsonWithoutBrandId)
    app.route({
      method: op.method,
      url: operationPath(op).replace(/\{(\w+)\}/g, ':$1'),
      config: { operation: name },
      schema: {
        ...(op.params ? { params: op.params } : {}),
        // As on partner routes, a part that differs between revisions is validated by the
        // caller's revision's schema after authentication.
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

/**
 * The signing brand's id in place of whatever brand_id the client sent: none, or the same, is
 * as good as none; another brand's is refused.
 */
function withBrand(value: unknown, brandId: string, location: 'body' | 'query'): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const v = value as Record<string, unknown>
  if (v.brand_id !== undefined && v.brand_id !== brandId) {
    throw wxError('BRAND_ID_MISMATCH', {
      field: location === 'body' ? '/brand_id' : 'brand_id',
      issue: 'brand calls take the brand from the signature; leave brand_id out',
      location,
    })
  }
  return { ...v, brand_id: brandId }
}

/** A later revision's brand answer, serialised as built: brand_id taken out at any depth. */
function jsonWithoutBrandId(payload: unknown): string {
  return JSON.stringify(payload, (key, value) => (key === 'brand_id' ? undefined : value))
}
