import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import type { StoreTx } from '../store/store.ts'

/**
 * Identifier formats (inferred from the official examples): numeric product coupon ids, stock
 * ids = product coupon id + 3-digit sequence, 12-digit coupon codes, `wx` + 16 hex appids,
 * 28-char openids starting with `o`.
 */
export async function newProductCouponId(tx: StoreTx): Promise<string> {
  return String(1_000_000_000 + (await tx.nextSequence('product_coupon')))
}

export async function newStockId(tx: StoreTx, productCouponId: string): Promise<string> {
  const n = await tx.nextSequence(`stock:${productCouponId}`)
  return `${productCouponId}${String(n).padStart(3, '0')}`
}

/** Uniform decimal digits (bytes ≥ 250 are redrawn), never starting with 0. */
export function randomDigits(random: RandomBytes, length: number): string {
  let out = ''
  while (out.length < length) {
    for (const b of random(length)) {
      if (b < 250 && out.length < length) out += String(b % 10)
    }
  }
  return out.startsWith('0') ? `1${out.slice(1)}` : out
}

export function newCouponCode(random: RandomBytes): string {
  return randomDigits(random, 12)
}

export async function newMchid(tx: StoreTx): Promise<string> {
  return String(1_900_000_000 + (await tx.nextSequence('mchid')))
}

export async function newBrandId(tx: StoreTx): Promise<string> {
  return String(120_000 + (await tx.nextSequence('brand')))
}

export function newAppId(random: RandomBytes): string {
  return `wx${random(8).toString('hex')}`
}

const OPENID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export function newOpenId(random: RandomBytes): string {
  const bytes = random(27)
  let out = 'o'
  for (const b of bytes) out += OPENID_ALPHABET[b % 64]
  return out
}
