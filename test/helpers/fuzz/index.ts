import fc from 'fast-check'
import { caseKit } from './case-kit.ts'
import { adminCases } from './cases-admin.ts'
import { bodyCases } from './cases-bodies.ts'
import { headerCases } from './cases-headers.ts'
import { pathCases } from './cases-paths.ts'
import type { FuzzCase, Targets } from './types.ts'
import { wireCase } from './wire.ts'

export { authDefinitelyFails } from './oracles.ts'
export type * from './types.ts'
export { toHeaderValue } from './values.ts'

/**
 * Generators for the bad-input fuzz (test/fuzz.test.ts). Everything here is pure: cases are
 * data built from fast-check values, so a seed reproduces them. A case that could change
 * state if the server let it through is built to be rejected by construction (an oracle that
 * mirrors the server's own parser and schemas decides), so any 2xx on it is a finding.
 */

/** All the groups, weighted. */
export function fuzzCase(t: Targets): fc.Arbitrary<FuzzCase> {
  const kit = caseKit(t)
  const { mutation, refused, deep, raw } = bodyCases(kit)
  const { authEdited, wrongType, extraHeaders, repeatedAuth, bulkyHeaders } = headerCases(kit)
  const { paths, queries } = pathCases(kit)
  const { adminBadToken, adminBadBody, adminPaths } = adminCases(kit)
  return fc.oneof(
    { weight: 26, arbitrary: mutation },
    { weight: 8, arbitrary: refused },
    { weight: 4, arbitrary: deep },
    { weight: 14, arbitrary: raw },
    { weight: 8, arbitrary: authEdited },
    { weight: 3, arbitrary: wrongType },
    { weight: 4, arbitrary: extraHeaders },
    { weight: 2, arbitrary: repeatedAuth },
    { weight: 1, arbitrary: bulkyHeaders },
    { weight: 12, arbitrary: paths },
    { weight: 7, arbitrary: queries },
    { weight: 4, arbitrary: adminBadToken },
    { weight: 3, arbitrary: adminBadBody },
    { weight: 2, arbitrary: adminPaths },
    { weight: 3, arbitrary: wireCase(t) },
  )
}
