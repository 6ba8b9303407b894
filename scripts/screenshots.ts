// `npm run screenshots`: the pictures of the console that the README shows (docs/images/),
// taken in Debian's Chromium of a sandbox with a coupon taken through its life.
import { mkdirSync } from 'node:fs'
import { startSandbox } from '../src/index.ts'
import { browserMissing, launchChromium } from '../test/helpers/browser.ts'
import { buildWorld } from '../test/helpers/console-world.ts'

const missing = browserMissing()
if (missing) {
  process.stderr.write(`screenshots: ${missing}\n`)
  process.exit(1)
}
const out = new URL('../docs/images/', import.meta.url)
mkdirSync(out, { recursive: true })
const sb = await startSandbox()
const world = await buildWorld(sb)
await sb.client({ retry: { maxRetries: 0 } }).getNotifyConfig()
const browser = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 680 } })
  await page.goto(`${sb.baseUrl}/console`)
  await page.getByLabel('Admin token').fill(sb.credentials.admin_token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText(sb.credentials.partner.serial_no).waitFor()
  const shots: [string, string, string][] = [
    ['coupon', `#/coupon/${world.stockId}/${world.couponCode}`, 'table.timeline tbody tr'],
    ['stock', `#/stock/${world.stockId}`, 'svg.chart'],
    ['requests', '#/requests', 'table.journal tbody tr'],
    ['callbacks', '#/callbacks', 'article.notification'],
  ]
  for (const [name, hash, ready] of shots) {
    await page.goto(`${sb.baseUrl}/console${hash}`)
    await page.locator(ready).first().waitFor()
    await page.screenshot({ path: new URL(`console-${name}.png`, out).pathname })
    process.stdout.write(`docs/images/console-${name}.png\n`)
  }
} finally {
  await browser.close()
  await world.close()
  await sb.close()
}
