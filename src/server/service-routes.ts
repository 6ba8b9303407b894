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
      await withinMs(store.read.getMeta('healthz'), HEALTH_TIMEOUT_MS)
      return { status: 'ok', database: 'reachable' }
    } catch (err) {
      request.log.error({ err }, 'health check: the database does not answer')
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
    }
  })
}

/** A probe must answer sooner than the supervisor gives up on it, reachable or not. */
export const HEALTH_TIMEOUT_MS = 2_000

function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}
