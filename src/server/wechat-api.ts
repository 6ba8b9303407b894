import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Caller, ServiceDeps } from '../service/context.ts'
import type { Authenticator } from './authenticate.ts'
import { parseJsonBody } from './request-body.ts'
import { productCouponRoutes } from './routes/product-coupons.ts'
import { userCouponRoutes } from './routes/user-coupons.ts'

export const API_PREFIX = '/v3/marketing/partner/product-coupon'

const EMPTY = Buffer.alloc(0)

/**
 * The WeChat-compatible API. Order per protocol §3: verify the signature over the raw bytes,
 * then read the body as JSON, then (Fastify) validate against the route schema, then the
 * service runs authorisation, ownership, idempotency and the rules.
 */
export const wechatApi: FastifyPluginAsync<{ deps: ServiceDeps; auth: Authenticator }> = async (
  app,
  opts,
) => {
  app.decorateRequest('caller', null)
  app.addHook('preValidation', async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY
    request.caller = await opts.auth.authenticate({
      method: request.method,
      url: request.raw.url ?? request.url,
      authorization: request.headers.authorization,
      body: raw,
    })
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      request.body = parseJsonBody(request.headers['content-type'], raw)
    }
  })
  await app.register(productCouponRoutes, { deps: opts.deps })
  await app.register(userCouponRoutes, { deps: opts.deps })
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller
  if (!caller) throw new Error('route reached without authentication')
  return caller
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
  }
}
