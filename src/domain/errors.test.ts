import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { renderErrorDocs } from './error-docs.ts'
import { ERRORS } from './errors.ts'

const SRC = fileURLToPath(new URL('..', import.meta.url))
/** The server's sources and the wire layers it shares with the SDK (the SDK client itself parses codes). */
const SERVER_SIDE = [
  SRC,
  fileURLToPath(new URL('../../packages/sdk/src/protocol', import.meta.url)),
  fileURLToPath(new URL('../../packages/sdk/src/schemas', import.meta.url)),
]

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sources(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

test('every error name used in the code is in the catalogue', () => {
  const used = new Set<string>()
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:wxError|new WxError)\(\s*'([A-Z_]+)'/g)) used.add(m[1] ?? '')
  }
  assert.ok(used.size > 20, `found only ${used.size} uses: the scan is broken`)
  for (const name of used) assert.ok(name in ERRORS, `${name} is used but not in the catalogue`)
})

test('no code outside the catalogue writes a WeChat error code of its own', () => {
  const codes = new Set(Object.values(ERRORS).map((e) => e.code))
  for (const file of SERVER_SIDE.flatMap(sources)) {
    if (file.endsWith(join('domain', 'errors.ts'))) continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\bcode:\s*'([A-Z_]{4,})'/g)) {
      assert.fail(`${file} builds an error code '${m[1]}' outside the catalogue`)
    }
    for (const code of codes) {
      assert.ok(
        !text.includes(`'${code}'`) ||
          /wxError|WxError|ErrorName|ERRORS|indexMisuse|conflict/.test(text),
        `${file} mentions '${code}'`,
      )
    }
  }
})

test('status and code agree for every entry; names are unique per message', () => {
  const statusOf: Record<string, number> = {
    PARAM_ERROR: 400,
    INVALID_REQUEST: 400,
    ALREADY_EXISTS: 400,
    SIGN_ERROR: 401,
    UNAUTHORIZED: 401,
    CONFLICT: 409,
    NO_AUTH: 403,
    NOT_FOUND: 404,
    RESOURCE_NOT_EXISTS: 404,
    RATELIMIT_EXCEEDED: 429,
    SYSTEM_ERROR: 500,
  }
  for (const [name, e] of Object.entries(ERRORS)) {
    assert.equal(e.status, statusOf[e.code], `${name}: ${e.code} must be ${statusOf[e.code]}`)
    assert.ok(Number.isSafeInteger(e.numeric) && e.numeric > 0, `${name} has a numeric code`)
    assert.ok(e.message.length > 0)
  }
})

test('docs/errors.md is the catalogue (run `npm run docs` after changing it)', () => {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  assert.equal(docs, renderErrorDocs())
})
