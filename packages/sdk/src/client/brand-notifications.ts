import type { PublicKeyInput } from '../protocol/rsa.ts'
import {
  type Notification,
  type NotificationHeaders,
  type ProductCouponSendEvent,
  parseWithKey,
  resolveKeys,
} from './notifications.ts'

/**
 * Brand-direct callbacks (`PRODUCT_COUPON.SEND`, original_type and associated_data
 * `product_coupon`): signed with the brand's WeChat Pay public key, which must be the one the
 * callback's Wechatpay-Serial names, and encrypted under the brand API key. The same checks
 * as parseNotification, in the same order, with those two keys.
 */
export interface BrandNotificationKeys {
  /** The brand's WeChat Pay public key: PEM text, a path to a PEM file, or a KeyObject. */
  publicKey: PublicKeyInput
  /** `PUB_KEY_ID_…`. */
  publicKeyId: string
  /** The brand API key (品牌API密钥), 32 characters. */
  apiKey: string
  nowSeconds?: () => number
  toleranceSeconds?: number
}

export interface ParseBrandNotificationParams extends BrandNotificationKeys {
  headers: NotificationHeaders
  /** The request body exactly as received. */
  body: string | Buffer
}

/** The decrypted PRODUCT_COUPON.SEND: the partner event's fields (brand_id included). */
export type BrandCouponSendEvent = ProductCouponSendEvent

export function parseBrandNotification<T = BrandCouponSendEvent>(
  p: ParseBrandNotificationParams,
): Notification<T> {
  const keys = resolveKeys({
    platformPublicKey: p.publicKey,
    platformPublicKeyId: p.publicKeyId,
    apiv3Key: p.apiKey,
    ...(p.nowSeconds === undefined ? {} : { nowSeconds: p.nowSeconds }),
    ...(p.toleranceSeconds === undefined ? {} : { toleranceSeconds: p.toleranceSeconds }),
  })
  return parseWithKey<T>(p, keys)
}
