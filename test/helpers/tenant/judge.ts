import { ERRORS, type ErrorName } from '../../../src/domain/errors.ts'
import type { Reply } from '../harness.ts'
import { asBrand, type Who, type World } from './world.ts'

/**
 * The judge of one answer: whether a cross-tenant call was refused with the right error, and
 * whether anything in the answer reveals A's data or ids the caller does not own.
 */

export interface Req {
  as: Who
  method: string
  path: string
  body?: unknown
}

export type Expect = { deny: readonly ErrorName[] } | { own: (x: World, r: Reply) => string[] }

export interface Problem {
  kind: 'contract' | 'success' | 'server' | 'error' | 'leak' | 'foreign' | 'oracle' | 'own'
  text: string
}

/** Ids under these keys must be in the request or the viewer's own. */
const ID_KEYS = new Set([
  'product_coupon_id',
  'stock_id',
  'coupon_code',
  'appid',
  'notify_appid',
  'openid',
])

function requestText(req: Req): string {
  return `${req.method} ${req.path}\n${req.body === undefined ? '' : JSON.stringify(req.body)}`
}

/** A token as a whole value: A's id 1000000001 must not match inside 1000000001002. */
function mentions(text: string, token: string): boolean {
  const escaped = token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  return new RegExp(`(?<![0-9A-Za-z_-])${escaped}(?![0-9A-Za-z_-])`).test(text)
}

function idValues(v: unknown, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(v)) for (const e of v) idValues(e, out)
  else if (v !== null && typeof v === 'object') {
    for (const [k, e] of Object.entries(v)) {
      if (ID_KEYS.has(k) && typeof e === 'string') out.push([k, e])
      else idValues(e, out)
    }
  }
  return out
}

function errorName(r: Reply): string {
  const hit = Object.entries(ERRORS).find(
    ([, e]) => e.status === r.status && e.code === r.json?.code && e.message === r.json?.message,
  )
  return hit ? hit[0] : 'not in the catalogue'
}

/** Everything wrong with `r` as an answer to `req`, as seen by `viewer`. */
export function judge(
  x: World,
  expect: Expect,
  req: Req,
  r: Reply | string,
  viewer: Who,
): Problem[] {
  if (typeof r === 'string') return [{ kind: 'contract', text: r }]
  const problems: Problem[] = []
  const got = `${r.status} ${r.text.slice(0, 300)}`
  if ('deny' in expect) {
    if (r.status < 300)
      problems.push({ kind: 'success', text: `a cross-tenant call succeeded: ${got}` })
    else if (r.status >= 500) problems.push({ kind: 'server', text: `server error: ${got}` })
    else if (!expect.deny.includes(errorName(r) as ErrorName)) {
      const want = expect.deny.map((n) => `${n} (${ERRORS[n].status} ${ERRORS[n].message})`)
      problems.push({
        kind: 'error',
        text: `expected ${want.join(' or ')}, got ${errorName(r)}: ${got}`,
      })
    }
  } else if (r.status !== 200) {
    problems.push({ kind: 'own', text: `the caller's own call failed: ${got}` })
  } else {
    for (const p of expect.own(x, r)) problems.push({ kind: 'own', text: p })
  }
  const asked = requestText(req)
  for (const [token, what] of x.secrets) {
    if (mentions(r.text, token) && !mentions(asked, token)) {
      problems.push({ kind: 'leak', text: `reveals ${what} (${token})` })
    }
  }
  for (const [key, id] of idValues(r.json)) {
    if (x.owner.get(id) !== viewer && !mentions(asked, id)) {
      const whose = x.owner.get(id)
      problems.push({ kind: 'foreign', text: `${key} ${id} belongs to ${whose ?? 'someone else'}` })
    }
  }
  return problems
}

/** Status and error identity; detail.value may echo the requested id, so it is left out. */
export function shape(r: Reply | string): string {
  if (typeof r === 'string') return r
  const d = r.json?.detail ?? {}
  return `${r.status} ${r.json?.code} ${r.json?.message} field=${d.field} issue=${d.issue} location=${d.location}`
}

export async function hit(x: World, req: Req): Promise<Reply | string> {
  try {
    if (req.as === 'D') {
      const b = asBrand(req.path, req.body)
      return await x.s.brandCall(req.method, b.path, b.body, { brand: x.d.creds })
    }
    return await x.s.call(req.method, req.path, req.body, { partner: x.t[req.as].creds })
  } catch (e) {
    return `the answer breaks the API contract: ${e instanceof Error ? e.message : String(e)}`
  }
}
