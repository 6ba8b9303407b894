import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { wxError } from '../domain/errors.ts'
import type { Caller, ServiceDeps } from '../service/context.ts'
import type { Authenticator } from './authenticate.ts'
import { parseJsonBody } from './request-body.ts'
import { notifyConfigRoutes } from './routes/notify-configs.ts'
import { productCouponRoutes } from './routes/product-coupons.ts'
import { stockRoutes } from './routes/stocks.ts'
import { userCouponRoutes } from './routes/user-coupons.ts'
import type { Limiter } from './traffic/rate-limit.ts'
import type { Faults } from './traffic/shared-faults.ts'

export interface Traffic {
  faults: Faults
  limiter: Limiter
}

export const API_PREFIX = '/v3/marketing/partner/product-coupon'

const EMPTY = Buffer.alloc(0)

/**
 * The WeChat-compatible API. Order per protocol §3: verify the signature over the raw bytes,
 * then read the body as JSON, then (Fastify) validate against the route schema, then the
 * service runs authorisation, ownership, idempotency and the rules.
 */
export const wechatApi: FastifyPluginAsync<{
  deps: ServiceDeps
  auth: Authenticator
  traffic: Traffic
}> = async (app, opts) => {
  const limits = opts.deps.settings.rateLimits
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
    if (opts.deps.clock.shared) await opts.deps.clock.refresh()
    const operation = request.routeOptions.config.operation
    if (operation === undefined) return
    // Rejected calls change nothing: both checks run before validation and the service.
    if (limits.enabled) {
      const subject = limits.per === 'brand' ? (brandOf(request) ?? '') : ''
      if (!(await opts.traffic.limiter.take(operation, `${request.caller.mchid}\n${subject}`))) {
        throw wxError('RATELIMIT_EXCEEDED')
      }
    }
    const fault = await opts.traffic.faults.draw(operation)
    if (fault?.mode === 'DELAY') await sleep(fault.delay_ms ?? 0)
    else if (fault) throw wxError(fault.mode)
  })
  await app.register(notifyConfigRoutes, { deps: opts.deps })
  await app.register(productCouponRoutes, { deps: opts.deps })
  await app.register(stockRoutes, { deps: opts.deps })
  await app.register(userCouponRoutes, { deps: opts.deps })
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
  }
  interface FastifyContextConfig {
    /** Name of the WeChat operation, for rate limits and fault injection. */
    operation?: string
  }
}
