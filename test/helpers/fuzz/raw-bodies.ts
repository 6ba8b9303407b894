import { gzipSync } from 'node:zlib'
import fc from 'fast-check'

/**
 * (2) Raw bodies: bytes JSON.stringify never produces (truncations, bad UTF-8, odd numbers,
 * deep nesting, JSON-ish dialects, compression) and the Content-Types they are sent under.
 */

type RawEdit =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'badUtf8'; at: number; seq: readonly number[] }
  | { kind: 'bom' | 'utf16' | 'gzip' | 'twice' }
  | { kind: 'dupKey'; at: number }
  | { kind: 'forbiddenKey'; at: number; key: string }
  | { kind: 'number'; at: number; literal: string }
  | { kind: 'nesting'; depth: number; array: boolean }
  | { kind: 'whitespace'; at: number; ws: string }
  | { kind: 'jsonish'; variant: number }
  | { kind: 'literal'; text: string }
  | { kind: 'random'; bytes: number[] }
  | { kind: 'huge'; size: number }
  | { kind: 'trailing'; text: string }

export const rawEdit: fc.Arbitrary<RawEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('badUtf8' as const),
    at: fc.nat(),
    seq: fc.constantFrom(
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0x80],
      [0xff],
      [0xfe, 0xff],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xe0, 0x80, 0xaf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xc3],
      [0xe4, 0xb8],
    ),
  }),
  fc.record({
    kind: fc.constantFrom('bom' as const, 'utf16' as const, 'gzip' as const, 'twice' as const),
  }),
  fc.record({ kind: fc.constant('dupKey' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('forbiddenKey' as const),
    at: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype', '\\u005f_proto__'),
  }),
  fc.record({
    kind: fc.constant('number' as const),
    at: fc.nat(),
    literal: fc.constantFrom(
      '1e400',
      '-1e400',
      '9007199254740993',
      '-9007199254740993',
      '123456789012345678901234567890',
      '-0',
      '1.0',
      '1e2',
      '1E+2',
      '0x10',
      '01',
      '.5',
      '+1',
      '1.',
      '-',
      'NaN',
      'Infinity',
      '1_000',
      '1e-400',
      `0.${'0'.repeat(400)}1`,
    ),
  }),
  fc.record({
    kind: fc.constant('nesting' as const),
    depth: fc.constantFrom(33, 100, 5000, 30_000),
    array: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('whitespace' as const),
    at: fc.nat(),
    ws: fc.constantFrom(
      '\u00a0',
      '\u000b',
      '\u000c',
      '\u2028',
      '\u3000',
      '\u0085',
      '\u200b',
      '\u0000',
    ),
  }),
  fc.record({ kind: fc.constant('jsonish' as const), variant: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant('literal' as const),
    text: fc.constantFrom(
      '',
      ' ',
      '\n',
      'null',
      'true',
      '[]',
      '"s"',
      '123',
      '{}',
      '[{}]',
      'a=1&b=2',
      '<xml/>',
      '{"":}',
      '{,}',
      '{"a" 1}',
      '{"a":1}}',
      '\u0000',
    ),
  }),
  fc.record({
    kind: fc.constant('random' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }),
  }),
  fc.record({
    kind: fc.constant('huge' as const),
    size: fc.integer({ min: 65_600, max: 80_000 }),
  }),
  fc.record({
    kind: fc.constant('trailing' as const),
    text: fc.constantFrom('x', '\u0000', '}', ',', ' 1', '\n{}'),
  }),
)

/** Token positions outside string literals, by a small scanner over the JSON text. */
function scan(text: string): { numbers: [number, number][]; opens: number[]; commas: number[] } {
  const numbers: [number, number][] = []
  const opens: number[] = []
  const commas: number[] = []
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') opens.push(i)
    else if (c === ',') commas.push(i)
    else if (c !== undefined && /[-0-9]/.test(c)) {
      let j = i
      while (j < text.length && /[-+.eE0-9]/.test(text[j] ?? '')) j++
      numbers.push([i, j])
      i = j - 1
    }
  }
  return { numbers, opens, commas }
}

function insertAt(buf: Buffer, at: number, bytes: Buffer): Buffer {
  const i = buf.length === 0 ? 0 : at % buf.length
  return Buffer.concat([buf.subarray(0, i), bytes, buf.subarray(i)])
}

