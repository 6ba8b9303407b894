import fc from 'fast-check'
import type { Json } from './types.ts'

/**
 * Hostile values (strings, numbers, keys) that every kind of case draws from, and the
 * encodings that get them onto the wire as HTTP allows. The literal lists stay here whole:
 * each is one catalogue of known-troublesome inputs, and splitting one would only scatter it.
 */

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0001\u001f\u007f',
  '\t\n\r',
  '\u2028\u2029',
  '\uFEFF',
  '\uD800',
  'x\uDFFF',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u202Eevil',
  'ＡＢＣ１２３',
  '١٢٣',
  'null',
  'true',
  '0',
  '-1',
  '1e400',
  'NaN',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '; DROP TABLE stocks; --',
  '../../../etc/passwd',
  '%00',
  '%2F..%2F',
  // A log4shell probe; written with an escape because it is meant literally.
  '\u0024{jndi:ldap://x}',
  '{{7*7}}',
  '\\',
  '"',
  '\\u0000',
  'Color999',
  '2025-02-30T25:61:61+08:00',
  '9999-12-31T23:59:59+99:99',
  '0000-00-00T00:00Z',
  '2025-01-01T00:00:00.1234567891+08:00',
  'https://',
  'javascript:alert(1)',
  'http://169.254.169.254/latest/meta-data/',
  '__proto__',
  'constructor',
  'A'.repeat(41),
  'A'.repeat(129),
  'A'.repeat(1001),
]

export const evilString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 41, max: 3000 }).map((n) => 'Z'.repeat(n)) },
  // Past the body limit: refused before parsing, however the rest of the body looks.
  { weight: 1, arbitrary: fc.integer({ min: 65_600, max: 70_000 }).map((n) => 'x'.repeat(n)) },
)

export const evilNumber: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      -0,
      -1,
      0.5,
      -0.5,
      1.0000001,
      1e308,
      -1e308,
      5e-324,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53 + 2),
      1e21,
      2 ** 31,
      2 ** 32,
      10_000_000_001,
      100_000_001,
      86_400,
      0,
    ),
  },
  { weight: 2, arbitrary: fc.integer() },
  // NaN and ±Infinity serialise as null, which the server reads as "absent".
  { weight: 1, arbitrary: fc.double() },
)

export const evilValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: evilString },
  { weight: 4, arbitrary: evilNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Json>(null, true, false, [], {}, [null], [[]], { '': '' }, [1, 'a']),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
)

export const evilKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      '',
      ' ',
      'brand_id ',
      'BRAND_ID',
      '\u0000',
      '😀',
      'a'.repeat(300),
      'toString',
      'hasOwnProperty',
      '$ref',
      '__defineGetter__',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
)

/** Printable Latin-1: what node:http puts in a header value without complaint. */
const latin1Char = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
  .map((c) => String.fromCharCode(c))
export const latin1String = (maxLength = 60) =>
  fc.string({ unit: latin1Char, minLength: 1, maxLength })

/**
 * What fetch and node:http put in a header value: tabs and printable Latin-1. Control
 * characters only go out through the wire group.
 */
export function toHeaderValue(s: string): string {
  return s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** encodeURIComponent without its URIError on lone surrogates (they go as raw bad UTF-8). */
export function encode(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE, '\uFFFD')).replaceAll(
    '%EF%BF%BD',
    '%ED%A0%80',
  )
}

/** A short form of a value for case labels. */
export const preview = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 40 ? `${s.slice(0, 37)}…(${s.length})` : s
}
