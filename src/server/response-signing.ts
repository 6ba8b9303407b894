import type { Duplex } from 'node:stream'
import {
  formatRequestId,
  generateRequestId,
  type RandomBytes,
  signResponse,
  signResponseAsync,
} from '@wxcoupon/sdk/protocol'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { type WxError, wxError } from '../domain/errors.ts'
import type { SigningKey } from '../service/platform-keys.ts'
import { errorBody } from './errors.ts'

/**
 * Every response — errors, 404s and sandbox replies included — carries Request-ID and is
 * signed with a platform key over the exact bytes sent (protocol §4.1, §6): the key the API
 * route chose for the partner (request.signingKey), else the WeChat Pay public key. Every
 * signature takes its key, time and nonce from signingParams; routed answers are signed in the
 * thread pool, the two answers made before routing (signatureHeaders) on the event loop.
 */
export interface ResponseSigner {
  /** The public key: for answers no partner's key was chosen for. */
  key: SigningKey
  realNowSeconds: () => number
  random: RandomBytes
}

function signingParams(p: ResponseSigner, body: string | Buffer, key: SigningKey = p.key) {
  return {
    body,
    privateKey: key.privateKey,
    keyId: key.keyId,
    timestamp: p.realNowSeconds(),
    random: p.random,
  }
}

function signatureHeaders(p: ResponseSigner, body: string | Buffer) {
  return signResponse(signingParams(p, body))
}

export function installResponseSigning(app: FastifyInstance, p: ResponseSigner): void {
  app.addHook('onSend', async (request, reply, payload) => {
    // A Buffer is signed as the bytes it is, without a decoding pass.
    const body =
      typeof payload === 'string' || Buffer.isBuffer(payload)
        ? payload
        : payload == null
          ? ''
          : undefined
    reply.header('Request-ID', formatRequestId(request.id, reply.wxNumeric))
    // Streams are never produced by this server; an unsigned reply is better than a wrong one.
    if (body === undefined) return payload
    // In the thread pool: the event loop serves other requests while RSA, the largest single
    // cost of an answer, runs on another core. (The socket stays open for a client that
    // half-closes meanwhile: keepAnswersOnHalfClose.)
    reply.headers(await signResponseAsync(signingParams(p, body, request.signingKey)))
    return payload
  })
}

/**
 * A client may send its request and then close its half of the connection (`shutdown(SHUT_WR)`,
 * as `curl` piped from a file or a raw socket does). Node by default ends the socket at that
 * FIN, dropping any answer still being computed; a real server answers it. With this, Node
 * marks the pending answer as the connection's last and ends the socket once it is written.
 */
export function keepAnswersOnHalfClose(server: object): void {
  // Public on http.Server and https.Server since Node 0.x, but missing from @types/node.
  ;(server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true
}

/**
 * Requests Node rejects before Fastify sees them (header section over 16 KiB, broken HTTP):
 * still a signed 400 in WeChat's envelope rather than a bare 431 or a dropped socket.
 */
export function rejectMalformed(
  error: Error & { code?: string },
  socket: Duplex,
  p: ResponseSigner,
) {
  // A response already begun on this connection (the bytes that broke were pipelined after
  // it) must stay the only one: a second would be read as part of the first, as Node's own
  // handler also knows.
  const current = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || error.code === 'ECONNRESET' || current?.headersSent) {
    socket.destroy()
    return
  }
  const issue =
    error.code === 'HPE_HEADER_OVERFLOW' ? 'header section too large' : 'malformed HTTP request'
  const e = wxError('INVALID_HTTP_REQUEST', { issue })
  const body = JSON.stringify(errorBody(e))
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
    'Request-ID': formatRequestId(generateRequestId(p.random), e.entry.numeric),
    ...signatureHeaders(p, body),
  }
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  // A HEAD request's answer never has a body, or the client reads it as the next response.
  const isHead = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString() === 'HEAD '
  socket.end(`HTTP/1.1 400 Bad Request\r\n${head}\r\n${isHead ? '' : body}`)
}

/**
 * Errors Fastify raises before routing (bad percent-encoding, over-long parameter): their reply
 * skips the hooks, so it is signed here.
 */
export function sendSignedError(reply: FastifyReply, e: WxError, p: ResponseSigner): void {
  const body = JSON.stringify(errorBody(e))
  reply
    .code(e.entry.status)
    .header('Content-Type', 'application/json; charset=utf-8')
    .header('Request-ID', formatRequestId(generateRequestId(p.random), e.entry.numeric))
    .headers(signatureHeaders(p, body))
    .send(body)
}
