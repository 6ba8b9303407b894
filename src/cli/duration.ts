const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const

/**
 * `90`, `90s`, `15m`, `2h`, `3d` → whole seconds; anything else (signs, fractions, compound
 * forms, overflow) → undefined, so the caller owns the wording of the complaint.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd])?$/.exec(text)
  if (!m?.[1]) return undefined
  const unit = (m[2] ?? 's') as keyof typeof UNIT_SECONDS
  const seconds = Number(m[1]) * UNIT_SECONDS[unit]
  return Number.isSafeInteger(seconds) ? seconds : undefined
}
