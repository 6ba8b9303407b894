import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { DEFAULT_BEHAVIOUR } from '../domain/settings.ts'
import { loadSettings } from './settings-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-settings-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, content: string) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

test('no file: the documented defaults', async () => {
  assert.deepEqual(await loadSettings(undefined), DEFAULT_BEHAVIOUR)
})

test('a file overrides only what it names', async () => {
  const s = await loadSettings(
    file('ok.json', '{"sequentialReturnPolicy":"any-used","approval":"manual"}'),
  )
  assert.equal(s.sequentialReturnPolicy, 'any-used')
  assert.equal(s.approval, 'manual')
  assert.equal(s.keepUseInfoAfterReturn, DEFAULT_BEHAVIOUR.keepUseInfoAfterReturn)
})

test('unknown keys, wrong values and broken JSON are refused with the reason', async () => {
  await assert.rejects(
    loadSettings(file('typo.json', '{"aproval":"manual"}')),
    /settings file .*aproval|must not have additional/,
  )
  await assert.rejects(loadSettings(file('bad.json', '{"approval":"later"}')), /\/approval/)
  await assert.rejects(loadSettings(file('broken.json', '{')), /cannot read settings file/)
  await assert.rejects(loadSettings(join(dir, 'missing.json')), /cannot read settings file/)
})

test('rateLimits takes any subset of its keys; the defaults fill the rest', async () => {
  const off = await loadSettings(file('off.json', '{"rateLimits":{"enabled":false}}'))
  assert.deepEqual(off.rateLimits, { ...DEFAULT_BEHAVIOUR.rateLimits, enabled: false })
  const one = await loadSettings(
    file('one.json', '{"rateLimits":{"overrides":{"get_stock":{"limit":3,"perSeconds":60}}}}'),
  )
  assert.equal(one.rateLimits.enabled, DEFAULT_BEHAVIOUR.rateLimits.enabled)
  assert.equal(one.rateLimits.per, DEFAULT_BEHAVIOUR.rateLimits.per)
  assert.deepEqual(one.rateLimits.overrides, { get_stock: { limit: 3, perSeconds: 60 } })
})

test('a rate-limit override of an operation the table does not have is refused with the valid names', async () => {
  const typo = '{"rateLimits":{"overrides":{"get_stocks":{"limit":3,"perSeconds":60}}}}'
  await assert.rejects(
    loadSettings(file('op.json', typo)),
    /\/rateLimits\/overrides\/get_stocks is not an operation; operations: .*\bget_stock\b/,
  )
})

test('a key given twice is refused, not the last one winning', async () => {
  await assert.rejects(
    loadSettings(file('dup.json', '{"approval":"manual","approval":"on_create"}')),
    /a key given twice at \/approval/,
  )
  await assert.rejects(
    loadSettings(file('dup2.json', '{"rateLimits":{"enabled":false,"enabled":true}}')),
    /a key given twice at \/rateLimits\/enabled/,
  )
  // Negative control: the same text through JSON.parse, as before, keeps the last value.
  assert.equal(JSON.parse('{"approval":"manual","approval":"on_create"}').approval, 'on_create')
})
