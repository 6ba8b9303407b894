import fc from 'fast-check'
import {
  type BodyEndpoint,
  bodyEndpoints,
  type QueryEndpoint,
  queryEndpoints,
} from './endpoints.ts'
import { mutate, type Step, step } from './mutations.ts'
import type { HttpCase, Targets } from './types.ts'

/**
 * What every case group is built from: the live targets, their endpoints, mutation steps and
 * the shorthands that turn an endpoint into a refused or a valid body.
 */

export const FOREIGN_BRAND = fc
  .stringMatching(/^[0-9A-Za-z_-]{1,28}$/)
  .map((s) => `FZ${s}`.slice(0, 32))
export const MISSING_ID = fc
  .stringMatching(/^[0-9A-Za-z_-]{1,30}$/)
  .map((s) => `FZ${s}`.slice(0, 40))

export function httpCase(
  c: Omit<HttpCase, 'headers' | 'api'> & Partial<Pick<HttpCase, 'headers' | 'api'>>,
): HttpCase {
  return { headers: {}, api: 'wechat', ...c }
}

export interface CaseKit {
  t: Targets
  eps: BodyEndpoint[]
  gets: QueryEndpoint[]
  endpoint: fc.Arbitrary<BodyEndpoint>
  steps: fc.Arbitrary<Step[]>
  invalid: (e: BodyEndpoint, s: Step[], force: number) => { body: Buffer; label: string }
  template: (e: BodyEndpoint) => Buffer
}

export function caseKit(t: Targets): CaseKit {
  const eps = bodyEndpoints(t)
  const gets = queryEndpoints(t)
  const endpoint = fc.constantFrom(...eps)
  const steps = fc.array(step, { minLength: 1, maxLength: 4 })
  const invalid = (e: BodyEndpoint, s: Step[], force: number) =>
    mutate(e.template, e.schema, s, force)
  const template = (e: BodyEndpoint) => Buffer.from(JSON.stringify(e.template))
  return { t, eps, gets, endpoint, steps, invalid, template }
}
