import { toAttempt, toNotification } from '../rows.ts'
import type { DeliveryAttempt, NotificationRecord, NotificationState } from '../store.ts'
import { Executor } from './executor.ts'
import { nextSequence } from './meta.ts'

/** The transactional outbox: partners' notify URLs, callbacks, their claims and attempts. */
export class OutboxQueries extends Executor {
  async getNotifyConfig(
    mchid: string,
  ): Promise<{ notifyUrl: string; updateTime: number } | undefined> {
    const r = await this.db
      .selectFrom('notify_configs')
      .selectAll()
      .where('mchid', '=', mchid)
      .executeTakeFirst()
    return r && { notifyUrl: r.notify_url, updateTime: Number(r.update_time) }
  }

  async setNotifyConfig(mchid: string, notifyUrl: string, updateTime: number): Promise<void> {
    await this.db
      .insertInto('notify_configs')
      .values({ mchid, notify_url: notifyUrl, update_time: updateTime })
      .onConflict((oc) =>
        oc.column('mchid').doUpdateSet({ notify_url: notifyUrl, update_time: updateTime }),
      )
      .execute()
  }

  async getNotification(id: string): Promise<NotificationRecord | undefined> {
    const r = await this.db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return r && toNotification(r)
  }

  async listNotifications(f: {
    mchid?: string
    state?: NotificationState
    limit: number
  }): Promise<(NotificationRecord & { attemptList: DeliveryAttempt[] })[]> {
    let q = this.db.selectFrom('notifications').selectAll()
    if (f.mchid !== undefined) q = q.where('mchid', '=', f.mchid)
    if (f.state !== undefined) q = q.where('state', '=', f.state)
    const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute()
    if (rows.length === 0) return []
    const attempts = await this.db
      .selectFrom('notification_attempts')
      .selectAll()
      .where(
        'notification_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt_no')
      .execute()
    return rows.map((r) => ({
      ...toNotification(r),
      attemptList: attempts.filter((a) => a.notification_id === r.id).map(toAttempt),
    }))
  }

  async insertNotification(n: Omit<NotificationRecord, 'seq' | 'attempts' | 'state'>) {
    await this.db
      .insertInto('notifications')
      .values({
        id: n.id,
        mchid: n.mchid,
        event_type: n.eventType,
        create_time: n.createTime,
        payload: n.payload,
        state: 'PENDING',
        attempts: 0,
        next_attempt_at: n.nextAttemptAt,
        lease_until: 0,
        seq: await nextSequence(this.db, 'notification'),
      })
      .execute()
  }

  async claimDueNotifications(p: {
    dueBy: number
    realNow: number
    leaseUntil: number
    limit: number
  }): Promise<NotificationRecord[]> {
    let q = this.db
      .selectFrom('notifications')
      .selectAll()
      .where('state', '=', 'PENDING')
      .where('next_attempt_at', '<=', p.dueBy)
      .where('lease_until', '<=', p.realNow)
      // Nothing is attempted for a partner without a notify URL; setting one releases them.
      .where('mchid', 'in', (eb) => eb.selectFrom('notify_configs').select('mchid'))
      .orderBy('next_attempt_at')
      .limit(p.limit)
    // Another worker's claim in flight is passed over, not waited for.
    if (this.dialect.rowLocks) q = q.forUpdate().skipLocked()
    const rows = await q.execute()
    for (const r of rows) {
      await this.db
        .updateTable('notifications')
        .set({ lease_until: p.leaseUntil })
        .where('id', '=', r.id)
        .execute()
    }
    return rows.map(toNotification)
  }

  async recordAttempt(
    a: Omit<DeliveryAttempt, 'attemptNo'>,
    next: { state: NotificationState; nextAttemptAt: number; countsTowardSchedule: boolean },
  ): Promise<number> {
    const { n } = await this.db
      .selectFrom('notification_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('notification_id', '=', a.notificationId)
      .executeTakeFirstOrThrow()
    const attemptNo = Number(n) + 1
    await this.db
      .insertInto('notification_attempts')
      .values({
        notification_id: a.notificationId,
        attempt_no: attemptNo,
        at: a.at,
        status: a.status ?? null,
        latency_ms: a.latencyMs,
        error: a.error ?? null,
        kind: a.kind,
      })
      .execute()
    await this.db
      .updateTable('notifications')
      .set((eb) => ({
        state: next.state,
        next_attempt_at: next.nextAttemptAt,
        lease_until: 0,
        attempts: next.countsTowardSchedule ? eb('attempts', '+', 1) : eb.ref('attempts'),
      }))
      .where('id', '=', a.notificationId)
      .execute()
    return attemptNo
  }
}
