import { timingSafeEqual } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import { wxError } from '../domain/errors.ts'
import { formatRfc3339 } from '../domain/time.ts'
import type { OutboxWorker } from '../notify/worker.ts'
import { AppId, BrandId, CouponCode, Id40, OpenId, Rfc3339 } from '../schemas/fields.ts'
import { isOperationName, OPERATION_NAMES } from '../schemas/operations.ts'
import type { ServiceDeps } from '../service/context.ts'
import {
  approveProductCoupon,
  authorizeBrand,
  createAppId,
  createBrand,
  createOpenId,
  createPartner,
  issueViaChannel,
  listTenants,
  moveStock,
  rejectProductCoupon,
  resetCoupons,
  revokeBrand,
  unbindAppId,
  userDeletesCoupon,
} from '../service/sandbox.ts'
import { parseJsonBody } from './request-body.ts'
import { notificationControls } from './sandbox-notifications.ts'
import type { Traffic } from './wechat-api.ts'

export const SANDBOX_PREFIX = '/sandbox'

const Mchid = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })

/** Equal-time comparison that never throws on unequal lengths. */
function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Controls that are not part of WeChat Pay: tenants, review, clock. JSON in and out, guarded by
 * `Authorization: Bearer <admin_token>`.
 */
export const sandboxApi: FastifyPluginAsync<{
  deps: ServiceDeps
  adminToken: string
  traffic: Traffic
  outbox?: OutboxWorker
}> = async (fastify, opts) => {
  const { deps } = opts
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.addHook('preValidation', async (request) => {
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!tokenMatches(token, opts.adminToken)) throw wxError('SANDBOX_UNAUTHORIZED')
    if (deps.clock.shared) await deps.clock.refresh()
    if (request.method === 'POST' || request.method === 'PUT') {
      // Controls without parameters may be POSTed with no body at all.
      const raw = Buffer.isBuffer(request.body) ? request.body : undefined
      request.body = raw?.length ? parseJsonBody(request.headers['content-type'], raw) : {}
    }
  })

  app.post('/partners', { schema: { body: Type.Object({}) } }, () => createPartner(deps))

  app.post(
    '/brands',
    { schema: { body: Type.Object({ partner_mchids: Type.Array(Mchid, { maxItems: 100 }) }) } },
    (request) => createBrand(deps, request.body.partner_mchids),
  )

  app.post(
    '/brands/:brand_id/partners',
    { schema: { params: Type.Object({ brand_id: BrandId }), body: Type.Object({ mchid: Mchid }) } },
    async (request) => {
      await authorizeBrand(deps, request.params.brand_id, request.body.mchid)
      return { brand_id: request.params.brand_id, mchid: request.body.mchid }
    },
  )

  app.post(
    '/appids',
    {
      schema: {
        body: Type.Union([Type.Object({ mchid: Mchid }), Type.Object({ brand_id: BrandId })]),
      },
    },
    (request) => createAppId(deps, request.body),
  )

  app.post('/openids', { schema: { body: Type.Object({ appid: AppId }) } }, (request) =>
    createOpenId(deps, request.body.appid),
  )

  app.post(
    '/product-coupons/:product_coupon_id/approve',
    { schema: { params: Type.Object({ product_coupon_id: Id40 }) } },
    (request) => approveProductCoupon(deps, request.params.product_coupon_id),
  )

  const Reason = Type.Object({
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 150 })),
  })

  app.post(
    '/product-coupons/:product_coupon_id/reject',
    { schema: { params: Type.Object({ product_coupon_id: Id40 }), body: Reason } },
    (request) =>
      rejectProductCoupon(
        deps,
        request.params.product_coupon_id,
        request.body.reason ?? '审核未通过',
      ),
  )

  for (const move of ['approve', 'reject', 'pause', 'resume'] as const) {
    app.post(
      `/stocks/:stock_id/${move}`,
      { schema: { params: Type.Object({ stock_id: Id40 }), body: Reason } },
      (request) => moveStock(deps, request.params.stock_id, move, request.body.reason),
    )
  }

  app.post(
    '/users/:openid/coupons/:coupon_code/delete',
    {
      schema: {
        params: Type.Object({ openid: OpenId, coupon_code: CouponCode }),
        body: Type.Object({ stock_id: Id40 }),
      },
    },
    (request) =>
      userDeletesCoupon(deps, {
        openid: request.params.openid,
        couponCode: request.params.coupon_code,
        stockId: request.body.stock_id,
      }),
  )

  app.post(
    '/coupons/issue',
    {
      schema: {
        body: Type.Object({
          product_coupon_id: Id40,
          stock_id: Id40,
          appid: AppId,
          openid: OpenId,
          send_channel: Type.Enum(['BRAND_MANAGE', 'MERCHANT_CARD', 'MEMBER']),
          channel_custom_info: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
      },
    },
    (request) => issueViaChannel(deps, request.body),
  )

  app.get('/partners', async () => (await listTenants(deps)).partners)
  app.get('/brands', async () => (await listTenants(deps)).brands)
  app.get('/appids', async () => (await listTenants(deps)).appids)

  app.delete(
    '/brands/:brand_id/partners/:mchid',
    { schema: { params: Type.Object({ brand_id: BrandId, mchid: Mchid }) } },
    async (request) => {
      await revokeBrand(deps, request.params.brand_id, request.params.mchid)
      return { brand_id: request.params.brand_id, mchid: request.params.mchid, revoked: true }
    },
  )

  app.delete(
    '/appids/:appid',
    { schema: { params: Type.Object({ appid: AppId }) } },
    async (request) => {
      await unbindAppId(deps, request.params.appid)
      return { appid: request.params.appid, unbound: true }
    },
  )

  const FaultSpec = Type.Object({
    operation: Type.String({ minLength: 1, maxLength: 40, pattern: '^([a-z_]+|\\*)$' }),
    mode: Type.Enum(['SYSTEM_ERROR', 'RATELIMIT_EXCEEDED', 'DELAY']),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  })

  app.post('/faults', { schema: { body: FaultSpec } }, (request) => {
    const b = request.body
    if ((b.count === undefined) === (b.probability === undefined)) {
      throw wxError('PARAM_ERROR', {
        field: '/count',
        issue: 'give exactly one of count and probability',
      })
    }
    if (b.mode === 'DELAY' && b.delay_ms === undefined) {
      throw wxError('PARAM_ERROR', { field: '/delay_ms', issue: 'required for DELAY' })
    }
    const { operation } = b
    if (operation !== '*' && !isOperationName(operation)) {
      // A misspelt name would be accepted and never fire.
      throw wxError('PARAM_ERROR', {
        field: '/operation',
        issue: `must be * or one of ${OPERATION_NAMES.join(', ')}`,
      })
    }
    return opts.traffic.faults.add({ ...b, operation })
  })
  app.get('/faults', async () => ({ faults: await opts.traffic.faults.list() }))
  app.delete('/faults', async () => {
    await opts.traffic.faults.clear()
    return { faults: [] }
  })

  await fastify.register(notificationControls, {
    deps,
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
  })

  app.post('/reset', async () => {
    await resetCoupons(deps)
    return { reset: true }
  })

  const clockView = () => ({ now: formatRfc3339(deps.clock.seconds()) })

  app.get('/clock', clockView)

  app.post(
    '/clock',
    {
      schema: {
        body: Type.Union([
          Type.Object({
            advance_seconds: Type.Integer({
              minimum: -(100 * 365 * 86_400),
              maximum: 100 * 365 * 86_400,
            }),
          }),
          Type.Object({ now: Rfc3339 }),
        ]),
      },
    },
    async (request) => {
      const b = request.body
      if ('advance_seconds' in b) await deps.clock.advance(b.advance_seconds)
      else await deps.clock.setNow(b.now)
      // Retries that the new time makes due leave now.
      opts.outbox?.wake()
      return clockView()
    },
  )
}
