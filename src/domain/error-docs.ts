import { ERRORS } from './errors.ts'

/** docs/errors.md, generated from the catalogue; errors.test.ts fails when the file drifts. */
export function renderErrorDocs(): string {
  const rows = Object.entries(ERRORS).map(
    ([name, e]) =>
      `| \`${name}\` | ${e.status} | \`${e.code}\` | ${e.message} | ${e.numeric}${'inferred' in e ? ' (ours)' : ''} |`,
  )
  return [
    '# Error catalogue',
    '',
    'Every error the server answers, in WeChat\'s envelope `{"code", "message", "detail"?}`.',
    'The numeric code is appended to the `Request-ID` header of the failed call',
    '(`<42 hex>-<numeric>`). "(ours)" marks numbers the public documents do not give.',
    'Generated from `src/domain/errors.ts` by `npm run docs`; do not edit by hand.',
    '',
    '| name | HTTP | code | message | numeric |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
