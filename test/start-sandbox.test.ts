import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { type SandboxFile, startSandbox } from 'wxcoupon'
import { ROOT } from './helpers/built-cli.ts'

/**
 * `startSandbox()` from the package's entry point: a sandbox per test on a free port and a
 * temporary data dir, typed credentials, an admin client of every control, gone on close.
 */

test('startSandbox serves on a free port; the SDK and the admin client work against it', async () => {
  const sb = await startSandbox()
  try {
    const credentials: SandboxFile = sb.credentials
    assert.equal(credentials.base_url, sb.baseUrl)
    assert.match(sb.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    const onDisk = JSON.parse(readFileSync(join(sb.dataDir, 'sandbox.json'), 'utf8'))
    assert.deepEqual(onDisk, credentials)
    const partners = await sb.admin.listPartners()
    assert.deepEqual(
      partners.map((p) => p.mchid),
      [credentials.partner.mchid],
    )
    const wx = sb.client()
    const config = await wx
      .getNotifyConfig()
      .then(() => 'set')
      .catch((e: { code?: string }) => e.code)
    assert.equal(config, 'NOT_FOUND', 'no notify URL yet: a real, signed, verified round trip')
    const journal = await sb.admin.listRequests()
    assert.equal(journal.data[0]?.operation, 'get_notify_config')
  } finally {
    await sb.close()
  }
  assert.equal(existsSync(sb.dataDir), false, 'the temporary data dir is removed')
})

test('two sandboxes side by side are independent; a given data dir is kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-own-'))
  const [a, b] = await Promise.all([startSandbox(), startSandbox({ dataDir: dir })])
  try {
    assert.notEqual(a.baseUrl, b.baseUrl)
    assert.notEqual(a.credentials.admin_token, b.credentials.admin_token)
    await a.admin.setClock({ advance_seconds: 86_400 })
    const [ca, cb] = await Promise.all([a.admin.getClock(), b.admin.getClock()])
    assert.ok(Date.parse(ca.now) - Date.parse(cb.now) > 86_000_000, 'clocks are apart')
  } finally {
    await Promise.all([a.close(), b.close()])
  }
  assert.equal(existsSync(join(dir, 'sandbox.json')), true)
  rmSync(dir, { recursive: true, force: true })
})

test('startSandbox refuses unknown settings and names the allowed keys', async () => {
  await assert.rejects(
    startSandbox({ settings: { approvel: 'manual' } as never }),
    /startSandbox settings: \/approvel is not a setting; allowed keys: .*approval/,
  )
})

test('the same startSandbox works under Vitest', { timeout: 180_000 }, () => {
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
  const r = spawnSync(
    process.execPath,
    [vitest, 'run', '--config', 'test/vitest/vitest.config.ts', '--reporter', 'verbose'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  )
  assert.equal(r.status, 0, `vitest failed:\n${r.stdout}\n${r.stderr}`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes
  const out = r.stdout.replace(/\x1b\[[0-9;]*m/g, '')
  assert.match(out, /start-sandbox\.vitest\.ts/)
  assert.match(out, /Tests +2 passed/)
})
