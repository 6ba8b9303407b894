import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import { generateApiV3Key, randomSerialNo } from '@wxcoupon/sdk/protocol'
import type { Revision, UserProductCouponEntity } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { presentProductCoupon, presentStock, presentUserCoupon } from '../domain/present.ts'
import {
  approveProductCoupon as approveProductCouponRule,
  rejectedStocks,
  rejectProductCoupon as rejectProductCouponRule,
  reviewRejection,
  reviewStock,
  type StockMove,
} from '../domain/review.ts'
import { deleteCoupon } from '../domain/user-coupon.ts'
import type { StoreTx } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'
import { newAppId, newBrandId, newMchid, newOpenId, randomDigits } from './ids.ts'
import { generateRsaKeyPairAsync } from './pki/sandbox-ca.ts'
import {
  certificateKeysFor,
  initPartnerKeys,
  type KeySettingsInput,
  type PartnerKeysView,
} from './platform-certificates.ts'
import { issue } from './send-coupon.ts'

/**
 * Tenants and review controls of the sandbox (not part of WeChat Pay). Partner private keys
 * are generated here, handed to the caller once, and never stored: the server keeps only the
 * public half it needs to verify signatures.
 */

export interface NewPartner extends PartnerKeysView {
  mchid: string
  revision: Revision
  serial_no: string
  private_key_pem: string
  apiv3_key: string
}

/** A partner with one certificate (the public half of `publicKeyPem`'s pair) and an APIv3 key. */
export async function addPartner(
  tx: StoreTx,
  random: RandomBytes,
  publicKeyPem: string,
  revision: Revision = '2025-08',
): Promise<{ mchid: string; serialNo: string; apiv3Key: string }> {
  const mchid = await newMchid(tx)
  const serialNo = randomSerialNo(random)
  const apiv3Key = generateApiV3Key(random)
  await tx.insertPartner({ mchid, apiv3Key, revision })
  await tx.insertPartnerCert({ mchid, serialNo, publicKeyPem })
  return { mchid, serialNo, apiv3Key }
}

/** A partner in the key mode asked for (default public_key); keys are made off the event loop. */
export async function createPartner(
  deps: ServiceDeps,
  settings: KeySettingsInput & { revision?: Revision } = {},
): Promise<NewPartner> {
  const revision = settings.revision ?? deps.settings.revision
  const [keys, certificateKeys] = await Promise.all([
    generateRsaKeyPairAsync(),
    certificateKeysFor(settings.key_mode),
  ])
  return deps.store.transaction(async (tx) => {
    const p = await addPartner(tx, deps.random, keys.publicKeyPem, revision)
    const { revision: _r, ...keySettings } = settings
    const view = await initPartnerKeys(deps, tx, p.mchid, keySettings, certificateKeys)
    return {
      mchid: p.mchid,
      revision,
      serial_no: p.serialNo,
      private_key_pem: keys.privateKeyPem,
      apiv3_key: p.apiv3Key,
      ...view,
    }
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
    // A brand that integrates directly can use the AppIDs associated with it in its own calls.
    const direct =
      owner.brand_id === undefined ? undefined : await tx.getBrandDirect(owner.brand_id)
    const mchid = owner.mchid ?? direct?.mchid
    await tx.insertAppId({
      appid,
      ...(mchid === undefined ? {} : { mchid }),
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

/** Review: AUDITING → EFFECTIVE (approving an EFFECTIVE one again changes nothing). */
export function approveProductCoupon(deps: ServiceDeps, productCouponId: string) {
  return deps.store.transaction(async (tx) => {
    const pc = await tx.getProductCoupon(productCouponId)
    if (!pc)
      throw wxError('SANDBOX_NOT_FOUND', { field: 'product_coupon_id', value: productCouponId })
    const approved = approveProductCouponRule(pc)
    if (approved !== pc) await tx.updateProductCoupon(approved)
    return presentProductCoupon(approved)
  })
}

/** Review rejection: AUDITING product coupon → DEACTIVATED, with its AUDITING stocks. */
export function rejectProductCoupon(deps: ServiceDeps, productCouponId: string, reason: string) {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const pc = await tx.getProductCoupon(productCouponId)
    if (!pc)
      throw wxError('SANDBOX_NOT_FOUND', { field: 'product_coupon_id', value: productCouponId })
    const d = reviewRejection(now, reason)
    const rejected = rejectProductCouponRule(pc, d)
    await tx.updateProductCoupon(rejected)
    for (const stock of rejectedStocks(await tx.listStocks(pc.id), d)) await tx.updateStock(stock)
    return presentProductCoupon(rejected)
  })
}

/** Review and pause controls of one stock (AUDITING → SENDING / DEACTIVATED, SENDING ⇄ PAUSED). */
export function moveStock(
  deps: ServiceDeps,
  stockId: string,
  move: StockMove,
  reason = '审核未通过',
) {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const stock = await tx.getStock(stockId)
    if (!stock) throw wxError('SANDBOX_NOT_FOUND', { field: 'stock_id', value: stockId })
    const next = reviewStock(stock, move, now, reason)
    await tx.updateStock(next)
    return presentStock(next, now)
  })
}

async function ownedCoupon(tx: StoreTx, stockId: string, couponCode: string, openid: string) {
  const coupon = await tx.lockUserCoupon(stockId, couponCode)
  if (!coupon || coupon.openid !== openid) throw wxError('NOT_FOUND_USER_COUPON')
  const [pc, stock] = await Promise.all([
    tx.getProductCoupon(coupon.productCouponId),
    tx.getStock(stockId),
  ])
  if (!pc || !stock) throw new Error(`coupon ${couponCode} without its product coupon or stock`)
  return { coupon, pc, stock }
}

/** The user deletes the coupon from the WeChat wallet (→ DELETED; no callback). */
export function userDeletesCoupon(
  deps: ServiceDeps,
  p: { openid: string; couponCode: string; stockId: string },
): Promise<UserProductCouponEntity> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const { coupon, pc, stock } = await ownedCoupon(tx, p.stockId, p.couponCode, p.openid)
    const deleted = deleteCoupon(coupon, now)
    await tx.updateUserCoupon(deleted)
    return presentUserCoupon(deleted, { productCoupon: pc, stock, now, settings: deps.settings })
  })
}

