import { readFileSync, writeFileSync } from 'node:fs'
import { renderErrorDocs } from '../src/domain/error-docs.ts'
import { openApiDocument } from '../src/server/openapi.ts'
import { SERVER_VERSION } from '../src/server/version.ts'
import { withOperationTable } from './readme-operations.ts'
import { renderControlsDoc } from './sandbox-controls-doc.ts'

/**
 * Every generated document: docs/errors.md, docs/sandbox-api.md, openapi.json and the README's
 * operation table.
 */
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs())
writeFileSync(new URL('../docs/sandbox-api.md', import.meta.url), renderControlsDoc())
const readme = new URL('../README.md', import.meta.url)
writeFileSync(readme, withOperationTable(readFileSync(readme, 'utf8')))
writeFileSync(
  new URL('../openapi.json', import.meta.url),
  `${JSON.stringify(openApiDocument(SERVER_VERSION), null, 2)}\n`,
)
