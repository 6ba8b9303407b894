import { timingSafeEqual } from 'node:crypto'
import type { ControlRequestOf } from '@wxcoupon/sdk/schemas'
import {
  CONTROL_NAMES,
  type ControlName,
  type ControlSpec,
  ErrorBody,
  SANDBOX_CONTROLS,
} from '@wxcoupon/sdk/schemas'
import type { FastifyPluginAsync } from 'fastify'
import { wxError } from '../domain/errors.ts'
import { parseJsonBody } from './request-body.ts'
import { CONTROL_BINDINGS, type ControlBinding, type ControlContext } from './sandbox-bindings.ts'

/** Equal-time comparison that never throws on unequal lengths. */
function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const ERRORS = { '4xx': ErrorBody, '5xx': ErrorBody }

/**
 * Controls that are not part of WeChat Pay (tenants, review, clock, faults, callbacks), one
 * route per entry of the sandbox control table. JSON in and out, guarded by
 * `Authorization: Bearer <admin_token>`.
 */
export const sandboxApi: FastifyPluginAsync<ControlContext & { adminToken: string }> = async (
  app,
  opts,
) => {
  const { deps } = opts
  const context: ControlContext = {
    deps,
    traffic: opts.traffic,
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
    ...(opts.journal ? { journal: opts.journal } : {}),
  }
  app.addHook('preValidation', async (request) => {
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!tokenMatches(token, opts.adminToken)) throw wxError('SANDBOX_UNAUTHORIZED')
    if (deps.clock.shared) await deps.clock.refresh()
    if (request.method === 'POST' || request.method === 'PUT') {
      // Controls without parameters may be POSTed with no body at all.
      const raw = Buffer.isBuffer(request.body) ? request.body : undefined
      request.body = raw?.length ? parseJsonBody(request.headers['content-type'], raw) : {}
    }
  })
  for (const name of CONTROL_NAMES) {
    const spec: ControlSpec = SANDBOX_CONTROLS[name]
    const bound = CONTROL_BINDINGS[name] as ControlBinding<ControlName>
    app.route({
      method: spec.method,
      url: spec.path.replace(/\{(\w+)\}/g, ':$1'),
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        response: { 200: spec.response, ...ERRORS },
      },
      handler: (request) =>
        bound(context, {
          params: request.params,
          query: request.query,
          body: request.body,
        } as ControlRequestOf<ControlName>),
    })
  }
}
