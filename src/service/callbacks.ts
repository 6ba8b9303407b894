import { generateNotificationId } from '@wxcoupon/sdk/protocol'
import { brandEventType } from '../domain/notification.ts'
import type { StoreTx } from '../store/store.ts'
import { brandDirectIndex } from './brand-direct.ts'
import type { ServiceDeps } from './context.ts'

/**
 * Queues a callback in the outbox inside the write's own transaction, so the event exists
 * exactly when the change it reports does. Due at once on the sandbox clock; the worker
 * (src/notify) delivers it.
 */
export async function queueCallback(
  deps: ServiceDeps,
  tx: StoreTx,
  mchid: string,
  eventType: string,
  payload: Record<string, string>,
  now: number,
): Promise<void> {
  const brand = await brandDirectIndex(deps.store).ofMchid(tx, mchid)
  return tx.insertNotification({
    id: generateNotificationId(deps.random),
    mchid,
    // A coupon a brand created in its own name reports to the brand, under the brand's names.
    eventType: brand ? brandEventType(eventType) : eventType,
    createTime: now,
    payload: JSON.stringify(payload),
    nextAttemptAt: deps.clock.now(),
  })
}
