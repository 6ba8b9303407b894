import fc from 'fast-check'
import type { TSchema } from 'typebox'
import { adminRoutes, badBearer } from './admin.ts'
import { type CaseKit, httpCase } from './case-kit.ts'
import { mutate } from './mutations.ts'
import { accepted, parsesAtAll } from './oracles.ts'
import { editPath, pathEdit } from './paths.ts'
import { contentType, rawBody, rawEdit } from './raw-bodies.ts'
import type { FuzzCase } from './types.ts'
import { preview, toHeaderValue } from './values.ts'

/**
 * (5) The sandbox admin groups: bad bearer tokens, bad bodies with the right token, and
 * fuzzed admin paths, none of which may change anything.
 */

export function adminCases({ t, steps }: CaseKit) {
  // (5) Sandbox admin.
  const admin = adminRoutes(t)
  const adminBadToken = fc
    .tuple(fc.constantFrom(...admin), badBearer(t.adminToken), fc.boolean())
    .map(([r, bearer, withBody]): FuzzCase => {
      const body = withBody && r.template ? Buffer.from(JSON.stringify(r.template)) : undefined
      return httpCase({
        transport: 'http',
        api: 'sandbox',
        group: 'admin-token',
        label: `${r.method} ${r.path}: Authorization ${bearer === undefined ? '(none)' : preview(bearer)}`,
        method: r.method,
        path: r.path,
        ...(body ? { body } : {}),
        auth: { kind: 'none' },
        bearer: bearer === undefined ? undefined : toHeaderValue(bearer),
        mutating: r.method !== 'GET',
      })
    })

  const adminBadBody = fc
    .tuple(
      fc.constantFrom(...admin.filter((r) => r.method === 'POST')),
      steps,
      fc.nat(),
      rawEdit,
      contentType,
      fc.boolean(),
    )
    .map(([r, s, force, edit, ct, structural]): FuzzCase => {
      let bytes: Buffer
      let label: string
      let type: string | null = 'application/json'
      if (structural && r.schema && r.template) {
        ;({ body: bytes, label } = mutate(
          r.template,
          r.schema,
          s,
          force,
          (b) => !accepted(b, r.schema as TSchema),
        ))
      } else {
        // Routes without a body schema act on any JSON at all, so the bytes must not parse.
        const x = rawBody(JSON.stringify(r.template ?? {}), edit)
        bytes = x.bytes
        type = ct
        label = `${x.label}, Content-Type ${JSON.stringify(ct)}`
        if (parsesAtAll(bytes, type)) {
          bytes = Buffer.concat([bytes, Buffer.from('}')])
          label += '; forced: trailing }'
        }
      }
      return httpCase({
        transport: 'http',
        api: 'sandbox',
        group: 'admin-body',
        label: `${r.path}: ${label}`,
        method: 'POST',
        path: r.path,
        contentType: type,
        body: bytes,
        auth: { kind: 'none' },
        bearer: `Bearer ${t.adminToken}`,
        mutating: true,
      })
    })

  const adminPaths = fc
    .tuple(
      fc.constantFrom(...admin),
      fc.array(pathEdit, { minLength: 1, maxLength: 2 }),
      fc.constantFrom('{', 'x', '{"a":'),
    )
    .map(([r, edits, junk]): FuzzCase => {
      const { path, label } = editPath(r.path, edits)
      const post = r.method === 'POST'
      // A fuzzed path may land on any route (even /sandbox/reset), so POST bodies never parse
      // and DELETE only ever names ids that do not exist.
      return httpCase({
        transport: 'http',
        api: 'sandbox',
        group: 'admin-path',
        label: `${r.method} ${label}`,
        method: r.method,
        path,
        ...(post ? { body: Buffer.from(junk) } : {}),
        auth: { kind: 'none' },
        bearer: `Bearer ${t.adminToken}`,
        // DELETE /sandbox/faults answers 200 on an empty list; the other DELETEs name nothing
        // that exists. The snapshot and the fault list are what show a change there.
        mutating: post,
      })
    })
  return { adminBadToken, adminBadBody, adminPaths }
}
