import fc from 'fast-check'
import { type CaseKit, httpCase } from './case-kit.ts'
import { fill } from './endpoints.ts'
import { authEdit, headerName, headerValue } from './headers.ts'
import { accepted } from './oracles.ts'
import { editQuery } from './queries.ts'
import { contentType } from './raw-bodies.ts'
import type { FuzzCase } from './types.ts'
import { latin1String, preview, toHeaderValue } from './values.ts'

/**
 * (3) The header groups: edited Authorization headers, wrong Content-Types, extra, repeated
 * and oversized headers, on otherwise well-formed requests.
 */

export function headerCases({ endpoint, gets, steps, invalid, template }: CaseKit) {
  // (3) Headers.
  const authEdited = fc
    .tuple(fc.oneof(endpoint, fc.constantFrom(...gets)), authEdit, steps, fc.nat())
    .map(([e, edit, s, force]): FuzzCase => {
      if (!('schema' in e)) {
        return httpCase({
          transport: 'call',
          group: 'auth',
          label: `${e.name}: ${edit.name}`,
          method: 'GET',
          path: `${fill(e.route, e.ids)}${e.query.length ? `?${editQuery(e.query, []).query}` : ''}`,
          auth: { kind: 'edit', ...edit },
          mutating: false,
        })
      }
      return httpCase({
        transport: 'call',
        group: 'auth',
        label: `${e.name}: ${edit.name}`,
        method: e.method,
        path: fill(e.route, e.ids),
        body: template(e),
        safeBody: invalid(e, s, force).body,
        auth: { kind: 'edit', ...edit },
        mutating: true,
      })
    })

  const wrongType = fc
    .tuple(endpoint, contentType, steps, fc.nat())
    .map(([e, ct, s, force]): FuzzCase => {
      // A valid body is sent only when the media type alone must sink it.
      const sinks = !accepted(template(e), e.schema, ct)
      return httpCase({
        transport: 'call',
        group: 'content-type',
        label: `${e.name}: Content-Type ${JSON.stringify(ct)}${sinks ? '' : ', invalid body'}`,
        method: e.method,
        path: fill(e.route, e.ids),
        contentType: ct,
        body: sinks ? template(e) : invalid(e, s, force).body,
        auth: { kind: 'sign' },
        mutating: true,
      })
    })

  const target = fc.oneof(
    endpoint.chain((e) =>
      fc.tuple(steps, fc.nat()).map(([s, force]) => ({
        name: e.name,
        method: e.method as string,
        path: fill(e.route, e.ids),
        body: invalid(e, s, force).body as Buffer | undefined,
      })),
    ),
    fc.constantFrom(...gets).map((g) => ({
      name: g.name,
      method: 'GET',
      path: `${fill(g.route, g.ids)}${g.query.length ? `?${editQuery(g.query, []).query}` : ''}`,
      body: undefined as Buffer | undefined,
    })),
  )

  const extraHeaders = fc
    .tuple(target, fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 6 }))
    .map(([x, hs]): FuzzCase => {
      const headers: Record<string, string> = {}
      for (const [k, v] of hs) headers[k] = toHeaderValue(v)
      return httpCase({
        transport: 'http',
        group: 'headers',
        label: `${x.name}: ${hs.map(([k, v]) => `${k}: ${preview(v)}`).join(', ')}`,
        method: x.method,
        path: x.path,
        headers,
        ...(x.body ? { body: x.body } : {}),
        auth: { kind: 'sign' },
        mutating: x.method !== 'GET',
      })
    })

  const repeatedAuth = fc
    .tuple(
      target,
      fc.array(latin1String(200), { maxLength: 2 }),
      fc.array(latin1String(200), { maxLength: 2 }),
    )
    .map(
      ([x, before, after]): FuzzCase =>
        httpCase({
          transport: 'http',
          group: 'headers',
          label: `${x.name}: Authorization ×${before.length + after.length + 1}`,
          method: x.method,
          path: x.path,
          ...(x.body ? { body: x.body } : {}),
          auth: { kind: 'repeat', before, after },
          mutating: x.method !== 'GET',
        }),
    )

  const bulkyHeaders = fc
    .tuple(
      target,
      fc.oneof(fc.integer({ min: 16_000, max: 24_000 }), fc.integer({ min: 50, max: 200 })),
    )
    .map(([x, n]): FuzzCase => {
      const headers: Record<string, string> = {}
      if (n >= 16_000) headers['X-Big'] = 'b'.repeat(n)
      else for (let i = 0; i < n; i++) headers[`X-Fuzz-${i}`] = String(i)
      return httpCase({
        transport: 'http',
        group: 'headers',
        label: `${x.name}: ${n >= 16_000 ? `one ${n}-byte header` : `${n} headers`}`,
        method: x.method,
        path: x.path,
        headers,
        ...(x.body ? { body: x.body } : {}),
        auth: { kind: 'sign' },
        mutating: x.method !== 'GET',
      })
    })
  return { authEdited, wrongType, extraHeaders, repeatedAuth, bulkyHeaders }
}
