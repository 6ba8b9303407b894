import type { ControlName, ControlRequestOf, ControlResponseOf } from '@wxcoupon/sdk/schemas'
import { isApiOperationName, OPERATION_NAMES } from '@wxcoupon/sdk/schemas'
import { wxError } from '../domain/errors.ts'
import { formatRfc3339 } from '../domain/time.ts'
import type { OutboxWorker } from '../notify/worker.ts'
import { createBrandDirect } from '../service/brand-direct.ts'
import type { ServiceDeps } from '../service/context.ts'
import {
  addPlatformCertificate,
  endPlatformCertificate,
  listPartnerCertificates,
  setKeyMode,
} from '../service/platform-certificates.ts'
import { claimPreSendToken, createStore } from '../service/pre-send.ts'
import {
  approveProductCoupon,
  authorizeBrand,
  createAppId,
  createBrand,
  createOpenId,
  createPartner,
  issueViaChannel,
  listTenants,
  moveStock,
  rejectProductCoupon,
  resetCoupons,
  revokeBrand,
  unbindAppId,
  userDeletesCoupon,
} from '../service/sandbox.ts'
import { browseProductCoupons, browseUserCoupons, stockBudget } from '../service/sandbox-browse.ts'
import type { DeliveryAttempt, JournalFilter, NotificationRecord } from '../store/store.ts'
import { journalView } from './journal/entry.ts'
import type { RequestJournal } from './journal/recorder.ts'
import type { Traffic } from './traffic/admit.ts'

/** What the sandbox controls act on besides the services. */
export interface ControlContext {
  deps: ServiceDeps
  traffic: Traffic
  outbox?: OutboxWorker
  journal?: RequestJournal
}

export type ControlBinding<K extends ControlName> = (
  c: ControlContext,
  request: ControlRequestOf<K>,
) => Promise<ControlResponseOf<K>> | ControlResponseOf<K>

/**
 * What each sandbox control does. A mapped type over every control of the table, so a control
 * added to the table without its handler does not compile.
 */
