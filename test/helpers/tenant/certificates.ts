import type { Cell } from './matrix.ts'

/**
 * GET /v3/certificates: no ids to aim at, like the notify config. A (in certificate key mode)
 * has platform certificates; B and C (public-key mode) must get the public-key partner's 404,
 * never A's list.
 */
export const certificateCells: Cell[] = (['B', 'C'] as const).map((who) => ({
  name: `${who} downloads (public-key mode)`,
  why: "a partner's platform certificates are its own; another partner sees none of A's",
  req: () => ({ as: who, method: 'GET', path: '/v3/certificates' }),
  expect: { deny: ['CERTIFICATES_NOT_AVAILABLE'] },
}))
