import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import { wxError } from '../domain/errors.ts'
import { formatRfc3339 } from '../domain/time.ts'
import { FAULTY_KINDS, type OutboxWorker } from '../notify/worker.ts'
import type { ServiceDeps } from '../service/context.ts'
import type { DeliveryAttempt, NotificationRecord } from '../store/store.ts'

/**
 * Callback controls (issue 4 §5): see every notification with its plaintext and attempts,
 * redeliver one now, or send deliberately faulty deliveries to test a receiver's defences.
 * Registered inside the sandbox plugin, so the admin token guards them too.
 */
export const notificationControls: FastifyPluginAsync<{
  deps: ServiceDeps
  outbox?: OutboxWorker
}> = async (fastify, { deps, outbox }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const Id = Type.Object({
    id: Type.String({ minLength: 36, maxLength: 36, pattern: '^[0-9a-f-]+$' }),
  })

  const worker = (): OutboxWorker => {
    if (!outbox) throw wxError('SANDBOX_NOT_FOUND', { issue: 'callbacks are not running' })
    return outbox
  }

  app.get(
    '/notifications',
    {
      schema: {
        querystring: Type.Object({
          mchid: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9]+$' })),
          state: Type.Optional(Type.Enum(['PENDING', 'DELIVERED', 'FAILED'])),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
        }),
      },
    },
    async (request) => {
      const q = request.query
      const list = await deps.store.read.listNotifications({
        ...(q.mchid === undefined ? {} : { mchid: q.mchid }),
        ...(q.state === undefined ? {} : { state: q.state }),
        limit: Math.min(200, Math.max(1, Number(q.limit ?? 50))),
      })
      return { notifications: list.map((n) => view(n, n.attemptList)) }
    },
  )

  app.post('/notifications/:id/redeliver', { schema: { params: Id } }, async (request) => {
    const outcome = await worker().redeliver(request.params.id)
    if (!outcome) throw wxError('SANDBOX_NOT_FOUND', { field: 'id', value: request.params.id })
    return outcome
  })

  app.post(
    '/notifications/:id/faulty',
    { schema: { params: Id, body: Type.Object({ kind: Type.Enum([...FAULTY_KINDS]) }) } },
    async (request) => {
      const outcomes = await worker().deliverFaulty(request.params.id, request.body.kind)
      if (!outcomes) throw wxError('SANDBOX_NOT_FOUND', { field: 'id', value: request.params.id })
      return { attempts: outcomes }
    },
  )
}

function view(n: NotificationRecord, attempts: DeliveryAttempt[]) {
  return {
    id: n.id,
    mchid: n.mchid,
    event_type: n.eventType,
    create_time: formatRfc3339(n.createTime),
    state: n.state,
    scheduled_attempts: n.attempts,
    next_attempt_time: formatRfc3339(Math.floor(n.nextAttemptAt / 1000)),
    plaintext: JSON.parse(n.payload) as unknown,
    attempts: attempts.map((a) => ({
      attempt_no: a.attemptNo,
      kind: a.kind,
      at: new Date(a.at).toISOString(),
      latency_ms: a.latencyMs,
      ...(a.status === undefined ? {} : { status: a.status }),
      ...(a.error === undefined ? {} : { error: a.error }),
    })),
  }
}
