import { timingSafeEqual } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import { wxError } from '../domain/errors.ts'
import { formatRfc3339 } from '../domain/time.ts'
import { AppId, BrandId, Id40, Rfc3339 } from '../schemas/fields.ts'
import type { ServiceDeps } from '../service/context.ts'
import {
  approveProductCoupon,
  approveStock,
  authorizeBrand,
  createAppId,
  createBrand,
  createOpenId,
  createPartner,
} from '../service/sandbox.ts'
import { parseJsonBody } from './request-body.ts'

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
export const sandboxApi: FastifyPluginAsync<{ deps: ServiceDeps; adminToken: string }> = async (
  fastify,
  opts,
) => {
  const { deps } = opts
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.addHook('preValidation', async (request) => {
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!tokenMatches(token, opts.adminToken)) throw wxError('SANDBOX_UNAUTHORIZED')
    if (request.method === 'POST') {
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

  app.post(
    '/stocks/:stock_id/approve',
    { schema: { params: Type.Object({ stock_id: Id40 }) } },
    (request) => approveStock(deps, request.params.stock_id),
  )

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
      return clockView()
    },
  )
}
