import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

/**
 * The SDK's default transport: node:http(s) with keep-alive, behind fetch's signature so a
 * caller's own `fetch` still slots in. Cheaper per call than the global fetch, and it sends the
 * request-target exactly as given — the bytes that were signed — with no URL re-serialisation.
 * Redirects are never followed (a redirect target was never signed).
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
}

const NO_BODY = new Set([204, 205, 304])

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  const status = res.statusCode ?? 0
  return new Response(NO_BODY.has(status) ? null : new Uint8Array(body), {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  })
}

/** Everything after the authority, as the caller wrote it (no re-encoding). */
function requestTarget(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  return start < 0 ? '/' : url.slice(start)
}

export const nodeFetch = ((input: string | URL, init: RequestInit = {}) =>
  new Promise<Response>((resolve, reject) => {
    const text = String(input)
    const url = new URL(text)
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:'
    const signal = init.signal ?? undefined
    if (signal?.aborted) return reject(signal.reason)
    const req = (protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        path: requestTarget(text),
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        agent: agents[protocol],
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve(toResponse(res, Buffer.concat(chunks))))
        res.on('error', reject)
      },
    )
    // Aborted (a timeout): fail with the signal's own reason, as fetch does.
    const abort = () => req.destroy(signal?.reason as Error)
    signal?.addEventListener('abort', abort, { once: true })
    req.once('close', () => signal?.removeEventListener('abort', abort))
    req.on('error', (e) => reject(signal?.aborted ? signal.reason : e))
    req.end(typeof init.body === 'string' ? init.body : undefined)
  })) as typeof fetch
