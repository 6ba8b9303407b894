import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import { ErrorBody, UserProductCouponEntity } from '../../schemas/entities.ts'
import {
  ConfirmCouponBody,
  ReturnCouponBody,
  SendCouponBody,
  UseCouponBody,
  UserCouponParams,
  UserCouponQuery,
  UserParams,
} from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { getUserCoupon } from '../../service/queries.ts'
import { sendCoupon } from '../../service/send-coupon.ts'
import { confirm, returnUserCoupon, use } from '../../service/user-coupon-ops.ts'
import { callerOf } from '../wechat-api.ts'

const response = { 200: UserProductCouponEntity, '4xx': ErrorBody, '5xx': ErrorBody }

/** E8 send, E10 confirm, E11 use, E12 query, E15 return. */
export const userCouponRoutes: FastifyPluginAsync<{ deps: ServiceDeps }> = async (
  fastify,
  { deps },
) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const path = (p: { openid: string; coupon_code: string }) => ({
    openid: p.openid,
    couponCode: p.coupon_code,
  })

  app.post(
    '/users/:openid/coupons',
    { schema: { params: UserParams, body: SendCouponBody, response } },
    (request) => sendCoupon(deps, callerOf(request), request.params.openid, request.body),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/confirm',
    { schema: { params: UserCouponParams, body: ConfirmCouponBody, response } },
    (request) => confirm(deps, callerOf(request), path(request.params), request.body),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/use',
    { schema: { params: UserCouponParams, body: UseCouponBody, response } },
    (request) => use(deps, callerOf(request), path(request.params), request.body),
  )

  app.get(
    '/users/:openid/coupons/:coupon_code',
    { schema: { params: UserCouponParams, querystring: UserCouponQuery, response } },
    (request) => getUserCoupon(deps, callerOf(request), path(request.params), request.query),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/return',
    { schema: { params: UserCouponParams, body: ReturnCouponBody, response } },
    (request) => returnUserCoupon(deps, callerOf(request), path(request.params), request.body),
  )
}
