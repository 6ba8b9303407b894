import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { addressAllowed } from '../service/url-policy.ts'

/** The outcome of one POST of a callback. */
export interface PostResult {
  status?: number
  latencyMs: number
  error?: string
}

export type PostCallback = (p: {
  url: string
  body: string
  headers: Record<string, string>
  timeoutMs: number
  allowPrivate: boolean
}) => Promise<PostResult>

const MAX_REPLY_BYTES = 64 * 1024

/**
 * POSTs a callback with node:http(s): every resolved address is checked before connecting (no
 * DNS-rebinding window), redirects are not followed, the reply is read up to 64 KiB, and the
 * whole exchange is bounded by the timeout.
 */
export const postCallback: PostCallback = ({ url, body, headers, timeoutMs, allowPrivate }) => {
  const started = Date.now()
  const done = (r: Omit<PostResult, 'latencyMs'>): PostResult => ({
    ...r,
    latencyMs: Date.now() - started,
  })
  return new Promise((resolve) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resolve(done({ error: 'notify_url is not a URL' }))
      return
    }
    const host = target.hostname.replace(/^\[|\]$/g, '')
    if (isIP(host) && !addressAllowed(host, allowPrivate)) {
      resolve(done({ error: `address ${host} is not allowed` }))
      return
    }
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 4)
        const list = addresses as LookupAddress[]
        const bad = list.find((a) => !addressAllowed(a.address, allowPrivate))
        if (bad) return callback(new Error(`address ${bad.address} is not allowed`), '', 4)
        if (options.all) return callback(null, list as never)
        const first = list[0]
        if (!first) return callback(new Error('no address'), '', 4)
        callback(null, first.address, first.family)
      })
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(target, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      lookup,
    })
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    )
    req.on('response', (res: IncomingMessage) => {
      let read = 0
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_REPLY_BYTES) res.destroy()
      })
      const finish = () => {
        clearTimeout(timer)
        resolve(done({ status: res.statusCode ?? 0 }))
      }
      res.on('end', finish)
      res.on('close', finish)
    })
    req.on('error', (e: Error) => {
      clearTimeout(timer)
      resolve(done({ error: e.message }))
    })
    req.end(body)
  })
}
