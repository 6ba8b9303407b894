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
