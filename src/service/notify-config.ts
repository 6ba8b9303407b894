import { isIP } from 'node:net'
import type { NotifyConfigBody, NotifyConfigEntity } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { formatRfc3339 } from '../domain/time.ts'
import type { Caller, ServiceDeps } from './context.ts'
import { addressAllowed, notifyUrlProblem } from './url-policy.ts'

/** E1: set (overwrite) the partner-level notify URL. Pending callbacks use the new one. */
export async function setNotifyConfig(
  deps: ServiceDeps,
  caller: Caller,
  body: NotifyConfigBody,
): Promise<NotifyConfigEntity> {
  const problem =
    notifyUrlProblem(body.notify_url) ??
    hostProblem(body.notify_url, deps.settings.notify.allowPrivateNetworks)
  if (problem) {
    throw wxError('PARAM_ERROR', { field: '/notify_url', issue: problem, location: 'body' })
  }
  const now = deps.clock.seconds()
  await deps.store.transaction((tx) => tx.setNotifyConfig(caller.mchid, body.notify_url, now))
  deps.outbox?.wake()
  return { notify_url: body.notify_url, update_time: formatRfc3339(now) }
}

/** Addresses written as IP literals are judged now; host names again at every delivery. */
function hostProblem(url: string, allowPrivate: boolean): string | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  return isIP(host) && !addressAllowed(host, allowPrivate)
    ? `callbacks may not be sent to ${host}`
    : undefined
}

/** E2. */
export async function getNotifyConfig(
  deps: ServiceDeps,
  caller: Caller,
): Promise<NotifyConfigEntity> {
  const config = await deps.store.read.getNotifyConfig(caller.mchid)
  if (!config) throw wxError('NOTIFY_CONFIG_NOT_FOUND')
  return { notify_url: config.notifyUrl, update_time: formatRfc3339(config.updateTime) }
}
