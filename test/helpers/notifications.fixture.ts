import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type {
  NotificationKeys,
  ProductCouponSendEvent,
} from '../../packages/sdk/src/client/notifications.ts'
import {
  generateApiV3Key,
  generateNonce,
  signResponse,
} from '../../packages/sdk/src/protocol/index.ts'
import { generateNotificationId } from '../../packages/sdk/src/protocol/nonce.ts'
import { EVENTS, SEND_EVENT } from '../../src/domain/notification.ts'
import { buildEnvelope } from '../../src/notify/envelope.ts'

/** Callbacks built the way the server's outbox worker builds them, for the SDK's unit tests. */

export const KEY_ID = 'PUB_KEY_ID_0114232020100000000000000000000001'
export const APIV3_KEY = generateApiV3Key()
export const NOW = 1_760_000_000
export const platform = generateKeyPairSync('rsa', { modulusLength: 2048 })

export const KEYS: NotificationKeys = {
  platformPublicKey: platform.publicKey,
  platformPublicKeyId: KEY_ID,
  apiv3Key: APIV3_KEY,
  nowSeconds: () => NOW,
}

export const SEND: ProductCouponSendEvent = {
  brand_id: '120344',
  coupon_code: '887755443322',
  product_coupon_id: '1002323',
  stock_id: '100232301',
  appid: 'wx233544546545989',
  openid: 'oh-394z-6CGkNoJrsDLTTUKiAnp4',
  valid_begin_time: '2025-08-04T10:00:00+08:00',
  valid_end_time: '2025-08-13T23:59:59+08:00',
  receive_time: '2025-08-04T10:00:00+08:00',
  send_request_no: 'MCHSEND202508040001',
  send_channel: 'API',
  attach: 'order-42',
}

export interface Callback {
  id: string
  headers: Record<string, string>
  body: string
}

/** A signed, encrypted SEND callback; each option bends one thing a receiver must check. */
export function callback(
  o: {
    id?: string
    payload?: string
    apiv3Key?: string
    timestamp?: number
    /** Replaces the envelope (still signed). */
    body?: string
  } = {},
): Callback {
  const id = o.id ?? generateNotificationId(randomBytes)
  const meta = EVENTS[SEND_EVENT]
  if (!meta) throw new Error('SEND event missing')
  const body =
    o.body ??
    buildEnvelope({
      id,
      createTime: NOW - 5,
      meta,
      payload: o.payload ?? JSON.stringify(SEND),
      apiv3Key: o.apiv3Key ?? APIV3_KEY,
      random: randomBytes,
    })
  const headers = {
    'Content-Type': 'application/json',
    ...signResponse({
      body,
      privateKey: platform.privateKey,
      keyId: KEY_ID,
      timestamp: o.timestamp ?? NOW,
      nonce: generateNonce(32),
    }),
  }
  return { id, headers, body }
}
