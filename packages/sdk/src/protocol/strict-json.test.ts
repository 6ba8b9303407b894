import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { parseStrictJson, type StrictJsonIssue, type StrictJsonOptions } from './strict-json.ts'

const OPTS: StrictJsonOptions = { maxDepth: 32 }

function parseOk(text: string, opts: StrictJsonOptions = OPTS): unknown {
  const r = parseStrictJson(text, opts)
  if (!r.ok) assert.fail(`expected ok for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`)
  return r.value
}

describe('parseStrictJson: valid documents', () => {
  const valid: string[] = [
    '{}',
    '[]',
    '0',
    '-0',
    '-0.0',
    '1',
    '-1',
    '12.5e-3',
    '1E+2',
    '1e2',
    '0.000001',
    '-1.7976931348623157e308',
    '5e-324',
    '1e-400',
    '9007199254740991',
    '-9007199254740991',
    '1e21',
    '123456789012345678901234567890.5',
    'true',
    'false',
    'null',
    '""',
    '"plain"',
    '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"',
    '"\\u0041\\u00e9\\u4E2D\\uD83D\\uDE00\\u0000"',
    '"中文 ✓ 😀"',
    '"\\u005f_proto__"',
    ' \t\r\n{ "a" : [ 1 , 2 ] , "b" : { } } \n',
    '{"a":{"b":{"c":[1,[2,[3,{"d":null}]]]}}}',
    '{"nil":null,"t":true,"f":false,"s":"x","n":-1.5,"arr":[],"obj":{}}',
    '{"a/b":1,"m~n":2,"":3," ":4}',
    '{"2":1,"1":2,"b":3,"a":4}',
    '{"toString":1,"hasOwnProperty":2,"valueOf":3,"__proto":4,"proto__":5}',
    '[[[[[[[[[[]]]]]]]]]]',
  ]
  for (const text of valid) {
    it(`accepts ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseOk(text), JSON.parse(text))
    })
  }

  it('keeps null members and -0', () => {
    const value = parseOk('{"a":null,"z":-0}') as Record<string, unknown>
    assert.ok(Object.hasOwn(value, 'a'))
    assert.equal(value.a, null)
    assert.ok(Object.is(value.z, -0))
  })

  it('produces plain objects with Object.prototype', () => {
    const value = parseOk('{"a":{}}') as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(value), Object.prototype)
    assert.equal(Object.getPrototypeOf(value.a), Object.prototype)
  })
})

describe('parseStrictJson: issues', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`
  const cases: [text: string, issue: StrictJsonIssue, pointer: string, position: number][] = [
    ['', 'syntax', '', 0],
    ['   ', 'syntax', '', 3],
    ['\uFEFF{}', 'syntax', '', 0],
    ['nul', 'syntax', '', 3],
    ['nulx', 'syntax', '', 3],
    ['truex', 'syntax', '', 4],
    ['{} {}', 'syntax', '', 3],
    ['[1,]', 'syntax', '/1', 3],
    ['{"a":1,}', 'syntax', '', 7],
    ['{"a" 1}', 'syntax', '', 5],
    ['{a:1}', 'syntax', '', 1],
    ["{'a':1}", 'syntax', '', 1],
    ["'a'", 'syntax', '', 0],
    ['"abc', 'syntax', '', 4],
    ['{"a":"abc', 'syntax', '/a', 9],
    ['"a\u0001b"', 'syntax', '', 2],
    ['"a\nb"', 'syntax', '', 2],
    ['"\\x41"', 'syntax', '', 1],
    ['"a\u001fb"', 'syntax', '', 2],
    ['"ab\\', 'syntax', '', 3],
    ['"\\u12G4"', 'syntax', '', 1],
    ['"\\u\u001012"', 'syntax', '', 1],
    ['"\\u12"', 'syntax', '', 1],
    ['[1 2]', 'syntax', '', 3],
    ['[1,,2]', 'syntax', '/1', 3],
    ['// c\n1', 'syntax', '', 0],
    ['/* c */1', 'syntax', '', 0],
    ['1 // c', 'syntax', '', 2],
    ['NaN', 'syntax', '', 0],
    ['-Infinity', 'syntax', '', 1],
    ['01', 'syntax', '', 1],
    ['-01', 'syntax', '', 2],
    ['1.', 'syntax', '', 2],
    ['.5', 'syntax', '', 0],
    ['1e', 'syntax', '', 2],
    ['1e+', 'syntax', '', 3],
    ['+1', 'syntax', '', 0],
    ['-', 'syntax', '', 1],
    ['0x10', 'syntax', '', 1],
    ['\u00a01', 'syntax', '', 0],
    ['{"a":[1,{"b":tru}]}', 'syntax', '/a/1/b', 16],
    ['{"a":1,"a":2}', 'duplicate_key', '/a', 7],
    ['{"a":1,"\\u0061":2}', 'duplicate_key', '/a', 7],
    ['{"x":{"k/~":1,"k/~":2}}', 'duplicate_key', '/x/k~1~0', 14],
    ['{"__proto__":{"polluted":true}}', 'forbidden_key', '/__proto__', 1],
    ['{"\\u005f_proto__":1}', 'forbidden_key', '/__proto__', 1],
    ['{"a":[{"constructor":{"prototype":1}}]}', 'forbidden_key', '/a/0/constructor', 7],
    ['{"a":{"b":[0,{"prototype":1}]}}', 'forbidden_key', '/a/b/1/prototype', 14],
    ['9007199254740992', 'unsafe_integer', '', 0],
    ['{"a":[1,{"b":9007199254740993}]}', 'unsafe_integer', '/a/1/b', 13],
    ['[-9007199254740993]', 'unsafe_integer', '/0', 1],
    ['100000000000000000000', 'unsafe_integer', '', 0],
    ['1e400', 'non_finite', '', 0],
    ['{"n":-1.5e999}', 'non_finite', '/n', 5],
    [`1${'0'.repeat(400)}`, 'non_finite', '', 0],
    ['"\\uD800"', 'lone_surrogate', '', 1],
    ['"ab\\uDBFFx"', 'lone_surrogate', '', 3],
    ['{"s":"\\uDC00\\uD800"}', 'lone_surrogate', '/s', 6],
    ['"\\uD800\\u0041"', 'lone_surrogate', '', 1],
    ['"\\uD800\\uD800"', 'lone_surrogate', '', 1],
    ['"\\uD83D\uDE00"', 'lone_surrogate', '', 1],
    ['"\uD83D\\uDE00"', 'lone_surrogate', '', 1],
    ['["ok","x\uD800"]', 'lone_surrogate', '/1', 8],
    ['"\uDC00\uD800"', 'lone_surrogate', '', 1],
    ['{"\\uDFFF":1}', 'lone_surrogate', '', 2],
    // first problem in document order wins
    ['[1e400,9007199254740993]', 'non_finite', '/0', 1],
    ['[9007199254740993,1e400]', 'unsafe_integer', '/0', 1],
    ['{"a":1,"a":1e400}', 'duplicate_key', '/a', 7],
    ['[1,"\\uD800",', 'lone_surrogate', '/1', 4],
  ]
  for (const [text, issue, pointer, position] of cases) {
    it(`${issue} at ${JSON.stringify(pointer)}:${position} for ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseStrictJson(text, OPTS), { ok: false, issue, pointer, position })
    })
  }

  it('does not pollute Object.prototype', () => {
    parseStrictJson('{"__proto__":{"polluted":true}}', OPTS)
    parseStrictJson('{"a":{"constructor":{"prototype":{"polluted":true}}}}', OPTS)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  it('allows exactly maxDepth levels of nesting', () => {
    assert.deepEqual(parseOk(deep(3), { maxDepth: 3 }), [[[]]])
    assert.deepEqual(parseOk('{"a":{"b":{}}}', { maxDepth: 3 }), { a: { b: {} } })
    assert.deepEqual(parseOk('1', { maxDepth: 0 }), 1)
  })

  it('rejects maxDepth + 1 levels with a pointer to the too-deep container', () => {
    assert.deepEqual(parseStrictJson(deep(4), { maxDepth: 3 }), {
      ok: false,
      issue: 'depth',
      pointer: '/0/0/0',
      position: 3,
    })
    assert.deepEqual(parseStrictJson('{"a":[{"b":{}}]}', { maxDepth: 3 }), {
      ok: false,
      issue: 'depth',
      pointer: '/a/0/b',
      position: 11,
    })
    assert.deepEqual(parseStrictJson('[]', { maxDepth: 0 }), {
      ok: false,
      issue: 'depth',
      pointer: '',
      position: 0,
    })
  })

  it('rejects 1e6 nested [ at depth 32 without reading further or throwing', () => {
    const r = parseStrictJson('['.repeat(1_000_000), OPTS)
    // Position 32 shows the parser stopped at the limit instead of walking the whole input.
    assert.deepEqual(r, { ok: false, issue: 'depth', pointer: '/0'.repeat(32), position: 32 })
  })

  it('reports depth instead of throwing when maxDepth exceeds the call stack', () => {
    const r = parseStrictJson('['.repeat(1_000_000), { maxDepth: 10_000_000 })
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.issue, 'depth')
  })

  it('enforces maxLength before parsing', () => {
    assert.deepEqual(parseOk('[1,2]', { maxDepth: 4, maxLength: 5 }), [1, 2])
    assert.deepEqual(parseStrictJson('[1,2] ', { maxDepth: 4, maxLength: 5 }), {
      ok: false,
      issue: 'syntax',
      pointer: '',
      position: 5,
    })
  })

  it('recovers cleanly after a failed parse', () => {
    assert.equal(parseStrictJson('{"a":[{"b":1,"b":2}]}', OPTS).ok, false)
    assert.deepEqual(parseStrictJson('[1]', OPTS), { ok: true, value: [1] })
    assert.deepEqual(parseStrictJson('[[', OPTS), {
      ok: false,
      issue: 'syntax',
      pointer: '/0/0',
      position: 2,
    })
  })
})

// What the strict parser legitimately rejects even though JSON.parse accepts it.
function hasStrictIssue(text: string): boolean {
  if (/\\u[dD][89a-fA-F]/.test(text)) return true // escaped surrogates (JSON.stringify of a lone one)
  let flagged = false
  JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') flagged = true
    // JSON.stringify prints numbers exactly like String(), so this is the literal's source text.
    if (typeof value === 'number' && !/[.eE]/.test(String(value))) {
      if (!Number.isSafeInteger(value)) flagged = true
    }
    return value
  })
  return flagged
}

function tryJsonParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

// Checks both directions against JSON.parse: never throws, rejects everything JSON.parse rejects,
// and only refuses valid JSON for one of the strict (non-syntax) reasons.
function agreesWithJsonParse(text: string): void {
  const ours = parseStrictJson(text, { maxDepth: 1000 })
  const reference = tryJsonParse(text)
  if (!reference.ok) {
    assert.equal(ours.ok, false)
    return
  }
  if (ours.ok) assert.deepEqual(ours.value, reference.value)
  else assert.notEqual(ours.issue, 'syntax', `valid JSON rejected as syntax: ${text}`)
}

describe('parseStrictJson: properties', () => {
  const jsonValues = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }))

  it('round-trips JSON.stringify output like JSON.parse', () => {
    fc.assert(
      fc.property(jsonValues, (v) => {
        const text = JSON.stringify(v)
        fc.pre(!hasStrictIssue(text))
        assert.deepEqual(parseStrictJson(text, { maxDepth: 1000 }), {
          ok: true,
          value: JSON.parse(text),
        })
      }),
      { numRuns: 500 },
    )
  })

  it('never throws on arbitrary strings and rejects what JSON.parse rejects', () => {
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
    const jsonish = fc.constantFrom(...'{}[]:,"\\ \t\n-+.0123456789eEuDd/tfnrl'.split(''))
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: anyUnit }),
          fc.string({ unit: jsonish }),
        ),
        agreesWithJsonParse,
      ),
      { numRuns: 1500 },
    )
  })

  it('never throws on mutated JSON texts and agrees with JSON.parse', () => {
    const mutation = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.string({
        unit: fc.constantFrom(...'{}[]:,"\\ -.0e1u\u0000\uD800x'.split('')),
        maxLength: 3,
      }),
    })
    fc.assert(
      fc.property(jsonValues, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, edits) => {
        let text = JSON.stringify(v)
        for (const { at, remove, insert } of edits) {
          const i = at % (text.length + 1)
          text = text.slice(0, i) + insert + text.slice(i + remove)
        }
        agreesWithJsonParse(text)
      }),
      { numRuns: 1500 },
    )
  })
})
