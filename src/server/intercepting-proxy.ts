import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import { Server as TlsServer } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { WECHATPAY_HOSTS } from '../service/pki/sandbox-ca.ts'

/**
 * `serve --proxy-port`: an HTTP proxy that is WeChat Pay for WeChat Pay's hosts and nothing for
 * anyone else, so clients whose host is hard-coded (wechatpay-java, wechatpay-go, the official
 * samples) reach the sandbox with no code change — only a proxy setting and a trusted CA.
 *
 *   CONNECT api.mch.weixin.qq.com:443 (or api2.…)   answered 200; TLS is terminated here with
 *                                                   the sandbox CA's certificate for that host
 *                                                   and the tunnel is served by the sandbox's app
 *   GET|POST https://api.mch.weixin.qq.com/v3/…     (absolute form, as axios sends through a
 *                                                   proxy) served by the app, its request-target
 *                                                   the path and query exactly as written
 *   anything else                                   403, and nothing is ever contacted: the
 *                                                   proxy makes no outbound connection at all
 *
 * A handshake that fails closes that connection only.
 */

export interface RunningProxy {
  url: string
  close(): Promise<void>
}

const INTERCEPTED = new Set<string>(WECHATPAY_HOSTS)

/** Plain text: this answer is the proxy's, not WeChat Pay's, so it is not in WeChat's envelope. */
const REFUSAL = `the wxcoupon proxy only serves ${WECHATPAY_HOSTS.join(' and ')} (port 443) and connects nowhere else\n`

/** `host:port` of a CONNECT, or undefined when it is not one of the intercepted hosts. */
function interceptedAuthority(target: string | undefined): string | undefined {
  const m = /^([^:[\]]+):(\d+)$/.exec(target ?? '')
  if (!m) return undefined
  const host = (m[1] ?? '').toLowerCase()
  return INTERCEPTED.has(host) && m[2] === '443' ? host : undefined
}

/**
 * The request-target of an absolute-form request for an intercepted host, cut textually (a URL
 * parser would re-encode it, and the signature covers the bytes as written).
 */
export function originFormOf(url: string | undefined): string | undefined {
  const m = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(url ?? '')
  if (!m) return undefined
  const scheme = (m[1] ?? '').toLowerCase()
  const authority = (m[2] ?? '').toLowerCase()
  const [host, port] = authority.split(':')
  const defaultPort = scheme === 'https' ? '443' : '80'
  if (!INTERCEPTED.has(host ?? '') || (port !== undefined && port !== defaultPort)) return undefined
  const rest = m[3] ?? ''
  if (rest.includes('#')) return undefined
  return rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest
}

function refuse(res: ServerResponse): void {
  res.writeHead(403, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(REFUSAL),
    Connection: 'close',
  })
  res.end(REFUSAL)
}

function refuseTunnel(socket: Duplex): void {
  socket.end(
    `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(REFUSAL)}\r\nConnection: close\r\n\r\n${REFUSAL}`,
  )
}

export async function startInterceptingProxy(p: {
  app: FastifyInstance
  host: string
  port: number
  tls: { certificatePem: string; privateKeyPem: string }
}): Promise<RunningProxy> {
  const appServer: Server | TlsServer = p.app.server
  const handler = appServer.listeners('request')[0] as RequestListener | undefined
  if (!handler) throw new Error('the app server has no request handler to intercept with')
  // With --tls the app's own server already speaks TLS with this certificate; otherwise an
  // unlistening HTTPS server with the same handler takes the tunnels.
  const tunnels: TlsServer =
    appServer instanceof TlsServer
      ? appServer
      : createHttpsServer(
          {
            key: p.tls.privateKeyPem,
            cert: p.tls.certificatePem,
            requestTimeout: appServer.requestTimeout,
            keepAliveTimeout: appServer.keepAliveTimeout,
          },
          handler,
        )
  if (!(appServer instanceof TlsServer)) {
    for (const l of appServer.listeners('clientError')) tunnels.on('clientError', l as never)
  }
  // A failed handshake is that client's problem: its socket is closed, nothing else happens.
  tunnels.on('tlsClientError', (_e, socket) => socket.destroy())

  const open = new Set<Duplex>()
  const track = (socket: Duplex) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
  }

  const proxy: Server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const target = originFormOf(req.url)
    if (target === undefined) return refuse(res)
    req.url = target
    handler(req, res)
  })
  proxy.keepAliveTimeout = appServer.keepAliveTimeout
  proxy.on('connection', track)
  proxy.on('clientError', (_e, socket) => socket.destroy())
  proxy.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket)
    if (interceptedAuthority(req.url) === undefined) return refuseTunnel(socket)
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length > 0) socket.unshift(head)
    tunnels.emit('connection', socket)
  })

  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject)
    proxy.listen({ host: p.host, port: p.port }, () => {
      proxy.off('error', reject)
      resolve()
    })
  })
  const address = proxy.address()
  const port = typeof address === 'object' && address ? address.port : p.port
  const host = p.host.includes(':') ? `[${p.host}]` : p.host
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve())
        for (const socket of open) socket.destroy()
      }),
  }
}