function jsonish(text: string, variant: number): string {
  switch (variant) {
    case 0:
      return `// comment\n${text}`
    case 1:
      return `/*c*/${text}`
    case 2:
      return `${text.slice(0, -1)},}`
    case 3:
      return text.replaceAll('"', "'")
    case 4:
      return text.replace(/"(\w+)":/g, '$1:')
    case 5:
      return text.replace(/:(\d+)/, ':NaN')
    case 6:
      return `[${text}`
    default:
      return text.replace(/"/, '`')
  }
}

export function rawBody(
  template: string,
  e: RawEdit,
): { bytes: Buffer; label: string; gzip?: true } {
  const buf = Buffer.from(template)
  const { numbers, opens, commas } = scan(template)
  switch (e.kind) {
    case 'truncate': {
      const at = 1 + (e.at % Math.max(1, buf.length - 1))
      return { bytes: buf.subarray(0, at), label: `truncated at ${at}` }
    }
    case 'flip': {
      const out = Buffer.from(buf)
      const at = e.at % out.length
      out[at] = e.byte
      return { bytes: out, label: `byte ${at}=0x${e.byte.toString(16)}` }
    }
    case 'insert':
      return {
        bytes: insertAt(buf, e.at, Buffer.from(e.bytes)),
        label: `insert ${e.bytes.length} bytes`,
      }
    case 'badUtf8': {
      // Inside a string literal, so only the UTF-8 decoder can object.
      const quotes = [...template.matchAll(/"/g)].map((m) => m.index)
      const q = quotes[e.at % Math.max(1, quotes.length)] ?? 0
      const at = Buffer.byteLength(template.slice(0, q + 1))
      return {
        bytes: Buffer.concat([buf.subarray(0, at), Buffer.from(e.seq), buf.subarray(at)]),
        label: `invalid UTF-8 ${Buffer.from(e.seq).toString('hex')} at ${at}`,
      }
    }
    case 'bom':
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]), label: 'UTF-8 BOM' }
    case 'utf16':
      return { bytes: Buffer.from(`\uFEFF${template}`, 'utf16le'), label: 'UTF-16LE' }
    case 'gzip':
      return { bytes: gzipSync(buf), label: 'gzip', gzip: true }
    case 'twice':
      return { bytes: Buffer.concat([buf, buf]), label: 'two documents' }
    case 'dupKey': {
      const keys = Object.keys(JSON.parse(template) as object)
      const k = keys[e.at % Math.max(1, keys.length)] ?? 'a'
      return { bytes: Buffer.from(`${template.slice(0, -1)},"${k}":1}`), label: `duplicate ${k}` }
    }
    case 'forbiddenKey': {
      const at = (opens[e.at % Math.max(1, opens.length)] ?? 0) + 1
      return {
        bytes: Buffer.from(`${template.slice(0, at)}"${e.key}":{},${template.slice(at)}`),
        label: `member ${e.key}`,
      }
    }
    case 'number': {
      const [a, b] = numbers[e.at % Math.max(1, numbers.length)] ?? [
        template.length - 1,
        template.length - 1,
      ]
      return {
        bytes: Buffer.from(template.slice(0, a) + e.literal + template.slice(b)),
        label: `number ${e.literal.slice(0, 20)}`,
      }
    }
    case 'nesting': {
      const open = e.array ? '[' : '{"a":'
      const close = e.array ? ']' : '}'
      return {
        bytes: Buffer.from(open.repeat(e.depth) + (e.array ? '' : '1') + close.repeat(e.depth)),
        label: `nested ${e.depth}`,
      }
    }
    case 'whitespace': {
      const at = (commas[e.at % Math.max(1, commas.length)] ?? 0) + 1
      return {
        bytes: Buffer.from(template.slice(0, at) + e.ws + template.slice(at)),
        label: `whitespace U+${(e.ws.codePointAt(0) ?? 0).toString(16)}`,
      }
    }
    case 'jsonish':
      return { bytes: Buffer.from(jsonish(template, e.variant)), label: `jsonish ${e.variant}` }
    case 'literal':
      return { bytes: Buffer.from(e.text), label: `literal ${JSON.stringify(e.text)}` }
    case 'random':
      return { bytes: Buffer.from(e.bytes), label: `${e.bytes.length} random bytes` }
    case 'huge': {
      const pad = Buffer.alloc(e.size, 0x20)
      return {
        bytes: Buffer.concat([
          buf.subarray(0, -1),
          Buffer.from(',"pad":"'),
          pad,
          Buffer.from('"}'),
        ]),
        label: `huge ${e.size}`,
      }
    }
    case 'trailing':
      return {
        bytes: Buffer.concat([buf, Buffer.from(e.text)]),
        label: `trailing ${JSON.stringify(e.text)}`,
      }
  }
}

export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant('application/json; charset=utf-8') },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json-patch+json',
      'application/jsonx',
      'text/json',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      ' application/json ',
      'application/json;;;',
      'application/*',
      '*/*',
      '',
      'application/json, text/plain',
      'application/ json',
      'application/json\t; x=y',
    ),
  },
)
