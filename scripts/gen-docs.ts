import { readFileSync, writeFileSync } from 'node:fs'
import { renderErrorDocs } from '../src/domain/error-docs.ts'
import { withOperationTable } from './readme-operations.ts'

/** Every generated document: docs/errors.md and the README's operation table. */
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs())
const readme = new URL('../README.md', import.meta.url)
writeFileSync(readme, withOperationTable(readFileSync(readme, 'utf8')))
