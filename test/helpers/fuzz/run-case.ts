import type { Agent, OutgoingHttpHeaders } from 'node:http'
import { signRequest } from '../../../packages/sdk/src/protocol/authorization.ts'
import type { CallOptions, TestServer } from '../harness.ts'
import { authDefinitelyFails } from './oracles.ts'
import { checkReply, codeOf, judge, LEAK, type Outcome } from './replies.ts'
import { type RawReply, send, signBytes, Unsendable, wire } from './transport.ts'
import type { FuzzCase, HttpCase, WireCase } from './types.ts'
import { toHeaderValue } from './values.ts'

/**
 * Sends one generated case the way its transport says (harness, node:http or socket) and
 * turns the answer into an outcome; a case that fails is described in full for the report.
 */

async function viaCall(s: TestServer, c: HttpCase): Promise<Outcome> {
  let body = c.body ?? Buffer.alloc(0)
  const o: CallOptions = { headers: c.headers as Record<string, string> }
  if (c.contentType !== undefined) o.contentType = c.contentType
  if (c.auth.kind === 'none') o.authorization = null
  if (c.auth.kind === 'edit') {
    const sign = (b: Buffer) =>
      signRequest({
        method: c.method,
        url: c.path,
        body: b.toString('utf8'),
        mchid: s.partner.mchid,
        serialNo: s.partner.serialNo,
        privateKey: s.partner.privateKey,
      }).authorization
    let valid = sign(body)
    let sent = toHeaderValue(c.auth.edit(valid))
    // An edit that leaves the header verifiable must not carry a body the route would accept.
    if (c.mutating && c.safeBody && !authDefinitelyFails(sent, valid)) {
      body = c.safeBody
      valid = sign(body)
      sent = toHeaderValue(c.auth.edit(valid))
    }
    o.authorization = sent
  }
  o.rawBody = body.toString('utf8')
  const r = await s.call(c.method, c.path, undefined, o)
  return {
    key: `${r.status} ${r.json?.code ?? (r.text === '' ? '(empty)' : '-')}`,
    ...judge(c, r.status, r.text),
    sentBody: body,
  }
}

async function viaHttp(s: TestServer, agent: Agent, c: HttpCase): Promise<Outcome> {
  const headers: OutgoingHttpHeaders = { ...c.headers }
  const body = c.body
  if (body && c.contentType !== null) headers['Content-Type'] = c.contentType ?? 'application/json'
  if (c.api === 'sandbox') {
    if (c.bearer !== undefined) headers.Authorization = c.bearer
  } else if (c.auth.kind === 'sign') {
    headers.Authorization = signBytes(s, c.method, c.path, body ?? Buffer.alloc(0))
  } else if (c.auth.kind === 'repeat') {
    headers.Authorization = [
      ...c.auth.before,
      signBytes(s, c.method, c.path, body ?? Buffer.alloc(0)),
      ...c.auth.after,
    ]
  }
  let r: RawReply
  try {
    r = await send(s, agent, c.method, c.path, headers, body)
  } catch (e) {
    const err = e as Error & { code?: string }
    // node:http refuses some header combinations itself (a Trailer header with a known length).
    if (e instanceof Unsendable || err.code === 'ERR_HTTP_TRAILER_INVALID') {
      return { key: 'unsendable' }
    }
    return { key: 'no reply', problem: `no usable reply: ${err.code ?? ''} ${err.message}` }
  }
  const key = `${r.status} ${c.method === 'HEAD' ? '(HEAD)' : codeOf(r.text)}`
  try {
    checkReply(s, r, { wechat: c.api === 'wechat', head: c.method === 'HEAD' })
  } catch (e) {
    return {
      key,
      problem: `${(e as Error).message.split('\n')[0]}: ${r.status} ${r.text.slice(0, 200)}`,
    }
  }
  return { key, ...judge(c, r.status, r.text) }
}

async function viaWire(s: TestServer, c: WireCase): Promise<Outcome> {
  const text = await wire(s, c.bytes)
  const statuses = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]))
  if (statuses.length === 0) {
    return c.mustAnswer ? { key: 'no response', problem: 'no response' } : { key: 'no response' }
  }
  const bad = statuses.find((x) => x >= 500)
  if (bad !== undefined) return { key: `${bad}`, problem: `${bad} ${text.slice(0, 300)}` }
  // The first reply's body, when it has one, must be the error envelope.
  const [head = '', rest = ''] = text.split(/\r\n\r\n(.*)/s, 2)
  const length = Number(/^content-length: *(\d+)/im.exec(head)?.[1] ?? 0)
  const body = rest.slice(0, length)
  // Node answers some requests before the app sees them (no Host, an unknown Expect): bare
  // replies without Request-ID or signature, counted apart so they stay visible.
  const bare = /^request-id:/im.test(head) ? '' : ', bare'
  const key = `${statuses[0]} ${body === '' ? '(empty)' : codeOf(body)}${bare}`
  if (LEAK.test(text)) return { key, problem: `leak: ${text.slice(0, 300)}` }
  if (body !== '') {
    let json: Record<string, unknown> | undefined
    try {
      json = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'))
    } catch {}
    const extra = Object.keys(json ?? {}).filter((k) => !['code', 'message', 'detail'].includes(k))
    if (typeof json?.code !== 'string' || typeof json.message !== 'string' || extra.length) {
      return { key, problem: `error body is not {code, message, detail?}: ${body.slice(0, 200)}` }
    }
  }
  return { key }
}

export function describeCase(c: FuzzCase, sentBody?: Buffer): string {
  if (c.transport === 'wire') {
    return `[wire] ${c.label}\n  bytes: ${JSON.stringify(c.bytes.toString('latin1').slice(0, 400))}`
  }
  const body = sentBody ?? c.body
  const hs = Object.entries(c.headers).map(([k, v]) => `${k}: ${String(v).slice(0, 60)}`)
  return [
    `[${c.group}] ${c.label}`,
    `  ${c.method} ${c.path.slice(0, 300)}`,
    c.auth.kind === 'edit'
      ? `  Authorization: signed, then ${c.auth.name}`
      : `  auth: ${c.auth.kind}`,
    c.bearer === undefined ? '' : `  Authorization: ${c.bearer.slice(0, 80)}`,
    c.contentType === undefined ? '' : `  Content-Type: ${JSON.stringify(c.contentType)}`,
    hs.length ? `  headers: ${hs.join('; ').slice(0, 300)}` : '',
    body
      ? `  body (${body.length} bytes): ${JSON.stringify(body.toString('latin1').slice(0, 400))}`
      : '',
  ]
    .filter(Boolean)
    .join('\n')
}

export async function runCase(s: TestServer, agent: Agent, c: FuzzCase): Promise<Outcome> {
  try {
    if (c.transport === 'wire') return await viaWire(s, c)
    return c.transport === 'call' ? await viaCall(s, c) : await viaHttp(s, agent, c)
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } }
    // fetch refuses some header values itself; that is the client, not the server.
    if (err instanceof TypeError && err.message !== 'fetch failed') return { key: 'unsendable' }
    const what = err.message === 'fetch failed' ? `no response (${err.cause?.code})` : err.message
    return { key: 'failed', problem: what.split('\n')[0]?.slice(0, 300) ?? '' }
  }
}