/**
 * Issuance through another channel (摇一摇 BRAND_MANAGE, 名片 MERCHANT_CARD, 会员 MEMBER): the
 * same stock rules as the send API, a channel-made send_request_no, CONFIRMING like any send.
 */
export async function issueViaChannel(
  deps: ServiceDeps,
  p: {
    product_coupon_id: string
    stock_id: string
    appid: string
    openid: string
    send_channel: 'BRAND_MANAGE' | 'MERCHANT_CARD' | 'MEMBER'
    channel_custom_info?: string
  },
): Promise<UserProductCouponEntity> {
  const entity = await deps.store.transaction(async (tx) => {
    const now = deps.clock.seconds()
    const pc = await tx.getProductCoupon(p.product_coupon_id)
    const stock = await tx.lockStock(p.stock_id)
    if (!pc)
      throw wxError('SANDBOX_NOT_FOUND', {
        field: '/product_coupon_id',
        value: p.product_coupon_id,
      })
    if (!stock || stock.productCouponId !== pc.id) {
      throw wxError('SANDBOX_NOT_FOUND', { field: '/stock_id', value: p.stock_id })
    }
    if (!(await tx.hasOpenId(p.appid, p.openid))) throw wxError('OPENID_INVALID')
    const r = await issue(
      deps,
      tx,
      pc,
      stock,
      {
        openid: p.openid,
        appid: p.appid,
        sendRequestNo: `${p.send_channel}_${now}_${randomDigits(deps.random, 8)}`,
        sendChannel: p.send_channel,
        ...(p.channel_custom_info === undefined
          ? {}
          : { channelCustomInfo: p.channel_custom_info }),
      },
      now,
    )
    return presentUserCoupon(r.coupon, {
      productCoupon: pc,
      stock: r.stock,
      now,
      settings: deps.settings,
    })
  })
  deps.outbox?.wake()
  return entity
}

export async function listTenants(deps: ServiceDeps) {
  const db = deps.store.read
  const [partners, brands, appids] = await Promise.all([
    db.listPartners(),
    db.listBrands(),
    db.listAppIds(),
  ])
  // A brand's own integration is served by a partner row of its own, which is no partner.
  const direct = new Set<string>()
  for (const p of partners) if (await db.getBrandDirectByMchid(p.mchid)) direct.add(p.mchid)
  return {
    partners: partners
      .filter((p) => !direct.has(p.mchid))
      .map((p) => ({ mchid: p.mchid, serial_nos: p.serialNos })),
    brands: brands.map((b) => ({
      brand_id: b.brandId,
      partner_mchids: b.mchids.filter((m) => !direct.has(m)),
    })),
    appids: appids.map((a) => ({
      appid: a.appid,
      ...(a.mchid === undefined ? {} : { mchid: a.mchid }),
      ...(a.brandId === undefined ? {} : { brand_id: a.brandId }),
    })),
  }
}

export function revokeBrand(deps: ServiceDeps, brandId: string, mchid: string): Promise<void> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.isBrandAuthorized(brandId, mchid))) {
      throw wxError('SANDBOX_NOT_FOUND', { issue: 'the brand has not authorised that partner' })
    }
    await tx.revokeBrand(brandId, mchid)
  })
}

export function unbindAppId(deps: ServiceDeps, appid: string): Promise<void> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.getAppId(appid)))
      throw wxError('SANDBOX_NOT_FOUND', { field: 'appid', value: appid })
    await tx.deleteAppId(appid)
  })
}

/** A clean test run: every coupon, stock, product coupon, code and request number goes. */
export function resetCoupons(deps: ServiceDeps): Promise<void> {
  return deps.store.transaction((tx) => tx.deleteCouponData())
}
