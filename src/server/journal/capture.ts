import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { BODY_LIMIT } from './entry.ts'
import type { RequestJournal } from './recorder.ts'

/**
 * Records every request to the WeChat API (/v3/…, unknown paths included) into the journal.
 * Three synchronous hooks that keep references only: the raw body before it is parsed, the
 * bytes sent, and the entry once the response has gone out. Nothing here waits.
 */
export function installJournal(
  app: FastifyInstance,
  journal: RequestJournal,
  sandboxSeconds: () => number,
): void {
  const journaled = (request: FastifyRequest) => request.url.startsWith(JOURNALED)
  app.decorateRequest('journalRaw', undefined)
  app.decorateReply('journalPayload', undefined)
  app.addHook('preValidation', (request, _reply, done) => {
    if (journaled(request) && Buffer.isBuffer(request.body)) request.journalRaw = request.body
    done()
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    if (journaled(request) && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      reply.journalPayload = payload
    }
    done(null, payload)
  })
  app.addHook('onResponse', (request, reply, done) => {
    if (journaled(request)) journal.record(capture(request, reply, sandboxSeconds()))
    done()
  })
}

/** The WeChat API's paths all start so; an unknown path there is journaled too. */
const JOURNALED = '/v3/'

function capture(request: FastifyRequest, reply: FastifyReply, sandboxTime: number) {
  let raw = request.journalRaw
  const rawTruncated = raw !== undefined && raw.length > BODY_LIMIT
  // A copy, so a large body's whole buffer is not kept alive by the part the journal keeps.
  if (raw && rawTruncated) raw = Buffer.from(raw.subarray(0, BODY_LIMIT))
  const verified = (request as { caller?: { mchid: string } | null }).caller?.mchid
  const payload = reply.journalPayload
  return {
    requestId: String(reply.getHeader('Request-ID') ?? request.id),
    at: Date.now(),
    sandboxTime,
    method: request.method,
    url: request.raw.url ?? request.url,
    ...(request.routeOptions.config?.operation === undefined
      ? {}
      : { operation: request.routeOptions.config.operation }),
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
    headers: request.headers,
    ...(raw ? { raw } : {}),
    ...(rawTruncated ? { rawTruncated } : {}),
    params: request.params,
    query: request.query,
    body: request.body,
    responseHeaders: reply.getHeaders(),
    ...(payload === undefined ? {} : { payload }),
    ...(verified === undefined ? {} : { verifiedMchid: verified }),
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received, for the journal. */
    journalRaw?: Buffer
  }
  interface FastifyReply {
    /** The bytes sent, for the journal. */
    journalPayload?: string | Buffer
  }
}
