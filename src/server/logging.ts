import type { FastifyReply, FastifyServerOptions } from 'fastify'

/**
 * The server's log, on stderr: failures always (a corrupted database, a full disk: the 5xx
 * a client sees as SYSTEM_ERROR is explained here), every request with `requests`. Each line
 * of a request names the Request-ID the client got and, for a failure, the error code; the
 * Authorization header is never written.
 */
export function serverLogger(o: {
  requests: boolean
  stream?: NodeJS.WritableStream
}): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: o.requests ? 'info' : 'error',
    stream: o.stream ?? process.stderr,
    redact: ['req.headers.authorization'],
    serializers: {
      res: (res) => {
        const reply = res as unknown as FastifyReply
        return {
          statusCode: reply.statusCode,
          request_id: String(reply.getHeader?.('request-id') ?? ''),
          ...(reply.wxCode === undefined ? {} : { code: reply.wxCode }),
        }
      },
    },
  }
}
