import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import {
  AuthenticationError,
  ConnectionError,
  ParamError,
  readSandboxFile,
  SandboxAdminClient,
} from '../packages/sdk/src/index.ts'
import { CONTROL_NAMES, SANDBOX_CONTROLS } from '../packages/sdk/src/schemas/sandbox.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/** The SDK's admin client of the sandbox controls, and its sandbox.json reader. */

let s: TestServer
let admin: SandboxAdminClient
const dirs: string[] = []
before(async () => {
  s = await startTestServer()
  admin = SandboxAdminClient.fromSandboxFile(await readSandboxFile(s.dataDir))
})
after(async () => {
  await s.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

test('one method per control of the table', () => {
  const proto = SandboxAdminClient.prototype as unknown as Record<string, unknown>
  for (const name of CONTROL_NAMES) {
    assert.equal(typeof proto[SANDBOX_CONTROLS[name].client], 'function', name)
  }
})

test('controls answer typed results: tenants, clock, faults, notifications', async () => {
  const partner = await admin.createPartner()
  assert.match(partner.private_key_pem, /BEGIN PRIVATE KEY/)
  const { brand_id } = await admin.createBrand({ partner_mchids: [partner.mchid] })
  assert.ok((await admin.listBrands()).some((b) => b.brand_id === brand_id))
  const { appid } = await admin.createAppId({ mchid: partner.mchid })
  const { openid } = await admin.createOpenId({ appid })
  assert.ok(openid.length > 0)
  const before = Date.parse((await admin.getClock()).now)
  const moved = Date.parse((await admin.setClock({ advance_seconds: 3600 })).now)
  assert.ok(moved - before >= 3600_000, `${before} → ${moved}`)
  const fault = await admin.addFault({ operation: 'return', mode: 'SYSTEM_ERROR', count: 1 })
  assert.equal((await admin.listFaults()).faults[0]?.fault_id, fault.fault_id)
  assert.deepEqual(await admin.clearFaults(), { faults: [] })
  const { notifications } = await admin.listNotifications({ limit: '5' })
  assert.ok(Array.isArray(notifications))
})

test('failures are the SDK error classes with the server answer kept', async () => {
  const bad = await admin
    .addFault({ operation: 'retrun', mode: 'SYSTEM_ERROR', count: 1 })
    .catch((e: unknown) => e)
  assert.ok(bad instanceof ParamError, String(bad))
  assert.equal((bad.detail as { field?: string }).field, '/operation')
  const wrong = new SandboxAdminClient({ baseUrl: s.baseUrl, adminToken: 'not-the-token' })
  assert.ok((await wrong.getClock().catch((e: unknown) => e)) instanceof AuthenticationError)
  const nowhere = new SandboxAdminClient({ baseUrl: 'http://127.0.0.1:9', adminToken: 'x' })
  assert.ok((await nowhere.getClock().catch((e: unknown) => e)) instanceof ConnectionError)
  assert.ok(!JSON.stringify(admin).includes((await readSandboxFile(s.dataDir)).admin_token))
})

test('readSandboxFile takes the data dir or the file, and names what is wrong', async () => {
  const sb = await readSandboxFile(join(s.dataDir, 'sandbox.json'))
  assert.equal(sb.base_url, s.baseUrl)
  const d = mkdtempSync(join(tmpdir(), 'wxcoupon-sbfile-'))
  dirs.push(d)
  await assert.rejects(readSandboxFile(d), /no sandbox\.json in .*wxcoupon serve --data-dir/)
  writeFileSync(join(d, 'sandbox.json'), '{"base_url":')
  await assert.rejects(readSandboxFile(d), /is not JSON/)
  writeFileSync(join(d, 'sandbox.json'), JSON.stringify({ ...sb, partner: { mchid: '1' } }))
  await assert.rejects(readSandboxFile(d), /not a wxcoupon sandbox\.json \(\/partner: /)
  // Members a newer server adds are fine.
  writeFileSync(join(d, 'sandbox.json'), JSON.stringify({ ...sb, ca_file: '/x/ca.pem' }))
  assert.equal((await readSandboxFile(d)).base_url, sb.base_url)
})
