import type { OperationSpec, RateLimit } from '@wxcoupon/sdk/schemas'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Compile } from 'typebox/compile'
import { wxError } from '../domain/errors.ts'
import { type Caller, revisionOf } from '../service/context.ts'
import { toWxError } from './errors.ts'

type Part = 'query' | 'body'
type Checker = ReturnType<typeof Compile>

/**
 * An operation of another revision does not exist for this caller (the 404 of an unknown
 * route); otherwise the caller's revision's rate limit where it differs from the table's.
 */
export function revisedRateLimit(op: OperationSpec, caller: Caller): RateLimit | undefined {
  const revision = revisionOf(caller)
  if (op.only !== undefined && op.only !== revision) throw wxError('NOT_FOUND_ROUTE')
  return revision === '2025-08' ? undefined : op.revisions?.[revision]?.rateLimit
}

/**
 * The per-revision validation of an operation whose query or body differs between revisions:
 * each revision's schema compiled once, checked against the caller's revision. A later
 * revision's answers are serialised as built (the route's response schema is the seed's), by
 * `serialize` (brand routes take brand_id out of them).
 */
export function revisedParts(
  op: OperationSpec,
  callerOf: (request: FastifyRequest) => Caller,
  serialize: (payload: unknown) => string = JSON.stringify,
) {
  const later = op.revisions?.['2025-11']
  const checkers = new Map<string, Checker>()
  const parts: Part[] = []
  for (const part of ['query', 'body'] as const) {
    const base = op[part]
    if (!base || !later?.[part]) continue
    parts.push(part)
    checkers.set(`2025-08 ${part}`, Compile(base))
    checkers.set(`2025-11 ${part}`, Compile(later[part]))
  }
  const context = { query: 'querystring', body: 'body' } as const
  const check = async (request: FastifyRequest, reply: FastifyReply) => {
    const revision = revisionOf(callerOf(request))
    if (revision !== '2025-08' && later?.response) reply.serializer(serialize)
    for (const part of parts) {
      const checker = checkers.get(`${revision} ${part}`)
      const value = part === 'query' ? request.query : request.body
      if (checker && !checker.Check(value)) {
        throw toWxError({
          validation: [...checker.Errors(value)],
          validationContext: context[part],
        })
      }
    }
  }
  return {
    query: parts.includes('query'),
    body: parts.includes('body'),
    any: later !== undefined,
    check,
  }
}
