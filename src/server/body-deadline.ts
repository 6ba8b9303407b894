import type { FastifyInstance } from 'fastify'
import { wxError } from '../domain/errors.ts'
import { sendError } from './errors.ts'

/** How long after its headers a request's body may take to arrive, whatever its size. */
export const BODY_TIMEOUT_MS = 30_000

/**
 * Node's own `requestTimeout` is only checked every `connectionsCheckingInterval` (30 s) and
 * not once the request has reached the handler, so a body trickled in at 100 B/s was held for
 * 90 s. A timer per request started with its headers ends it on time: a signed 400 in the
 * WeChat envelope with `Connection: close`, then the socket is closed so the rest of the
 * trickle is never read.
 */
export function installBodyDeadline(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw
    if (raw.complete || ms <= 0) return done()
    const timer = setTimeout(() => {
      if (raw.complete || reply.sent) return
      request.log.warn({ after_ms: ms }, 'request body incomplete: answered 400 and closed')
      reply.raw.once('finish', () => raw.socket?.destroy())
      reply.header('Connection', 'close')
      sendError(
        reply,
        wxError('INVALID_HTTP_REQUEST', {
          issue: `the body did not arrive within ${Math.round(ms / 1000)} s of the headers`,
        }),
      )
    }, ms)
    const clear = () => clearTimeout(timer)
    raw.once('end', clear)
    raw.once('close', clear)
    reply.raw.once('close', clear)
    done()
  })
}
