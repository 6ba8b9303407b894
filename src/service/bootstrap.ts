import type { RandomBytes } from '../protocol/nonce.ts'
import { generateRsaKeyPair } from '../protocol/rsa.ts'
import type { PlatformKey, Store } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'
import { randomDigits } from './ids.ts'
import { createAppId, createBrand, createOpenId, createPartner } from './sandbox.ts'

/**
 * First start of an empty data dir: the platform key and the admin token, then one ready
 * tenant — a partner, a brand that authorised it, an AppID bound to it and a user.
 */
export interface SandboxTenant {
  mchid: string
  serial_no: string
  apiv3_key: string
  brand_id: string
  appid: string
  openid: string
}

const TENANT_KEY = 'bootstrap_tenant'
const ADMIN_TOKEN_KEY = 'admin_token'

export async function ensurePlatformKey(store: Store, random: RandomBytes): Promise<PlatformKey> {
  const existing = await store.read.getPlatformKey()
  if (existing) return existing
  const pair = generateRsaKeyPair()
  const key: PlatformKey = {
    keyId: `PUB_KEY_ID_${randomDigits(random, 28)}`,
    privateKeyPem: pair.privateKeyPem,
    publicKeyPem: pair.publicKeyPem,
  }
  await store.transaction((tx) => tx.insertPlatformKey(key))
  return key
}

/** A random secret created once and kept in the database (admin token, page-token key). */
async function ensureSecret(store: Store, random: RandomBytes, key: string): Promise<string> {
  const existing = await store.read.getMeta(key)
  if (existing) return existing
  const secret = random(24).toString('base64url')
  await store.transaction((tx) => tx.setMeta(key, secret))
  return secret
}

export function ensureAdminToken(store: Store, random: RandomBytes): Promise<string> {
  return ensureSecret(store, random, ADMIN_TOKEN_KEY)
}

export async function ensurePageTokenKey(store: Store, random: RandomBytes): Promise<Buffer> {
  return Buffer.from(await ensureSecret(store, random, 'page_token_key'), 'base64url')
}

/**
 * Returns the bootstrap tenant, creating it on first start. The partner's private key is not
 * stored: `savePrivateKey` writes it out, and only then is the tenant recorded, so a crash in
 * between leaves no tenant whose key was lost.
 */
export async function ensureTenant(
  deps: ServiceDeps,
  savePrivateKey: (pem: string) => Promise<void>,
): Promise<SandboxTenant> {
  const stored = await deps.store.read.getMeta(TENANT_KEY)
  if (stored) return JSON.parse(stored) as SandboxTenant
  const partner = await createPartner(deps)
  const { brand_id } = await createBrand(deps, [partner.mchid])
  const { appid } = await createAppId(deps, { mchid: partner.mchid })
  const { openid } = await createOpenId(deps, appid)
  const tenant: SandboxTenant = {
    mchid: partner.mchid,
    serial_no: partner.serial_no,
    apiv3_key: partner.apiv3_key,
    brand_id,
    appid,
    openid,
  }
  await savePrivateKey(partner.private_key_pem)
  await deps.store.transaction((tx) => tx.setMeta(TENANT_KEY, JSON.stringify(tenant)))
  return tenant
}
