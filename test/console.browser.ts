import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { type Sandbox, startSandbox } from '../src/index.ts'
import { browserMissing, launchChromium } from './helpers/browser.ts'
import { buildWorld, type ConsoleWorld } from './helpers/console-world.ts'

/**
 * The console in a real browser (Debian's Chromium, headless), against a real sandbox: sign-in,
 * then a coupon's life clicked through the pages — issue, advance the clock, redeliver its
 * callback, inject and remove a fault — and what each page shows checked against the admin API.
 * `npm run test:console`; .ci/run runs it with Chromium installed.
 */
const missing = browserMissing()
let sb: Sandbox
let world: ConsoleWorld
let browser: Browser
let page: Page

before(async () => {
  if (missing) return
  sb = await startSandbox()
  world = await buildWorld(sb)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
})
after(async () => {
  if (missing) return
  await browser?.close()
  await world?.close()
  await sb?.close()
})

const opts = missing ? { skip: missing } : {}

test(
  '/console is an HTML page; without the token it shows sign-in and the admin API answers 401',
  opts,
  async () => {
    const res = await fetch(`${sb.baseUrl}/console`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/)
    assert.match(await res.text(), /<div id="app">/)
    assert.equal((await fetch(`${sb.baseUrl}/sandbox/coupons`)).status, 401)
    await page.goto(`${sb.baseUrl}/console`)
    await page.getByLabel('Admin token').fill('not-the-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    assert.match(await page.getByRole('alert').innerText(), /UNAUTHORIZED/)
    assert.equal(await page.getByRole('link', { name: 'Coupons' }).count(), 0, 'still signed out')
    const html = await page.content()
    assert.ok(!html.includes(sb.credentials.admin_token), 'the page never shows the token')
  },
)

test('signed in, the tenants page lists the partner and no secret', opts, async () => {
  await page.getByLabel('Admin token').fill(sb.credentials.admin_token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Tenants' }).waitFor()
  await page.getByText(sb.credentials.partner.serial_no).waitFor()
  const text = await page.innerText('main')
  assert.ok(text.includes(sb.credentials.partner.mchid))
  assert.ok(text.includes(sb.credentials.partner.serial_no))
  assert.ok(!text.includes(sb.credentials.partner.apiv3_key), 'no APIv3 key')
  assert.ok(!(await page.content()).includes(sb.credentials.admin_token), 'no admin token')
})

test('issue a coupon from the stock page: the page and the API agree', opts, async () => {
  await page.goto(`${sb.baseUrl}/console#/stock/${world.stockId}`)
  await page.getByRole('heading', { name: 'Budget use over sandbox time' }).waitFor()
  await page.getByLabel('openid', { exact: true }).fill(sb.credentials.openid)
  await page.getByRole('button', { name: 'Issue' }).click()
  const link = page.getByRole('link', { name: /^coupon \S+ →$/ })
  await link.waitFor()
  const code = (await link.innerText()).split(' ')[1] ?? ''
  const { data } = await sb.admin.listCoupons({ stock_id: world.stockId, coupon_code: code })
  assert.equal(data[0]?.coupon.coupon_state, 'CONFIRMING')
  await link.click()
  await page.getByTestId('coupon-state').waitFor()
  assert.equal(await page.getByTestId('coupon-state').innerText(), 'CONFIRMING')
  assert.equal(
    await page.locator('.diagram .node.current').getAttribute('data-state'),
    'CONFIRMING',
    'the state diagram marks the current state',
  )
})

test(
  "a used and returned coupon's timeline lists every call, with links to the journal",
  opts,
  async () => {
    await page.goto(`${sb.baseUrl}/console#/coupon/${world.stockId}/${world.couponCode}`)
    await page.getByTestId('coupon-state').waitFor()
    const { data } = await sb.admin.listRequests({ coupon_code: world.couponCode })
    const rows = page.locator('table.timeline tbody tr')
    await rows.nth(data.length - 1).waitFor()
    assert.equal(await rows.count(), data.length)
    const ops = await page.locator('table.timeline tbody tr td:nth-child(2)').allInnerTexts()
    assert.deepEqual(ops, ['send', 'confirm', 'use', 'return', 'get_user_coupon'])
    const transitions = await page
      .locator('table.timeline tbody tr td:nth-child(5)')
      .allInnerTexts()
    assert.deepEqual(transitions.slice(1, 4), [
      'CONFIRMING → EFFECTIVE',
      'EFFECTIVE → USED',
      'USED → EFFECTIVE',
    ])
    const returned = data.find((e) => e.operation === 'return')
    await page
      .locator('table.timeline a', { hasText: returned?.request_id.slice(0, 14) ?? '?' })
      .click()
    await page.getByText('verified', { exact: true }).waitFor()
    assert.ok((await page.innerText('main')).includes(`CONSOLE_RET_`))
  },
)

test('advance the clock from the page: the page shows what the API says', opts, async () => {
  await page.goto(`${sb.baseUrl}/console#/clock`)
  await page
    .getByTestId('clock')
    .filter({ hasText: /\d{4}-/ })
    .waitFor()
  const before = Date.parse(await page.getByTestId('clock').innerText())
  await page.getByLabel('Advance by').fill('2')
  await page.getByRole('button', { name: 'Advance' }).click()
  await page.waitForFunction(
    (t) =>
      Date.parse(document.querySelector('[data-testid=clock]')?.textContent ?? '') > t + 86_000_000,
    before,
  )
  const shown = Date.parse(await page.getByTestId('clock').innerText())
  const api = Date.parse((await sb.admin.getClock()).now)
  assert.ok(shown - before >= 2 * 86_400_000 - 1000, 'moved two days')
  assert.ok(Math.abs(api - shown) < 5_000, 'the API agrees')
})

test('redeliver a callback from the page: one more attempt, as the API records', opts, async () => {
  await page.goto(`${sb.baseUrl}/console#/callbacks`)
  const first = page.locator('article.notification').first()
  await first.waitFor()
  const id = (await first.getAttribute('data-id')) ?? ''
  const before = (await sb.admin.listNotifications()).notifications.find((n) => n.id === id)
  const rowsBefore = await first.locator('table.attempts tbody tr').count()
  assert.equal(rowsBefore, before?.attempts.length)
  await first.getByRole('button', { name: 'Redeliver now' }).click()
  await page.waitForFunction(
    ([sel, n]) =>
      (document.querySelector(sel as string)?.querySelectorAll('table.attempts tbody tr').length ??
        0) > (n as number),
    [`article.notification[data-id="${id}"]`, rowsBefore] as const,
  )
  const after = (await sb.admin.listNotifications()).notifications.find((n) => n.id === id)
  assert.equal(after?.attempts.length, rowsBefore + 1)
  assert.equal(after?.attempts.at(-1)?.kind, 'redeliver')
})

test(
  'inject a fault from the page: the API call fails, then remove it one by one',
  opts,
  async () => {
    await page.goto(`${sb.baseUrl}/console#/clock`)
    await page.getByLabel('Operation').fill('get_user_coupon')
    // What a user has typed survives the page re-rendering under it: advancing the clock by 0
    // reloads the clock and the faults, and the form must still hold the typed operation.
    await page.getByLabel('Advance by').fill('0')
    const [reloaded] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith('/sandbox/faults') && r.request().method() === 'GET',
      ),
      page.getByRole('button', { name: 'Advance' }).click(),
    ])
    await reloaded.finished()
    await page.evaluate(() => new Promise((settled) => setTimeout(settled, 50)))
    assert.equal(await page.getByLabel('Operation').inputValue(), 'get_user_coupon')
    await page.getByRole('button', { name: 'Add fault' }).click()
    await page.locator('table.faults tbody tr').first().waitFor()
    const { faults } = await sb.admin.listFaults()
    assert.equal(faults.length, 1)
    assert.equal(faults[0]?.operation, 'get_user_coupon')
    const { openid, appid, brand_id } = sb.credentials
    const failed = await sb
      .client({ retry: { maxRetries: 0 } })
      .getUserCoupon({
        openid,
        coupon_code: world.couponCode,
        stock_id: world.stockId,
        product_coupon_id: world.productCouponId,
        appid,
        brand_id,
      })
      .then(
        () => 'answered',
        (e: { code?: string }) => e.code,
      )
    assert.equal(failed, 'SYSTEM_ERROR', 'the injected fault answered the call')
    await page.getByLabel('Operation').fill('return')
    await page.getByRole('button', { name: 'Add fault' }).click()
    await page.getByRole('button', { name: 'Remove' }).first().waitFor()
    assert.equal((await sb.admin.listFaults()).faults.length, 1, 'the first was used up')
    await page.getByRole('button', { name: 'Remove' }).first().click()
    await page.getByText('No fault in force.').waitFor()
    assert.equal((await sb.admin.listFaults()).faults.length, 0)
  },
)

test(
  'the journal page shows the failed call with its Request-ID; the API browser lists the paths',
  opts,
  async () => {
    await page.goto(`${sb.baseUrl}/console#/requests`)
    const [failed] = (await sb.admin.listRequests({ status: '5xx' })).data
    assert.ok(failed, 'the fault is in the journal')
    await page.locator('table.journal a', { hasText: failed.request_id.slice(0, 14) }).waitFor()
    await page.goto(`${sb.baseUrl}/console#/api`)
    await page.locator('details.operation').first().waitFor()
    const doc = (await (await fetch(`${sb.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, object>
    }
    const shown = await page.locator('details.operation').count()
    const expected = Object.values(doc.paths).reduce(
      (n, methods) => n + Object.keys(methods).length,
      0,
    )
    assert.equal(shown, expected)
  },
)
