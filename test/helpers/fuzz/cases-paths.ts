import fc from 'fast-check'
import { type CaseKit, httpCase } from './case-kit.ts'
import { acceptedByAnyRoute, fill } from './endpoints.ts'
import { mutate } from './mutations.ts'
import { editPath, pathEdit } from './paths.ts'
import { editQuery, queryEdit } from './queries.ts'
import type { FuzzCase } from './types.ts'

/**
 * (4) The path and query groups: fuzzed request targets, signed over exactly what is sent so
 * they get past authentication to the router and the query parsers.
 */

export function pathCases({ eps, gets, endpoint, steps }: CaseKit) {
  // (4) Paths, signed over the exact request-target so they get past authentication.
  const routes = [
    ...eps.map((e) => ({ method: e.method as string, path: fill(e.route, e.ids) })),
    ...gets.map((g) => ({
      method: 'GET',
      path: `${fill(g.route, g.ids)}${g.query.length ? `?${editQuery(g.query, []).query}` : ''}`,
    })),
  ]
  const paths = fc
    .tuple(
      fc.constantFrom(...routes),
      fc.array(pathEdit, { minLength: 1, maxLength: 3 }),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 2,
          arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'PROPFIND',
            'TRACE',
            'FOO',
            'M-SEARCH',
            'PURGE',
            'LINK',
            'QUERY',
          ),
        },
      ),
      endpoint,
      steps,
      fc.nat(),
      fc.boolean(),
    )
    .map(([r, edits, m, e, s, force, signed]): FuzzCase => {
      const method = m ?? r.method
      const { path, label } = editPath(r.path, edits)
      const hasBody = !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method)
      // The route is fuzzed too, so the body must be refused by every route, not just one.
      const body = hasBody
        ? mutate(e.template, e.schema, s, force, (b) => !acceptedByAnyRoute(b, 'application/json'))
            .body
        : undefined
      const safe = body && acceptedByAnyRoute(body, 'application/json') ? Buffer.from('{') : body
      return httpCase({
        transport: 'http',
        group: 'paths',
        label: `${method} ${label}${signed ? '' : ', unsigned'}`,
        method,
        path,
        ...(safe ? { body: safe } : {}),
        auth: signed ? { kind: 'sign' } : { kind: 'none' },
        mutating: method !== 'GET' && method !== 'HEAD',
      })
    })

  const queries = fc
    .tuple(fc.constantFrom(...gets), fc.array(queryEdit, { minLength: 1, maxLength: 4 }))
    .map(([g, edits]): FuzzCase => {
      const { query, label } = editQuery(g.query, edits)
      // fetch re-encodes some characters; signing the URL it will really send keeps auth valid.
      const u = new URL(`${fill(g.route, g.ids)}?${query}`, 'http://fuzz.invalid')
      return httpCase({
        transport: 'call',
        group: 'query',
        label: `${g.name}: ${label}`,
        method: 'GET',
        path: `${u.pathname}${u.search}`,
        auth: { kind: 'sign' },
        mutating: false,
      })
    })
  return { paths, queries }
}
