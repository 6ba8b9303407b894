import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import { generateRsaKeyPair } from '@wxcoupon/sdk/protocol'
import type { Revision } from '@wxcoupon/sdk/schemas'
import type { PlatformKey, Store, StoreTx } from '../store/store.ts'
import { followRevision } from './follow-revision.ts'
import { newAppId, newBrandId, newOpenId, randomDigits } from './ids.ts'
import {
  CA_META_KEY as CA,
  generateRsaKeyPairAsync,
  newSandboxCa,
  type RsaKeyPair,
  type SandboxCa,
} from './pki/sandbox-ca.ts'
import { addPartner } from './sandbox.ts'

/**
 * First start on an empty database: the platform key, the sandbox CA, the admin token, the
 * page-token key and one ready tenant — a partner, a brand that authorised it, an AppID bound to it and a user.
 * One transaction under a named lock, so several instances starting together on one
 * PostgreSQL database agree on a single set (the loser of the race reads the winner's).
 */
export interface SandboxTenant {
  mchid: string
  serial_no: string
  apiv3_key: string
  brand_id: string
  appid: string
  openid: string
}

export interface Bootstrap {
  platformKey: PlatformKey
  /** Made on the first start of a version that has it (databases made earlier get one then). */
  ca: SandboxCa
  adminToken: string
  pageTokenKey: Buffer
  tenant: SandboxTenant
  /**
   * The bootstrap partner's private key, kept so every instance can hand it out through its
   * data dir (undefined for data dirs made before it was kept: their key file stays as is).
   * No other partner's private key is ever stored.
   */
  partnerPrivateKeyPem?: string
}

const TENANT = 'bootstrap_tenant'
const TENANT_KEY = 'bootstrap_partner_key'

type KeyRole = 'platform' | 'partner' | 'ca'

async function secret(tx: StoreTx, key: string, random: RandomBytes): Promise<string> {
  const existing = await tx.getMeta(key)
  if (existing) return existing
  const value = random(24).toString('base64url')
  await tx.setMeta(key, value)
  return value
}

export async function bootstrap(
  store: Store,
  random: RandomBytes,
  revision: Revision = '2025-08',
): Promise<Bootstrap> {
  // Key generation takes up to a second on a busy machine: a restart (the common case) skips
  // it, and a first start does it before taking the lock (the three keys at once, off the event
  // loop), so racing instances don't queue. What a racing instance already made is kept.
  const [tenantDone, caDone] = await Promise.all([
    store.read.getMeta(TENANT),
    store.read.getMeta(CA),
  ])
  const pairs: Partial<Record<KeyRole, RsaKeyPair>> = {}
  const roles: KeyRole[] = [
    ...(tenantDone === undefined ? (['platform', 'partner'] as const) : []),
    ...(caDone === undefined ? (['ca'] as const) : []),
  ]
  await Promise.all(
    roles.map(async (role) => {
      pairs[role] = await generateRsaKeyPairAsync()
    }),
  )
  const keyPair = (role: KeyRole): RsaKeyPair => {
    pairs[role] ??= generateRsaKeyPair()
    return pairs[role]
  }
  return store.transaction(async (tx) => {
    await tx.lockNamed('wxcoupon-bootstrap')
    let platformKey = await tx.getPlatformKey()
    if (!platformKey) {
      platformKey = {
        keyId: `PUB_KEY_ID_${randomDigits(random, 28)}`,
        privateKeyPem: keyPair('platform').privateKeyPem,
        publicKeyPem: keyPair('platform').publicKeyPem,
      }
      await tx.insertPlatformKey(platformKey)
    }
    const storedCa = await tx.getMeta(CA)
    const ca = storedCa
      ? (JSON.parse(storedCa) as SandboxCa)
      : newSandboxCa(keyPair('ca'), Math.floor(Date.now() / 1000), random)
    if (!storedCa) await tx.setMeta(CA, JSON.stringify(ca))
    const adminToken = await secret(tx, 'admin_token', random)
    const pageTokenKey = Buffer.from(await secret(tx, 'page_token_key', random), 'base64url')
    const stored = await tx.getMeta(TENANT)
    if (stored) {
      await followRevision(tx, (JSON.parse(stored) as SandboxTenant).mchid, revision)
      const key = await tx.getMeta(TENANT_KEY)
      return {
        platformKey,
        ca,
        adminToken,
        pageTokenKey,
        tenant: JSON.parse(stored) as SandboxTenant,
        ...(key ? { partnerPrivateKeyPem: key } : {}),
      }
    }
    const partnerPair = keyPair('partner')
    const { mchid, serialNo, apiv3Key } = await addPartner(
      tx,
      random,
      partnerPair.publicKeyPem,
      revision,
    )
    const brandId = await newBrandId(tx)
    await tx.insertBrand(brandId)
    await tx.authorizeBrand(brandId, mchid)
    const appid = newAppId(random)
    await tx.insertAppId({ appid, mchid })
    const openid = newOpenId(random)
    await tx.insertOpenId(appid, openid)
    const tenant: SandboxTenant = {
      mchid,
      serial_no: serialNo,
      apiv3_key: apiv3Key,
      brand_id: brandId,
      appid,
      openid,
    }
    await tx.setMeta(TENANT, JSON.stringify(tenant))
    await tx.setMeta(TENANT_KEY, partnerPair.privateKeyPem)
    return {
      platformKey,
      ca,
      adminToken,
      pageTokenKey,
      tenant,
      partnerPrivateKeyPem: partnerPair.privateKeyPem,
    }
  })
}
