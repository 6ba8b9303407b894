import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiOperationName, RateLimit } from '@wxcoupon/sdk/schemas'
import { wxError } from '../../domain/errors.ts'
import type { Limiter } from './rate-limit.ts'
import type { Faults } from './shared-faults.ts'

export interface Traffic {
  faults: Faults
  limiter: Limiter
}

/**
 * The rate limit (when on) and any injected fault for one call, partner or brand. Rejected
 * calls change nothing: both run before validation and the service.
 */
export async function admit(
  traffic: Traffic,
  operation: ApiOperationName,
  limitKey: string | undefined,
  revised: RateLimit | undefined,
): Promise<void> {
  if (limitKey !== undefined && !(await traffic.limiter.take(operation, limitKey, revised))) {
    throw wxError('RATELIMIT_EXCEEDED')
  }
  const fault = await traffic.faults.draw(operation)
  if (fault?.mode === 'DELAY') await sleep(fault.delay_ms ?? 0)
  else if (fault) throw wxError(fault.mode)
}
