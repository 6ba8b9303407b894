import fc from 'fast-check'
import { encode, evilString, preview } from './values.ts'

/**
 * (4) Edits of a request path: hostile segments, traversal, encodings, long ids, prefixes and
 * suffixes, kept sendable by node:http.
 */

type PathEdit =
  | { kind: 'replace' | 'insert'; at: number; seg: string }
  | { kind: 'delete' | 'upper'; at: number }
  | { kind: 'encode'; at: number; pos: number }
  | { kind: 'long'; at: number; length: number }
  | { kind: 'suffix' | 'prefix'; text: string }

const evilSegment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      '.',
      '..',
      '%2e%2e',
      '%2E.',
      '..%2F',
      '%2F',
      '%2f',
      '%5C',
      '\\',
      '%00',
      '%',
      '%zz',
      '%E4%B8',
      '%E4%B8%AD',
      '%C0%AF',
      '%252F',
      '%20',
      '+',
      '*',
      '~',
      ':id',
      '{id}',
      'null',
      'undefined',
      'NaN',
      '0',
      '-1',
      '1e9',
      '__proto__',
      'constructor',
      '\u00e9',
      'sandbox',
      'reset',
      'v3',
      ';x=1',
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/) },
  { weight: 1, arbitrary: evilString.map((x) => encode(x.slice(0, 200))) },
)

export const pathEdit: fc.Arbitrary<PathEdit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), seg: evilSegment }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), seg: evilSegment }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('delete' as const, 'upper' as const),
      at: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('encode' as const), at: fc.nat(), pos: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('long' as const),
      at: fc.nat(),
      length: fc.constantFrom(41, 129, 2048, 2049, 5000, 17_000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('suffix' as const, 'prefix' as const),
      text: fc.constantFrom(
        '/',
        '//',
        '/.',
        '/..',
        '?',
        '??',
        '?&',
        '#x',
        ';x=1',
        '%',
        '%00',
        '/%2e%2e/%2e%2e/sandbox/reset',
        '?brand_id=%zz',
      ),
    }),
  },
)

/** Node refuses to send a path with spaces, controls or code points past U+00FF. */
function sendablePath(p: string): string {
  return p.replace(/[^\u0021-\u00ff]/g, (c) => encode(c))
}

export function editPath(path: string, edits: PathEdit[]): { path: string; label: string } {
  const [base = '', query] = path.split(/\?(.*)/s, 2)
  let segs = base.split('/')
  let suffix = query === undefined ? '' : `?${query}`
  let prefix = ''
  const did: string[] = []
  for (const e of edits) {
    const at = 1 + (('at' in e ? e.at : 0) % Math.max(1, segs.length - 1))
    switch (e.kind) {
      case 'replace':
        segs[at] = e.seg
        did.push(`seg ${at}=${preview(e.seg)}`)
        break
      case 'insert':
        segs = [...segs.slice(0, at), e.seg, ...segs.slice(at)]
        did.push(`insert ${preview(e.seg)} at ${at}`)
        break
      case 'delete':
        segs = [...segs.slice(0, at), ...segs.slice(at + 1)]
        did.push(`delete seg ${at}`)
        break
      case 'upper':
        segs[at] = (segs[at] ?? '').toUpperCase()
        did.push(`upper seg ${at}`)
        break
      case 'encode': {
        const s = segs[at] ?? ''
        const i = s.length === 0 ? 0 : e.pos % s.length
        const hex = (s.charCodeAt(i) || 0x61).toString(16).toUpperCase().padStart(2, '0')
        segs[at] = `${s.slice(0, i)}%${hex}${s.slice(i + 1)}`
        did.push(`encode seg ${at}`)
        break
      }
      case 'long':
        segs[at] = '9'.repeat(e.length)
        did.push(`seg ${at} ${e.length} long`)
        break
      case 'suffix':
        suffix += e.text
        did.push(`suffix ${e.text}`)
        break
      case 'prefix':
        // segs.join('/') already starts with '/'.
        prefix = e.text.endsWith('/') ? e.text.slice(0, -1) : e.text
        did.push(`prefix ${e.text}`)
        break
    }
  }
  const out = sendablePath(`${prefix}${segs.join('/')}${suffix}`)
  return { path: out.startsWith('/') ? out : `/${out}`, label: did.join('; ') }
}
