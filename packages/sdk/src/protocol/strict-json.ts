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

// One or more digits; on false, pos is left at the offending character for the error position.
function digits(): boolean {
  if (!isDigit(src.charCodeAt(pos))) return false
  do pos++
  while (isDigit(src.charCodeAt(pos)))
  return true
}

function parseNumber(): number | Fail {
  const start = pos
  let c = src.charCodeAt(pos)
  if (c === 0x2d) c = src.charCodeAt(++pos)
  // A leading zero ends the integer part; a digit after it then fails as unexpected trailing input.
  if (c === 0x30) pos++
  else if (!digits()) return fail('syntax', pos)
  let integer = true
  if (src.charCodeAt(pos) === 0x2e) {
    integer = false
    pos++
    if (!digits()) return fail('syntax', pos)
  }
  c = src.charCodeAt(pos)
  if (c === 0x65 || c === 0x45) {
    integer = false
    c = src.charCodeAt(++pos)
    if (c === 0x2b || c === 0x2d) pos++
    if (!digits()) return fail('syntax', pos)
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

// `\` + ESCAPE_NAMES[i] decodes to ESCAPE_VALUES[i]; every other escape letter is invalid.
const ESCAPE_NAMES = '"\\/bfnrt'
const ESCAPE_VALUES = '"\\/\b\f\n\r\t'

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
      if (src.charCodeAt(pos + 1) === 0x75) {
        const cu = hex4(pos + 2)
        if (cu < 0) return fail('syntax', esc)
        if (cu >= 0xd800 && cu <= 0xdfff) {
          // Pairs must be escaped on both halves; an escape next to a raw half is still lone.
          const lo = cu <= 0xdbff && src.startsWith('\\u', pos + 6) ? hex4(pos + 8) : -1
          if (!(lo >= 0xdc00 && lo <= 0xdfff)) return fail('lone_surrogate', esc)
          out += String.fromCharCode(cu, lo)
          pos += 12
        } else {
          out += String.fromCharCode(cu)
          pos += 6
        }
      } else {
        // charAt past the end is '', which indexOf would find at 0.
        const k = ESCAPE_NAMES.indexOf(src.charAt(pos + 1) || 'x')
        if (k < 0) return fail('syntax', esc)
        out += ESCAPE_VALUES.charAt(k)
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

function escapePointerToken(token: string | number): string {
  return typeof token === 'number'
    ? `/${token}`
    : `/${token.replaceAll('~', '~0').replaceAll('/', '~1')}`
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
  const pointer = errPath.reverse().map(escapePointerToken).join('')
  return { ok: false, issue: errIssue, pointer, position: errPos }
}
