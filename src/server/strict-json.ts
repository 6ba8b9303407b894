// Strict RFC 8259 parser for signature-verified request bodies. JSON.parse is deliberately not used:
// it silently accepts duplicate keys, __proto__ members, lossy integers and lone surrogates, and it
// cannot report where the problem is.

export interface StrictJsonOptions {
  maxDepth: number
  maxLength?: number
}

export type StrictJsonIssue =
  | 'syntax'
  | 'depth'
  | 'duplicate_key'
  | 'forbidden_key'
  | 'unsafe_integer'
  | 'non_finite'
  | 'lone_surrogate'

export type StrictJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; issue: StrictJsonIssue; pointer: string; position: number }

// Parsing is synchronous and never re-entered, so module-level state avoids allocating closures
// for every call on the hot path.
let src = ''
let pos = 0
let maxDepth = 0
let errIssue: StrictJsonIssue = 'syntax'
let errPos = 0
// Filled innermost-first while the failure unwinds, so the success path pays nothing for pointers.
let errPath: (string | number)[] = []

const FAIL: unique symbol = Symbol('fail')
type Fail = typeof FAIL

function fail(issue: StrictJsonIssue, at: number): Fail {
  errIssue = issue
  errPos = at
  return FAIL
}

function skipWs(): void {
  for (;;) {
    const c = src.charCodeAt(pos)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
    pos++
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function parseValue(depth: number): unknown {
  skipWs()
  const c = src.charCodeAt(pos)
  switch (c) {
    case 0x7b: // {
      // Checked before descending so hostile nesting never costs more than maxDepth frames.
      return depth >= maxDepth ? fail('depth', pos) : parseObject(depth + 1)
    case 0x5b: // [
      return depth >= maxDepth ? fail('depth', pos) : parseArray(depth + 1)
    case 0x22:
      return parseString()
    case 0x74:
      return parseLiteral('true', true)
    case 0x66:
      return parseLiteral('false', false)
    case 0x6e:
      return parseLiteral('null', null)
    default:
      return c === 0x2d || isDigit(c) ? parseNumber() : fail('syntax', pos)
  }
}

function parseLiteral(word: string, value: boolean | null): boolean | null | Fail {
  for (let k = 0; k < word.length; k++) {
    if (src.charCodeAt(pos + k) !== word.charCodeAt(k)) return fail('syntax', pos + k)
  }
  pos += word.length
  return value
}

function parseObject(depth: number): Record<string, unknown> | Fail {
  pos++
  const obj: Record<string, unknown> = {}
  skipWs()
  if (src.charCodeAt(pos) === 0x7d) {
    pos++
    return obj
  }
  for (;;) {
    if (src.charCodeAt(pos) !== 0x22) return fail('syntax', pos)
    const keyPos = pos
    const key = parseString()
    if (key === FAIL) return FAIL
    // Rejected before any assignment: `obj[key] = v` with __proto__ would rewrite the prototype.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      errPath.push(key)
      return fail('forbidden_key', keyPos)
    }
    if (Object.hasOwn(obj, key)) {
      errPath.push(key)
      return fail('duplicate_key', keyPos)
    }
    skipWs()
    if (src.charCodeAt(pos) !== 0x3a) return fail('syntax', pos)
    pos++
    const value = parseValue(depth)
    if (value === FAIL) {
      errPath.push(key)
      return FAIL
    }
    obj[key] = value
    skipWs()
    const c = src.charCodeAt(pos)
    pos++
    if (c === 0x7d) return obj
    if (c !== 0x2c) return fail('syntax', pos - 1)
    skipWs()
  }
}

function parseArray(depth: number): unknown[] | Fail {
  pos++
  const arr: unknown[] = []
  skipWs()
  if (src.charCodeAt(pos) === 0x5d) {
    pos++
    return arr
  }
  for (let index = 0; ; index++) {
    const value = parseValue(depth)
    if (value === FAIL) {
      errPath.push(index)
      return FAIL
    }
    arr.push(value)
    skipWs()
    const c = src.charCodeAt(pos)
    pos++
    if (c === 0x5d) return arr
    if (c !== 0x2c) return fail('syntax', pos - 1)
  }
}

function parseNumber(): number | Fail {
  const start = pos
  let c = src.charCodeAt(pos)
  if (c === 0x2d) c = src.charCodeAt(++pos)
  // A leading zero ends the integer part; a digit after it then fails as unexpected trailing input.
  if (c === 0x30) c = src.charCodeAt(++pos)
  else if (isDigit(c)) {
    do c = src.charCodeAt(++pos)
    while (isDigit(c))
  } else return fail('syntax', pos)
  let integer = true
  if (c === 0x2e) {
    integer = false
    c = src.charCodeAt(++pos)
    if (!isDigit(c)) return fail('syntax', pos)
    do c = src.charCodeAt(++pos)
    while (isDigit(c))
  }
  if (c === 0x65 || c === 0x45) {
    integer = false
    c = src.charCodeAt(++pos)
    if (c === 0x2b || c === 0x2d) c = src.charCodeAt(++pos)
    if (!isDigit(c)) return fail('syntax', pos)
    do c = src.charCodeAt(++pos)
    while (isDigit(c))
  }
  // The grammar above is a subset of what Number() accepts, so this conversion is exact JSON.
  const n = Number(src.slice(start, pos))
  if (n === Number.POSITIVE_INFINITY || n === Number.NEGATIVE_INFINITY) {
    return fail('non_finite', start)
  }
  // Every integer above MAX_SAFE_INTEGER rounds to >= 2^53, so comparing the double is enough.
  if (integer && (n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER)) {
    return fail('unsafe_integer', start)
  }
  return n
}

function hex4(at: number): number {
  let v = 0
  for (let k = at; k < at + 4; k++) {
    const c = src.charCodeAt(k)
    const lower = c | 0x20 // folds A-F onto a-f; NaN past the end becomes 0x20 and is rejected
    if (isDigit(c)) v = (v << 4) | (c - 0x30)
    else if (lower >= 0x61 && lower <= 0x66) v = (v << 4) | (lower - 0x57)
    else return -1
  }
  return v
}

const SIMPLE_ESCAPES: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
}

