import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

/**
 * Debian's Chromium driven by playwright-core (no browser download). Absent outside CI, the
 * browser tests skip with a message; in CI (.ci/run sets WXCOUPON_REQUIRE_BROWSER=1) they fail.
 */
export const CHROMIUM = '/usr/bin/chromium'

export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  const why = `${CHROMIUM} is not installed (apt-get install -y chromium)`
  if (process.env.WXCOUPON_REQUIRE_BROWSER === '1') throw new Error(why)
  return why
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
