/**
 * Business time as the API shows it: Beijing days, when windows and daily budgets turn over,
 * and the one canonical +08:00 form every time is rendered and parsed in.
 */

export const HOUR = 3600
export const DAY = 86_400
const BEIJING = 8 * HOUR

/** 00:00:00 Beijing time of the day holding `t`: windows and daily budgets turn over there. */
export function startOfDay(t: number): number {
  return t - ((((t + BEIJING) % DAY) + DAY) % DAY)
}

export function dayNumber(t: number): number {
  return Math.floor((t + BEIJING) / DAY)
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** The one form the API renders times in: `yyyy-MM-ddTHH:mm:ss+08:00`. */
export function formatTime(t: number): string {
  const d = new Date((t + BEIJING) * 1000)
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  )
}

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+08:00$/

/** Parses only the canonical form, so a time rendered any other way fails loudly. */
export function parseTime(s: unknown): number {
  const m = typeof s === 'string' ? CANONICAL.exec(s) : null
  if (!m) throw new Error(`not a canonical +08:00 time: ${String(s)}`)
  const [, y, mo, d, h, mi, sec] = m.map(Number)
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, sec ?? 0) / 1000 - BEIJING
}
