import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import {
  ErrorBody,
  ListUserCouponsResponse,
  UserProductCouponEntity,
} from '../../schemas/entities.ts'
import {
  ConfirmCouponBody,
  DeactivateCouponBody,
  ListUserCouponsQuery,
  ReturnCouponBody,
  SendCouponBody,
  UseCouponBody,
  UserCouponParams,
  UserCouponQuery,
  UserParams,
} from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { listUserCoupons } from '../../service/list-user-coupons.ts'
import { getUserCoupon } from '../../service/queries.ts'
import { sendCoupon } from '../../service/send-coupon.ts'
import { confirm, deactivate, returnUserCoupon, use } from '../../service/user-coupon-ops.ts'
import { callerOf } from '../wechat-api.ts'

const response = { 200: UserProductCouponEntity, '4xx': ErrorBody, '5xx': ErrorBody }

/** E8 send, E10 confirm, E11 use, E12 query, E13 list, E14 deactivate, E15 return. */
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
    {
      config: { operation: 'send' },
      schema: { params: UserParams, body: SendCouponBody, response },
    },
    (request) => sendCoupon(deps, callerOf(request), request.params.openid, request.body),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/confirm',
    {
      config: { operation: 'confirm' },
      schema: { params: UserCouponParams, body: ConfirmCouponBody, response },
    },
    (request) => confirm(deps, callerOf(request), path(request.params), request.body),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/use',
    {
      config: { operation: 'use' },
      schema: { params: UserCouponParams, body: UseCouponBody, response },
    },
    (request) => use(deps, callerOf(request), path(request.params), request.body),
  )

  app.get(
    '/users/:openid/coupons/:coupon_code',
    {
      config: { operation: 'get_user_coupon' },
      schema: { params: UserCouponParams, querystring: UserCouponQuery, response },
    },
    (request) => getUserCoupon(deps, callerOf(request), path(request.params), request.query),
  )

  app.get(
    '/users/:openid/coupons',
    {
      config: { operation: 'list_user_coupons' },
      schema: {
        params: UserParams,
        querystring: ListUserCouponsQuery,
        response: { 200: ListUserCouponsResponse, '4xx': ErrorBody, '5xx': ErrorBody },
      },
    },
    (request) => listUserCoupons(deps, callerOf(request), request.params.openid, request.query),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/deactivate',
    {
      config: { operation: 'deactivate' },
      schema: { params: UserCouponParams, body: DeactivateCouponBody, response },
    },
    (request) => deactivate(deps, callerOf(request), path(request.params), request.body),
  )

  app.post(
    '/users/:openid/coupons/:coupon_code/return',
    {
      config: { operation: 'return' },
      schema: { params: UserCouponParams, body: ReturnCouponBody, response },
    },
    (request) => returnUserCoupon(deps, callerOf(request), path(request.params), request.body),
  )
}
