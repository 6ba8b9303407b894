import { parseStrictJson, type StrictJsonIssue } from '@wxcoupon/sdk/protocol'
import { wxError } from '../domain/errors.ts'

/**
 * Turns a verified raw body into the JSON value the route schema sees. Runs only after the
 * signature check, so a forged request never reaches a parser.
 */

const MAX_DEPTH = 32
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const ISSUES: Record<StrictJsonIssue, string> = {
  syntax: 'body is not valid JSON',
  depth: `JSON nested deeper than ${MAX_DEPTH} levels`,
  duplicate_key: 'duplicate member name',
  forbidden_key: 'member name not allowed',
  unsafe_integer: 'integer outside the exactly representable range',
  non_finite: 'number out of range',
  lone_surrogate: 'unpaired UTF-16 surrogate',
}

/** Compares the media type only (`application/json; charset=utf-8` is fine), ignoring case. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false
  const type = header.split(';', 1)[0]?.trim().toLowerCase()
  return type === 'application/json'
}

export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
  if (!isJsonContentType(contentType)) {
    throw wxError('INVALID_HTTP_REQUEST', {
      field: 'Content-Type',
      issue: 'Content-Type must be application/json',
      location: 'header',
    })
  }
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    throw wxError('PARAM_INVALID_JSON', { issue: 'body is not valid UTF-8', location: 'body' })
  }
  const parsed = parseStrictJson(text, { maxDepth: MAX_DEPTH })
  if (!parsed.ok) {
    throw wxError('PARAM_INVALID_JSON', {
      field: parsed.pointer,
      issue: ISSUES[parsed.issue],
      location: 'body',
    })
  }
  return dropNulls(parsed.value)
}

/** An explicit `null` member means "absent" (protocol §1), so schemas see it as missing. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x)
    return out
  }
  return v
}
