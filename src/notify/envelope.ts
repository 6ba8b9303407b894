import type { EventMeta } from '../domain/notification.ts'
import { formatRfc3339 } from '../domain/time.ts'
import { encryptCallbackResource, generateCallbackNonce } from '../protocol/callback-crypto.ts'
import type { RandomBytes } from '../protocol/nonce.ts'

/**
 * The callback body of protocol §10.3: the envelope with the resource encrypted under the
 * partner's APIv3 key. Encrypted anew for every delivery, with a fresh nonce: the id stays the
 * same, so receivers dedupe on it.
 */
export function buildEnvelope(p: {
  id: string
  createTime: number
  meta: EventMeta
  payload: string
  apiv3Key: string
  random: RandomBytes
}): string {
  const nonce = generateCallbackNonce(p.random)
  return JSON.stringify({
    id: p.id,
    create_time: formatRfc3339(p.createTime),
    resource_type: 'encrypt-resource',
    event_type: p.meta.eventType,
    summary: p.meta.summary,
    resource: {
      original_type: p.meta.originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptCallbackResource({
        plaintext: p.payload,
        apiv3Key: p.apiv3Key,
        associatedData: p.meta.associatedData,
        nonce,
      }),
      associated_data: p.meta.associatedData,
      nonce,
    },
  })
}
