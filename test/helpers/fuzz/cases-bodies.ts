import fc from 'fast-check'
import type { TSchema } from 'typebox'
import { type CaseKit, FOREIGN_BRAND, httpCase, MISSING_ID } from './case-kit.ts'
import { type BodyEndpoint, fill } from './endpoints.ts'
import { pointer, setAt } from './json-tree.ts'
import { accepted } from './oracles.ts'
import { contentType, rawBody, rawEdit } from './raw-bodies.ts'
import { type Schema, schemaAt, slots, valid } from './schema-values.ts'
import type { FuzzCase, Json, JsonObject } from './types.ts'

/**
 * The body groups: (1) structural mutations, schema-valid bodies the service must refuse,
 * schema-valid creates that may succeed, and (2) raw bytes that are not JSON at all.
 */

export function bodyCases({ t, eps, endpoint, steps, invalid }: CaseKit) {
  // (1) Structural mutations of valid bodies, signed, so they reach the schema.
  const mutation = fc.tuple(endpoint, steps, fc.nat()).map(([e, s, force]): FuzzCase => {
    const { body, label } = invalid(e, s, force)
    return httpCase({
      transport: 'call',
      group: 'mutation',
      label: `${e.name}: ${label}`,
      method: e.method,
      path: fill(e.route, e.ids),
      body,
      auth: { kind: 'sign' },
      mutating: true,
    })
  })

  // Schema-valid bodies that the service must still refuse: a brand the partner may not act
  // for, or resources that do not exist.
  const refused = fc
    .tuple(endpoint, fc.nat(), FOREIGN_BRAND, MISSING_ID)
    .chain(([e, which, brand, missing]) =>
      valid(e.schema).map((random): FuzzCase => {
        const b = random as JsonObject
        const ids = { ...e.ids }
        let how: string
        if (e.name === 'set_notify_config') {
          // Every URL with a query part is refused, whether or not it parses.
          b.notify_url = `${String(b.notify_url).slice(0, 250)}?x`
          how = 'notify_url with a query'
        } else if (which % 2 === 0 || (e.refs.length === 0 && !e.route.includes('{'))) {
          b.brand_id = brand
          how = `foreign brand ${brand}`
        } else {
          b.brand_id = t.brandId
          for (const r of e.refs) b[r] = missing
          if (ids.pc !== undefined) ids.pc = missing
          if (ids.code !== undefined && e.refs.length === 0) ids.code = missing
          how = `missing ${missing}`
        }
        return httpCase({
          transport: 'call',
          group: 'refused',
          label: `${e.name}: ${how}`,
          method: e.method,
          path: fill(e.route, ids),
          body: Buffer.from(JSON.stringify(b)),
          auth: { kind: 'sign' },
          mutating: true,
        })
      }),
    )

  // The create template with a few members swapped for other schema-valid values, under the
  // real brand and a fresh request number: these reach the service's own rules, and some are
  // accepted. A 2xx is allowed here (it only adds resources); the test subtracts them.
  const create = eps[0] as BodyEndpoint
  const createSlots = slots(create.schema as Schema, create.template, []).filter(
    (p) => p[0] !== 'brand_id' && p[0] !== 'out_request_no',
  )
  const deep = fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...createSlots), { minLength: 1, maxLength: 3 }),
      fc.stringMatching(/^[0-9A-Za-z_-]{10,30}$/),
      fc.nat({ max: 9 }),
    )
    .chain(([picked, no, brandRoll]) =>
      fc
        .tuple(...picked.map((p) => valid(schemaAt(create.schema as Schema, p) as TSchema)))
        .map((values): FuzzCase => {
          let root: Json = structuredClone(create.template)
          picked.forEach((p, i) => {
            root = setAt(root, p, values[i] ?? null)
          })
          const b = root as JsonObject
          b.out_request_no = `FZD${no}`
          // Now and then a brand the partner may not act for, which must end it all.
          if (brandRoll === 0) b.brand_id = `FZ${no}`.slice(0, 32)
          return httpCase({
            transport: 'call',
            group: 'deep',
            label: `create_product_coupon: ${picked.map(pointer).join(', ')} schema-valid${brandRoll === 0 ? ', foreign brand' : ''}`,
            method: 'POST',
            path: fill(create.route, {}),
            body: Buffer.from(JSON.stringify(b)),
            auth: { kind: 'sign' },
            mutating: true,
            mayCreate: brandRoll !== 0,
          })
        }),
    )

  // (2) Raw bodies: bytes JSON.stringify never produces, signed over exactly those bytes.
  const raw = fc.tuple(endpoint, rawEdit, contentType).map(([e, edit, ct]): FuzzCase => {
    const r = rawBody(JSON.stringify(e.template), edit)
    let bytes = r.bytes
    let label = `${e.name}: ${r.label}, Content-Type ${ct === null ? '(none)' : JSON.stringify(ct)}`
    if (accepted(bytes, e.schema, ct)) {
      bytes = Buffer.concat([bytes, Buffer.from('}')])
      label += '; forced: trailing }'
    }
    return httpCase({
      transport: 'http',
      group: 'raw-body',
      label,
      method: e.method,
      path: fill(e.route, e.ids),
      headers: r.gzip ? { 'Content-Encoding': 'gzip' } : {},
      contentType: ct,
      body: bytes,
      auth: { kind: 'sign' },
      mutating: true,
    })
  })
  return { mutation, refused, deep, raw }
}
