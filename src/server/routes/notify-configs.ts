import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import { NotifyConfigEntity } from '../../schemas/entities.ts'
import { NotifyConfigBody } from '../../schemas/requests.ts'
import type { ServiceDeps } from '../../service/context.ts'
import { getNotifyConfig, setNotifyConfig } from '../../service/notify-config.ts'
import { callerOf } from '../wechat-api.ts'
import { errors } from './product-coupons.ts'

/** E1 set, E2 get the partner's notify URL. */
export const notifyConfigRoutes: FastifyPluginAsync<{ deps: ServiceDeps }> = async (
  fastify,
  { deps },
) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const response = { 200: NotifyConfigEntity, ...errors }
  app.post(
    '/notify-configs',
    { config: { operation: 'set_notify_config' }, schema: { body: NotifyConfigBody, response } },
    (request) => setNotifyConfig(deps, callerOf(request), request.body),
  )
  app.get(
    '/notify-configs',
    { config: { operation: 'get_notify_config' }, schema: { response } },
    (request) => getNotifyConfig(deps, callerOf(request)),
  )
}
