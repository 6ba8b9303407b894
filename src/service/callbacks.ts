import { generateNotificationId } from '@wxcoupon/sdk/protocol'
import type { StoreTx } from '../store/store.ts'
import type { ServiceDeps } from './context.ts'

/**
 * Queues a callback in the outbox inside the write's own transaction, so the event exists
 * exactly when the change it reports does. Due at once on the sandbox clock; the worker
 * (src/notify) delivers it.
 */
export function queueCallback(
  deps: ServiceDeps,
  tx: StoreTx,
  mchid: string,
  eventType: string,
  payload: Record<string, string>,
  now: number,
): Promise<void> {
  return tx.insertNotification({
    id: generateNotificationId(deps.random),
    mchid,
    eventType,
    createTime: now,
    payload: JSON.stringify(payload),
    nextAttemptAt: deps.clock.now(),
  })
}