function parseString(): string | Fail {
  let chunk = ++pos
  let out = ''
  for (;;) {
    const c = src.charCodeAt(pos)
    if (c === 0x22) {
      out += src.slice(chunk, pos++)
      return out
    }
    // Negated so NaN (end of input, i.e. unterminated string) is rejected by the same test.
    if (!(c >= 0x20)) return fail('syntax', pos)
    if (c === 0x5c) {
      out += src.slice(chunk, pos)
      const esc = pos
      const e = src.charCodeAt(pos + 1)
      if (e === 0x75) {
        const cu = hex4(pos + 2)
        if (cu < 0) return fail('syntax', esc)
        if (cu >= 0xd800 && cu <= 0xdfff) {
          // Pairs must be escaped on both halves; an escape next to a raw half is still lone.
          const lo = cu <= 0xdbff && src.charCodeAt(pos + 6) === 0x5c ? hexLow(pos + 7) : -1
          if (lo < 0) return fail('lone_surrogate', esc)
          out += String.fromCharCode(cu, lo)
          pos += 12
        } else {
          out += String.fromCharCode(cu)
          pos += 6
        }
      } else {
        const s = SIMPLE_ESCAPES[e]
        if (s === undefined) return fail('syntax', esc)
        out += s
        pos += 2
      }
      chunk = pos
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = src.charCodeAt(pos + 1)
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return fail('lone_surrogate', pos)
      pos += 2
    } else pos++
  }
}

function hexLow(at: number): number {
  if (src.charCodeAt(at) !== 0x75) return -1
  const v = hex4(at + 1)
  return v >= 0xdc00 && v <= 0xdfff ? v : -1
}

function escapePointerToken(token: string | number): string {
  return typeof token === 'number'
    ? String(token)
    : token.replaceAll('~', '~0').replaceAll('/', '~1')
}

export function parseStrictJson(text: string, options: StrictJsonOptions): StrictJsonResult {
  if (options.maxLength !== undefined && text.length > options.maxLength) {
    // No dedicated issue exists for oversize bodies; the text is rejected before being read at all.
    return { ok: false, issue: 'syntax', pointer: '', position: options.maxLength }
  }
  src = text
  pos = 0
  maxDepth = options.maxDepth
  errPath = []
  let value: unknown
  try {
    value = parseValue(0)
    if (value !== FAIL) {
      skipWs()
      if (pos < src.length) value = fail('syntax', pos)
    }
  } catch (e) {
    // Only reachable when the caller sets maxDepth beyond what the call stack can hold.
    if (!(e instanceof RangeError)) throw e
    errPath = []
    value = fail('depth', pos)
  } finally {
    src = '' // do not keep a large request body alive between calls
  }
  if (value !== FAIL) return { ok: true, value }
  let pointer = ''
  for (let k = errPath.length - 1; k >= 0; k--)
    pointer += `/${escapePointerToken(errPath[k] ?? '')}`
  return { ok: false, issue: errIssue, pointer, position: errPos }
}
