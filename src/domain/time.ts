/**
 * Business time. The domain works in whole Unix seconds: WeChat renders every time with
 * second precision, and validity windows end at hh:mm:59, inclusive.
 */

/** Where business time comes from; the sandbox clock implements it with a persisted offset. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export const DAY = 86_400
const BEIJING_OFFSET = 8 * 3600

export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

/** 00:00:00 of the Beijing day containing `t`. */
export function startOfBeijingDay(t: number): number {
  return t - mod(t + BEIJING_OFFSET, DAY)
}

/** Days since the epoch, counted in Beijing time: the key of daily counters. */
export function beijingDayNumber(t: number): number {
  return Math.floor((t + BEIJING_OFFSET) / DAY)
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `yyyy-MM-ddTHH:mm:ss+08:00`, the form every official client can parse. */
export function formatRfc3339(t: number): string {
  const d = new Date((t + BEIJING_OFFSET) * 1000)
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  )
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/

/**
 * Parses RFC 3339 (seconds optional, fractions dropped). Returns undefined for impossible
 * dates such as 2025-02-30, which Date.parse would silently roll over.
 */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s)
  if (!m) return undefined
  const [, y, mo, d, h, mi, sec, z, sign, oh, om] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = sec === undefined ? 0 : Number(sec)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second) / 1000
  const check = new Date(local * 1000)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined
  if (z === 'Z') return local
  const offHours = Number(oh)
  const offMinutes = Number(om)
  if (offHours > 23 || offMinutes > 59) return undefined
  const offset = (offHours * 3600 + offMinutes * 60) * (sign === '-' ? -1 : 1)
  return local - offset
}
