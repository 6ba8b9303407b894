import { createHmac, timingSafeEqual } from 'node:crypto'
import { wxError } from '../domain/errors.ts'
import { canonicalJson } from './fingerprint.ts'

/**
 * Opaque page tokens: the position to continue after, bound to the query that produced it and
 * signed, so a token cannot be forged, edited, or replayed against another query or partner.
 */
export interface PageCodec {
  encode(position: unknown, query: Record<string, unknown>): string
  decode<T>(token: string, query: Record<string, unknown>): T
}

export function pageCodec(key: Buffer): PageCodec {
  const mac = (payload: string, query: Record<string, unknown>) =>
    createHmac('sha256', key).update(payload).update('\n').update(canonicalJson(query)).digest()
  return {
    encode(position, query) {
      const payload = Buffer.from(JSON.stringify(position)).toString('base64url')
      return `${payload}.${mac(payload, query).subarray(0, 16).toString('base64url')}`
    },
    decode<T>(token: string, query: Record<string, unknown>): T {
      const [payload = '', tag = '', extra] = token.split('.')
      const given = Buffer.from(tag, 'base64url')
      const expected = mac(payload, query).subarray(0, 16)
      if (extra !== undefined || given.length !== 16 || !timingSafeEqual(given, expected)) {
        throw invalidToken()
      }
      try {
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T
      } catch {
        throw invalidToken()
      }
    },
  }
}

function invalidToken() {
  return wxError('PARAM_ERROR', {
    field: 'page_token',
    issue: 'page_token is not one this query returned',
    location: 'query',
  })
}

/**
 * One page of a list: its size, the position to continue after (from page_token, bound to
 * `query`), and the token of the next page when more items follow the last one shown.
 */
export interface Paging<P> {
  readonly size: number
  readonly after: P | undefined
  next(more: boolean, last: P | undefined): { next_page_token?: string }
}

export function paging<P>(
  codec: PageCodec,
  q: { page_size?: string; page_token?: string },
  query: Record<string, unknown>,
): Paging<P> {
  return {
    size: pageSize(q.page_size),
    after: q.page_token === undefined ? undefined : codec.decode<P>(q.page_token, query),
    next: (more, last) =>
      more && last !== undefined ? { next_page_token: codec.encode(last, query) } : {},
  }
}

/** page_size: 1–50, default 20 (E7, E13). */
function pageSize(raw: string | undefined): number {
  if (raw === undefined) return 20
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw wxError('PARAM_ERROR', {
      field: 'page_size',
      value: raw,
      issue: 'must be between 1 and 50',
      location: 'query',
    })
  }
  return n
}
