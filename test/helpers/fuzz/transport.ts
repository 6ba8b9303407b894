import {
  type Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http'
import { connect } from 'node:net'
import { buildAuthorization } from '../../../packages/sdk/src/protocol/authorization.ts'
import { generateNonce } from '../../../packages/sdk/src/protocol/nonce.ts'
import { signSha256WithRsa } from '../../../packages/sdk/src/protocol/rsa.ts'
import type { TestServer } from '../harness.ts'

/**
 * The two ways the fuzz reaches the server besides the harness: node:http with a raw request
 * target and exact body bytes (signed over those bytes), and bare bytes on a socket.
 */

export interface RawReply {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

/** node:http refused to build the request: a generator produced something no client can send. */
export class Unsendable extends Error {}

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v[0] : v
}

export function send(
  s: TestServer,
  agent: Agent,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body?: Buffer,
): Promise<RawReply> {
  const base = new URL(s.baseUrl)
  return new Promise((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>
    try {
      req = httpRequest({
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: body ? { ...headers, 'Content-Length': body.length } : headers,
      })
    } catch (e) {
      reject(new Unsendable((e as Error).message))
      return
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      )
      res.on('error', reject)
    })
    // Once the reply is complete, a later socket error changes nothing (the promise is settled).
    req.on('error', reject)
    req.end(body)
  })
}

/** Raw bytes on a fresh socket; we half-close after writing, so Node answers and hangs up. */
export function wire(s: TestServer, bytes: Buffer): Promise<string> {
  const base = new URL(s.baseUrl)
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname)
    const chunks: Buffer[] = []
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('error', () => {})
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.end(bytes)
  })
}

/** The APIv3 signature over exact bytes (harness signs strings; raw bodies may not be UTF-8). */
export function signBytes(s: TestServer, method: string, target: string, body: Buffer): string {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = generateNonce()
  const message = Buffer.concat([
    Buffer.from(`${method}\n${target}\n${timestamp}\n${nonce}\n`),
    body,
    Buffer.from('\n'),
  ])
  return buildAuthorization({
    mchid: s.partner.mchid,
    nonceStr: nonce,
    timestamp,
    serialNo: s.partner.serialNo,
    signature: signSha256WithRsa(message, s.partner.privateKey),
  })
}
