import { wxError } from '../domain/errors.ts'
import { generateApiV3Key } from '../protocol/callback-crypto.ts'
import { generateRsaKeyPair, randomSerialNo } from '../protocol/rsa.ts'
import type { ServiceDeps } from './context.ts'
import { newAppId, newBrandId, newMchid, newOpenId } from './ids.ts'

/**
 * Tenants and review controls of the sandbox (not part of WeChat Pay). Partner private keys
 * are generated here, handed to the caller once, and never stored: the server keeps only the
 * public half it needs to verify signatures.
 */

export interface NewPartner {
  mchid: string
  serial_no: string
  private_key_pem: string
  apiv3_key: string
}

export function createPartner(deps: ServiceDeps): Promise<NewPartner> {
  const keys = generateRsaKeyPair()
  const serialNo = randomSerialNo(deps.random)
  const apiv3Key = generateApiV3Key(deps.random)
  return deps.store.transaction(async (tx) => {
    const mchid = await newMchid(tx)
    await tx.insertPartner({ mchid, apiv3Key })
    await tx.insertPartnerCert({ mchid, serialNo, publicKeyPem: keys.publicKeyPem })
    return { mchid, serial_no: serialNo, private_key_pem: keys.privateKeyPem, apiv3_key: apiv3Key }
  })
}

export function createBrand(
  deps: ServiceDeps,
  partnerMchids: string[],
): Promise<{ brand_id: string }> {
  return deps.store.transaction(async (tx) => {
    for (const [i, mchid] of partnerMchids.entries()) {
      if (!(await tx.getPartner(mchid))) {
        throw wxError('SANDBOX_NOT_FOUND', {
          field: `/partner_mchids/${i}`,
          value: mchid,
          issue: 'no such partner',
        })
      }
    }
    const brandId = await newBrandId(tx)
    await tx.insertBrand(brandId)
    for (const mchid of partnerMchids) await tx.authorizeBrand(brandId, mchid)
    return { brand_id: brandId }
  })
}

export function authorizeBrand(deps: ServiceDeps, brandId: string, mchid: string): Promise<void> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.brandExists(brandId))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: 'brand_id',
        value: brandId,
        issue: 'no such brand',
      })
    }
    if (!(await tx.getPartner(mchid))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: '/mchid',
        value: mchid,
        issue: 'no such partner',
      })
    }
    await tx.authorizeBrand(brandId, mchid)
  })
}

/** An AppID bound to a partner, or (with brand_id) associated with a brand. */
export function createAppId(
  deps: ServiceDeps,
  owner: { mchid?: string; brand_id?: string },
): Promise<{ appid: string }> {
  return deps.store.transaction(async (tx) => {
    if (owner.mchid !== undefined && !(await tx.getPartner(owner.mchid))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: '/mchid',
        value: owner.mchid,
        issue: 'no such partner',
      })
    }
    if (owner.brand_id !== undefined && !(await tx.brandExists(owner.brand_id))) {
      throw wxError('SANDBOX_NOT_FOUND', {
        field: '/brand_id',
        value: owner.brand_id,
        issue: 'no such brand',
      })
    }
    const appid = newAppId(deps.random)
    await tx.insertAppId({
      appid,
      ...(owner.mchid === undefined ? {} : { mchid: owner.mchid }),
      ...(owner.brand_id === undefined ? {} : { brandId: owner.brand_id }),
    })
    return { appid }
  })
}

export function createOpenId(deps: ServiceDeps, appid: string): Promise<{ openid: string }> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.getAppId(appid))) {
      throw wxError('SANDBOX_NOT_FOUND', { field: '/appid', value: appid, issue: 'no such appid' })
    }
    const openid = newOpenId(deps.random)
    await tx.insertOpenId(appid, openid)
    return { openid }
  })
}

/** Review: AUDITING → EFFECTIVE for the product coupon and → SENDING for its AUDITING stocks. */
export function approveProductCoupon(
  deps: ServiceDeps,
  productCouponId: string,
): Promise<{ product_coupon_id: string; state: string }> {
  return deps.store.transaction(async (tx) => {
    const pc = await tx.getProductCoupon(productCouponId)
    if (!pc)
      throw wxError('SANDBOX_NOT_FOUND', { field: 'product_coupon_id', value: productCouponId })
    if (pc.state === 'AUDITING') await tx.updateProductCoupon({ ...pc, state: 'EFFECTIVE' })
    return { product_coupon_id: pc.id, state: pc.state === 'AUDITING' ? 'EFFECTIVE' : pc.state }
  })
}

export function approveStock(
  deps: ServiceDeps,
  stockId: string,
): Promise<{ stock_id: string; state: string }> {
  return deps.store.transaction(async (tx) => {
    const stock = await tx.getStock(stockId)
    if (!stock) throw wxError('SANDBOX_NOT_FOUND', { field: 'stock_id', value: stockId })
    if (stock.state === 'AUDITING') await tx.updateStock({ ...stock, state: 'SENDING' })
    return { stock_id: stock.id, state: stock.state === 'AUDITING' ? 'SENDING' : stock.state }
  })
}
