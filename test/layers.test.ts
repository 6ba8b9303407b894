import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'

/**
 * The layer order, enforced: protocol, schemas → domain → store → service → notify → server →
 * cli, never imported upwards; the SDK (packages/sdk: protocol, schemas and the client) uses
 * nothing of the server package; no import circle anywhere. Read from the sources themselves
 * (every static, type-only and dynamic import, relative or of `@wxcoupon/sdk`), so a new
 * arrow fails here the day it is written.
 */

const ROOT = resolve(import.meta.dirname, '..')

const RANK: Record<string, number> = {
  protocol: 0,
  schemas: 0,
  domain: 1,
  store: 2,
  service: 3,
  notify: 4,
  server: 5,
  cli: 6,
  // startSandbox: the server in a test process, beside the CLI at the top.
  embed: 6,
}
/** What each layer may import besides the layers below it. */
const ALSO: Record<string, readonly string[]> = {
  cli: ['sdk'],
  // startSandbox hands out the SDK's clients.
  embed: ['sdk'],
  // The wxcoupon package's entry point re-exports the SDK and startSandbox (embed/, which loads
  // the server only when called).
  entry: ['sdk', 'embed'],
}
/** The SDK's whole world. */
const SDK_MAY = ['sdk', 'protocol', 'schemas']

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
}

const IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+|@wxcoupon\/sdk[^'"]*)['"]/g

/** The files `@wxcoupon/sdk` and its subpaths resolve to in the sources. */
const PACKAGE_ENTRY: Record<string, string> = {
  '@wxcoupon/sdk': 'packages/sdk/src/index.ts',
  '@wxcoupon/sdk/protocol': 'packages/sdk/src/protocol/index.ts',
  '@wxcoupon/sdk/schemas': 'packages/sdk/src/schemas/index.ts',
}

type Imports = (file: string) => string[]

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = m[1] as string
    return PACKAGE_ENTRY[spec] ?? relative(ROOT, resolve(ROOT, dirname(file), spec))
  })
}

const isTest = (f: string) => /\.(test|fixture)\.ts$/.test(f)

/** src/<layer>/… in the server package; packages/sdk/src/<layer>/… in the SDK's. */
function layerOf(f: string): string {
  const parts = f.split('/')
  if (parts[0] === 'packages') {
    const layer = parts[3] ?? ''
    return layer === 'client' || layer === 'index.ts' ? 'sdk' : layer
  }
  if (parts[1] === 'index.ts') return 'entry'
  return parts[1] ?? ''
}

const SOURCES = () => [...sources('src'), ...sources('packages/sdk/src')]

function wrongArrows(files: string[], imports: Imports): string[] {
  const wrong: string[] = []
  for (const file of files) {
    const from = layerOf(file)
    for (const target of imports(file)) {
      const to = layerOf(target)
      if (to === from) continue
      const ok =
        from === 'sdk'
          ? SDK_MAY.includes(to)
          : (ALSO[from] ?? []).includes(to) ||
            ((RANK[to] ?? 99) < (RANK[from] ?? -1) && (RANK[from] ?? 0) > 0)
      if (!ok) wrong.push(`${file} → ${target}`)
    }
  }
  return wrong
}

test('src/ imports only downwards in the layer order; the SDK only protocol and schemas', () => {
  assert.deepEqual(
    wrongArrows(
      sources('src').filter((f) => !isTest(f)),
      importsOf,
    ),
    [],
  )
})

/** Tarjan's strongly connected components; any with more than one file is a circle. */
function circles(files: string[], imports: Imports): string[][] {
  const graph = new Map(files.map((f) => [f, imports(f).filter((t) => files.includes(t))]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const found: string[][] = []
  let next = 0
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop() as string
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1) found.push(scc.sort())
    }
  }
  for (const f of files) if (!index.has(f)) visit(f)
  return found
}

test('no import circles in either package, bench/ or scripts/', () => {
  const files = [...SOURCES(), ...sources('bench'), ...sources('scripts')]
  assert.deepEqual(circles(files, importsOf), [])
})

test('controls: the checks see wrong arrows and circles, and the import reader sees imports', () => {
  const graph: Record<string, string[]> = {
    'src/domain/a.ts': ['src/server/b.ts', 'packages/sdk/src/schemas/c.ts'],
    'src/server/b.ts': ['src/domain/a.ts'],
    'packages/sdk/src/schemas/c.ts': ['packages/sdk/src/protocol/d.ts'],
    'packages/sdk/src/protocol/d.ts': [],
    'packages/sdk/src/client/e.ts': ['src/domain/a.ts', 'packages/sdk/src/protocol/d.ts'],
    'src/cli/f.ts': ['packages/sdk/src/client/e.ts'],
  }
  const read = (f: string) => graph[f] ?? []
  assert.deepEqual(wrongArrows(Object.keys(graph), read), [
    'src/domain/a.ts → src/server/b.ts',
    'packages/sdk/src/schemas/c.ts → packages/sdk/src/protocol/d.ts',
    'packages/sdk/src/client/e.ts → src/domain/a.ts',
  ])
  assert.deepEqual(circles(Object.keys(graph), read), [['src/domain/a.ts', 'src/server/b.ts']])
  const seen = importsOf('src/server/app.ts')
  assert.ok(seen.includes('src/server/wechat-api.ts') && seen.includes('src/notify/worker.ts'))
  assert.ok(seen.includes('packages/sdk/src/schemas/index.ts'), 'package imports are seen')
})
