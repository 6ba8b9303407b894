import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import { buildCallbackEnvelope, generateCallbackNonce } from '@wxcoupon/sdk/protocol'
import type { EventMeta } from '../domain/notification.ts'
import { formatRfc3339 } from '../domain/time.ts'

/**
 * One delivery's callback body: the event's envelope with its resource encrypted anew, under a
 * fresh nonce, for every delivery. The id stays the same, so receivers dedupe on it.
 */
export function buildEnvelope(p: {
  id: string
  createTime: number
  meta: EventMeta
  payload: string
  apiv3Key: string
  random: RandomBytes
}): string {
  return buildCallbackEnvelope({
    id: p.id,
    createTime: formatRfc3339(p.createTime),
    eventType: p.meta.eventType,
    summary: p.meta.summary,
    originalType: p.meta.originalType,
    associatedData: p.meta.associatedData,
    plaintext: p.payload,
    apiv3Key: p.apiv3Key,
    nonce: generateCallbackNonce(p.random),
  })
}
