import type { FastifyInstance } from 'fastify'
import type { Store } from '../store/store.ts'
import { openApiDocument } from './openapi.ts'
import { SERVER_VERSION } from './version.ts'

/**
 * The two routes outside both APIs, without authentication: the OpenAPI document, and a
 * readiness probe that answers 200 only while the database answers (a supervisor or a CI
 * service check waits on it).
 */
export function installServiceRoutes(app: FastifyInstance, store: Store): void {
  const openapi = JSON.stringify(openApiDocument(SERVER_VERSION))
  app.get('/openapi.json', (_request, reply) => reply.type('application/json').send(openapi))
  app.get('/healthz', async (request, reply) => {
    try {
      await store.read.getMeta('healthz')
      return { status: 'ok', database: 'reachable' }
    } catch (err) {
      request.log.error({ err }, 'health check: the database does not answer')
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
    }
  })
}