export const CONTROL_BINDINGS: { readonly [K in ControlName]: ControlBinding<K> } = {
  create_partner: ({ deps }, r) => createPartner(deps, r.body),
  create_store: ({ deps }, r) => createStore(deps, r.body),
  claim_pre_send_token: ({ deps }, r) => claimPreSendToken(deps, r.params.token),
  set_key_mode: ({ deps }, r) => setKeyMode(deps, r.params.mchid, r.body),
  add_platform_certificate: ({ deps }, r) =>
    addPlatformCertificate(deps, r.params.mchid, r.body.activate_after_seconds),
  list_platform_certificates: ({ deps }, r) => listPartnerCertificates(deps, r.params.mchid),
  expire_platform_certificate: ({ deps }, r) =>
    endPlatformCertificate(deps, {
      mchid: r.params.mchid,
      serialNo: r.params.serial_no,
      how: 'expire',
      ...(r.body.after_seconds === undefined ? {} : { afterSeconds: r.body.after_seconds }),
    }),
  revoke_platform_certificate: ({ deps }, r) =>
    endPlatformCertificate(deps, {
      mchid: r.params.mchid,
      serialNo: r.params.serial_no,
      how: 'revoke',
    }),
  list_partners: async ({ deps }) => (await listTenants(deps)).partners,
  create_brand: ({ deps }, r) => createBrand(deps, r.body.partner_mchids),
  list_brands: async ({ deps }) => (await listTenants(deps)).brands,
  authorize_brand: async ({ deps }, r) => {
    await authorizeBrand(deps, r.params.brand_id, r.body.mchid)
    return { brand_id: r.params.brand_id, mchid: r.body.mchid }
  },
  create_brand_direct_credentials: ({ deps }, r) =>
    createBrandDirect(deps, r.params.brand_id, r.body.revision),
  revoke_brand: async ({ deps }, r) => {
    await revokeBrand(deps, r.params.brand_id, r.params.mchid)
    return { brand_id: r.params.brand_id, mchid: r.params.mchid, revoked: true }
  },
  create_appid: ({ deps }, r) => createAppId(deps, r.body),
  list_appids: async ({ deps }) => (await listTenants(deps)).appids,
  unbind_appid: async ({ deps }, r) => {
    await unbindAppId(deps, r.params.appid)
    return { appid: r.params.appid, unbound: true }
  },
  create_openid: ({ deps }, r) => createOpenId(deps, r.body.appid),
  approve_product_coupon: ({ deps }, r) => approveProductCoupon(deps, r.params.product_coupon_id),
  reject_product_coupon: ({ deps }, r) =>
    rejectProductCoupon(deps, r.params.product_coupon_id, r.body.reason ?? '审核未通过'),
  approve_stock: ({ deps }, r) => moveStock(deps, r.params.stock_id, 'approve', r.body.reason),
  reject_stock: ({ deps }, r) => moveStock(deps, r.params.stock_id, 'reject', r.body.reason),
  pause_stock: ({ deps }, r) => moveStock(deps, r.params.stock_id, 'pause', r.body.reason),
  resume_stock: ({ deps }, r) => moveStock(deps, r.params.stock_id, 'resume', r.body.reason),
  delete_user_coupon: ({ deps }, r) =>
    userDeletesCoupon(deps, {
      openid: r.params.openid,
      couponCode: r.params.coupon_code,
      stockId: r.body.stock_id,
    }),
  issue_coupon: ({ deps }, r) => issueViaChannel(deps, r.body),
  add_fault: ({ traffic }, r) => {
    const b = r.body
    if ((b.count === undefined) === (b.probability === undefined)) {
      throw wxError('PARAM_ERROR', {
        field: '/count',
        issue: 'give exactly one of count and probability',
      })
    }
    if (b.mode === 'DELAY' && b.delay_ms === undefined) {
      throw wxError('PARAM_ERROR', { field: '/delay_ms', issue: 'required for DELAY' })
    }
    const { operation } = b
    if (operation !== '*' && !isApiOperationName(operation)) {
      // A misspelt name would be accepted and never fire.
      throw wxError('PARAM_ERROR', {
        field: '/operation',
        issue: `must be * or one of ${OPERATION_NAMES.join(', ')}, or brand_ and one of those`,
      })
    }
    return traffic.faults.add({ ...b, operation })
  },
  list_faults: async ({ traffic }) => ({ faults: await traffic.faults.list() }),
  remove_fault: async ({ traffic }, r) => {
    if (!(await traffic.faults.remove(r.params.fault_id))) {
      throw wxError('SANDBOX_NOT_FOUND', { field: 'fault_id', value: r.params.fault_id })
    }
    return { faults: await traffic.faults.list() }
  },
  clear_faults: async ({ traffic }) => {
    await traffic.faults.clear()
    return { faults: [] }
  },
  list_notifications: async ({ deps }, { query: q }) => {
    const list = await deps.store.read.listNotifications({
      ...(q.mchid === undefined ? {} : { mchid: q.mchid }),
      ...(q.state === undefined ? {} : { state: q.state }),
      limit: limitOf(q.limit, 50, 200),
    })
    return { notifications: list.map((n) => notificationView(n, n.attemptList)) }
  },
  redeliver_notification: async (c, r) => {
    const outcome = await worker(c).redeliver(r.params.id)
    if (!outcome) throw wxError('SANDBOX_NOT_FOUND', { field: 'id', value: r.params.id })
    return outcome
  },
  faulty_notification: async (c, r) => {
    const outcomes = await worker(c).deliverFaulty(r.params.id, r.body.kind)
    if (!outcomes) throw wxError('SANDBOX_NOT_FOUND', { field: 'id', value: r.params.id })
    return { attempts: outcomes }
  },
  reset: async ({ deps, journal }, { body }) => {
    await resetCoupons(deps)
    journal?.discardPending()
    await deps.store.transaction((tx) => tx.clearJournal())
    if (!body.clock) return { reset: true }
    await deps.clock.resetToRealTime()
    return { reset: true, clock: clockView(deps).now }
  },
  list_requests: async ({ deps, journal }, { query: q }) => {
    // What this process (and, in a cluster, every worker) answered so far is readable now.
    await journal?.flushAll()
    const filter: JournalFilter = { limit: limitOf(q.limit, 100, 500) }
    if (q.mchid !== undefined) filter.mchid = q.mchid
    if (q.status !== undefined) {
      const base = Number(q.status[0]) * 100
      filter.status = q.status.endsWith('xx')
        ? { min: base, max: base + 99 }
        : { min: Number(q.status), max: Number(q.status) }
    }
    if (q.operation !== undefined) filter.operation = q.operation
    if (q.coupon_code !== undefined) filter.couponCode = q.coupon_code
    if (q.stock_id !== undefined) filter.stockId = q.stock_id
    if (q.request_id !== undefined) filter.requestId = q.request_id
    if (q.after !== undefined) filter.afterSeq = Number(q.after)
    if (q.before !== undefined) filter.beforeSeq = Number(q.before)
    return { data: (await deps.store.read.listJournal(filter)).map(journalView) }
  },
  list_product_coupons: async ({ deps }, { query: q }) => ({
    data: await browseProductCoupons(deps, {
      ...(q.mchid === undefined ? {} : { mchid: q.mchid }),
      limit: limitOf(q.limit, 50, 200),
    }),
  }),
  get_stock_budget: ({ deps }, r) => stockBudget(deps, r.params.stock_id),
  list_coupons: async ({ deps }, { query: q }) => ({
    data: await browseUserCoupons(deps, {
      ...(q.stock_id === undefined ? {} : { stockId: q.stock_id }),
      ...(q.openid === undefined ? {} : { openid: q.openid }),
      ...(q.coupon_code === undefined ? {} : { couponCode: q.coupon_code }),
      ...(q.state === undefined ? {} : { state: q.state }),
      ...(q.before === undefined ? {} : { before: Number(q.before) }),
      limit: limitOf(q.limit, 50, 200),
    }),
  }),
  get_clock: ({ deps }) => clockView(deps),
  set_clock: async ({ deps, outbox }, { body: b }) => {
    if ('advance_seconds' in b) await deps.clock.advance(b.advance_seconds)
    else await deps.clock.setNow(b.now)
    // Retries that the new time makes due leave now.
    outbox?.wake()
    return clockView(deps)
  },
}

function limitOf(given: string | undefined, fallback: number, max: number): number {
  return Math.min(max, Math.max(1, Number(given ?? fallback)))
}

function clockView(deps: ServiceDeps) {
  return { now: formatRfc3339(deps.clock.seconds()) }
}

function worker(c: ControlContext): OutboxWorker {
  if (!c.outbox) throw wxError('SANDBOX_NOT_FOUND', { issue: 'callbacks are not running' })
  return c.outbox
}

function notificationView(n: NotificationRecord, attempts: DeliveryAttempt[]) {
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
