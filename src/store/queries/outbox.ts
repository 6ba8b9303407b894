import { toAttempt, toNotification } from '../rows.ts'
import type { Database } from '../schema.ts'
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
    perPartner?: number
  }): Promise<NotificationRecord[]> {
    const rows =
      p.perPartner === undefined ? await claimable(this, p).execute() : await fairly(this, p)
    if (rows.length > 0) {
      await this.db
        .updateTable('notifications')
        .set({ lease_until: p.leaseUntil })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
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

/** Claimable rows, earliest first; another worker's claim in flight is passed over. */
function claimable(
  x: Executor,
  p: { dueBy: number; realNow: number; limit: number },
  mchid?: string,
) {
  let q = x.db
    .selectFrom('notifications')
    .selectAll()
    .where('state', '=', 'PENDING')
    .where('next_attempt_at', '<=', p.dueBy)
    .where('lease_until', '<=', p.realNow)
  q =
    mchid === undefined
      ? // Nothing is attempted for a partner without a notify URL; setting one releases them.
        q.where('mchid', 'in', (eb) => eb.selectFrom('notify_configs').select('mchid'))
      : q.where('mchid', '=', mchid)
  q = q.orderBy('next_attempt_at').orderBy('seq').limit(p.limit)
  // Another worker's claim in flight is passed over, not waited for.
  return x.dialect.rowLocks ? q.forUpdate().skipLocked() : q
}

/**
 * Per partner with a notify URL: how many of its callbacks are in flight (leased, by any
 * process), and its earliest claimable ones, up to its room under the cap, locked, in one
 * query per partner (so a backlog of one never has to be read past to reach another's). Then
 * the claim's places are dealt one at a time round-robin, the partner waiting longest first.
 * Every read is bounded by the rows in flight or the cap, never by the backlog.
 */
async function fairly(
  x: Executor,
  p: {
    dueBy: number
    realNow: number
    limit: number
    perPartner?: number
  },
): Promise<Database['notifications'][]> {
  const cap = p.perPartner ?? p.limit
  const leased = await x.db
    .selectFrom('notifications')
    .select((eb) => ['mchid', eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'PENDING')
    .where('lease_until', '>', p.realNow)
    .groupBy('mchid')
    .execute()
  const inFlight = new Map(leased.map((r) => [r.mchid, Number(r.n)]))
  const partners = await x.db
    .selectFrom('notify_configs')
    .select('mchid')
    .orderBy('mchid')
    .execute()
  const open: { rows: Database['notifications'][]; oldest: number; take: number }[] = []
  for (const { mchid } of partners) {
    const room = Math.min(cap - (inFlight.get(mchid) ?? 0), p.limit)
    if (room <= 0) continue
    const rows = await claimable(x, { ...p, limit: room }, mchid).execute()
    const first = rows[0]
    if (first) open.push({ rows, oldest: Number(first.next_attempt_at), take: 0 })
  }
  // Stable: partners equally old keep their mchid order.
  open.sort((a, b) => a.oldest - b.oldest)
  let left = p.limit
  for (let dealt = true; left > 0 && dealt; ) {
    dealt = false
    for (const r of open) {
      if (left === 0) break
      if (r.take < r.rows.length) {
        r.take++
        left--
        dealt = true
      }
    }
  }
  return open.flatMap((r) => r.rows.slice(0, r.take))
}
