import assert from 'node:assert/strict'
import type { ContractTest } from './suite.fixture.ts'

/** Key modes and platform certificates: written, read back, versioned on every change. */
export function trustContract(it: ContractTest): void {
  it('a partner without settings has none; saving bumps the version', async (store) => {
    assert.equal(await store.read.getPartnerTrust('t-1'), undefined)
    const base = {
      mchid: 't-1',
      keyMode: 'certificate',
      strictSerial: true,
      callbackPublicKeyShare: 2500,
    } as const
    const v1 = await store.transaction((tx) => tx.savePartnerTrust(base))
    const v2 = await store.transaction((tx) =>
      tx.savePartnerTrust({ ...base, keyMode: 'transition' }),
    )
    assert.deepEqual([v1, v2], [1, 2])
    assert.deepEqual(await store.read.getPartnerTrust('t-1'), {
      ...base,
      keyMode: 'transition',
      version: 2,
    })
  })

  it('platform certificates read back oldest first; expiry and revocation are written', async (store) => {
    const cert = (serialNo: string, effectiveTime: number) => ({
      serialNo,
      mchid: 't-1',
      certificatePem: `CERT ${serialNo}`,
      privateKeyPem: `KEY ${serialNo}`,
      effectiveTime,
      expireTime: 2_000_000_000,
      signingFrom: effectiveTime + 86_400,
    })
    await store.transaction(async (tx) => {
      await tx.insertPlatformCertificate(cert('S2', 1_800_000_001))
      await tx.insertPlatformCertificate(cert('S1', 1_800_000_000))
      await tx.insertPlatformCertificate({ ...cert('S3', 1_700_000_000), mchid: 't-2' })
    })
    assert.deepEqual(await store.read.listPlatformCertificates('t-1'), [
      cert('S1', 1_800_000_000),
      cert('S2', 1_800_000_001),
    ])
    await store.transaction((tx) =>
      tx.updatePlatformCertificate('S1', { expireTime: 5, revokedAt: 6 }),
    )
    const [s1] = await store.read.listPlatformCertificates('t-1')
    assert.deepEqual(s1, { ...cert('S1', 1_800_000_000), expireTime: 5, revokedAt: 6 })
    await assert.rejects(store.transaction((tx) => tx.insertPlatformCertificate(cert('S1', 1))))
  })
}
