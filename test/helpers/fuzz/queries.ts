import fc from 'fast-check'
import { encode, evilString, preview } from './values.ts'

/**
 * Edits of a GET query string (dropped, repeated, bracketed or hostile parameters): harmless
 * whatever they do, so any answer but a 5xx is fine.
 */

type QueryEdit =
  | { kind: 'drop'; at: number }
  | { kind: 'set' | 'dup'; at: number; value: string }
  | { kind: 'add'; key: string; value: string }
  | { kind: 'bracket'; at: number }
  | { kind: 'raw'; text: string }

const queryValue = fc.oneof(
  { weight: 3, arbitrary: evilString.map((s) => encode(s.slice(0, 3000))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%E4',
      '%ED%A0%80',
      '%C0%AF',
      '+',
      '%20',
      '%00',
      '%2B',
      '0',
      '51',
      '-1',
      '1.5',
      '00010',
      '9999',
      '99999',
      ' 1',
      'abc',
      'EFFECTIVE',
      'effective',
      'SENDING',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ maxLength: 120 })
      .map(
        (b) =>
          `${Buffer.from(b).toString('base64url')}.${Buffer.from(b.slice(0, 16)).toString('base64url')}`,
      ),
  },
)

export const queryEdit: fc.Arbitrary<QueryEdit> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('set' as const, 'dup' as const),
    at: fc.nat(),
    value: queryValue,
  }),
  fc.record({
    kind: fc.constant('add' as const),
    key: fc.constantFrom(
      'page_token',
      'page_size',
      'state',
      'coupon_state',
      'stock_id',
      'product_coupon_id',
      'appid',
      'brand_id',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      '',
      'a[b]',
      'x',
    ),
    value: queryValue,
  }),
  fc.record({ kind: fc.constant('bracket' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('raw' as const),
    text: fc.constantFrom(
      '&&',
      '=',
      '&=&',
      '%',
      '%zz',
      '?',
      '&a',
      '==',
      ';',
      '#',
      `&${'x=1&'.repeat(500)}`,
    ),
  }),
)

export function editQuery(
  pairs: [string, string][],
  edits: QueryEdit[],
): { query: string; label: string } {
  const q = pairs.map(([k, v]) => `${k}=${encode(v)}`)
  const did: string[] = []
  for (const e of edits) {
    const at = q.length === 0 ? 0 : ('at' in e ? e.at : 0) % q.length
    const key = (q[at] ?? 'x=').split('=')[0] ?? 'x'
    switch (e.kind) {
      case 'drop':
        q.splice(at, 1)
        did.push(`drop ${key}`)
        break
      case 'set':
        q[at] = `${key}=${e.value}`
        did.push(`${key}=${preview(e.value)}`)
        break
      case 'dup':
        q.push(`${key}=${e.value}`)
        did.push(`again ${key}`)
        break
      case 'add':
        q.push(`${e.key}=${e.value}`)
        did.push(`add ${e.key}`)
        break
      case 'bracket':
        q[at] = (q[at] ?? 'x=1').replace('=', '[]=')
        did.push(`${key}[]`)
        break
      case 'raw':
        q.push(e.text)
        did.push(`raw ${preview(e.text)}`)
        break
    }
  }
  return { query: q.join('&'), label: did.join('; ') }
}
