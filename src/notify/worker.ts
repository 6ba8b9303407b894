import { createPrivateKey, type KeyObject } from 'node:crypto'
import {
  BRAND_AUTH_SCHEME,
  generateNonce,
  type RandomBytes,
  SIGNATURE_PROBE_PREFIX,
  signResponseAsync,
  TIMESTAMP_TOLERANCE_SECONDS,
} from '@wxcoupon/sdk/protocol'
import type { FAULTY_KINDS } from '@wxcoupon/sdk/schemas'
import { BRAND_EVENTS, EVENTS, nextDelivery, retrySchedule } from '../domain/notification.ts'
import type { BehaviourSettings } from '../domain/settings.ts'
import { brandDirectIndex } from '../service/brand-direct.ts'
import type { PlatformKeys } from '../service/platform-keys.ts'
import type { SandboxClock } from '../service/sandbox-clock.ts'
import type { BrandDirectRecord, NotificationRecord, Store } from '../store/store.ts'
import { type PostCallback, type PostResult, postCallback } from './deliver.ts'
import { buildEnvelope } from './envelope.ts'

/** Attempts in flight per process. */
export const SLOTS = 16
/** Attempts in flight per partner, over every process delivering from the database. */
export const PER_PARTNER = 4

/** Deliberately faulty deliveries a receiver must reject (the sandbox control's kinds). */
export type FaultyKind = (typeof FAULTY_KINDS)[number]

export interface AttemptOutcome extends PostResult {
  attemptNo: number
  kind: string
}

/**
 * Delivers the outbox: claims due notifications (sandbox-clock time, so advancing the clock
 * fires retries), POSTs each signed and encrypted, records every attempt, and reschedules
 * failures on the configured schedule until it is used up. Pending work survives restarts
 * because it lives in the store; leases keep two workers from sending the same attempt.
 *
 * Delivery is a pipeline of SLOTS attempts in flight, refilled as each ends (not in batches
 * that wait for their slowest), and fair: a claim gives no partner more than PER_PARTNER
 * leased at once and deals the places round-robin, so a receiver that accepts and never
 * answers holds PER_PARTNER slots for `timeoutMs` each and the other partners keep the rest.
 * Each
 * delivery is signed with the key the partner's key mode picks for it (a platform certificate,
 * or in transition mode the public key for a share of deliveries).
 */
export class OutboxWorker {
  readonly #store: Store
  readonly #clock: SandboxClock
  readonly #keys: PlatformKeys
  readonly #random: RandomBytes
  readonly #settings: BehaviourSettings['notify']
  readonly #post: PostCallback
  readonly #realNowMs: () => number
  readonly #perPartner: number | undefined
  readonly #slots: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = true
  readonly #inFlight = new Set<Promise<unknown>>()

  constructor(p: {
    store: Store
    clock: SandboxClock
    platformKeys: PlatformKeys
    random: RandomBytes
    settings: BehaviourSettings['notify']
    post?: PostCallback
    realNowMs?: () => number
    /** Attempts in flight at most (default SLOTS). */
    slots?: number
    /**
     * Leased at once per partner (default PER_PARTNER); `unfair` is the claim order before
     * fairness, earliest first with no cap, for the test that shows its starvation.
     */
    perPartner?: number | 'unfair'
  }) {
    this.#store = p.store
    this.#clock = p.clock
    this.#keys = p.platformKeys
    this.#random = p.random
    this.#settings = p.settings
    this.#post = p.post ?? postCallback
    this.#realNowMs = p.realNowMs ?? Date.now
    this.#slots = p.slots ?? SLOTS
    this.#perPartner = p.perPartner === 'unfair' ? undefined : (p.perPartner ?? PER_PARTNER)
  }

  start(pollMs = 250): void {
    this.#stopped = false
    this.#timer = setInterval(() => this.wake(), pollMs)
    this.#timer.unref()
    this.wake()
  }

  /** Runs a delivery round now (or right after the current one). */
  wake(): void {
    if (this.#stopped) return
    if (this.#running !== undefined) {
      this.#again = true
      return
    }
    this.#running = this.#round()
      // A failed round (e.g. the store closing) leaves its rows PENDING for the next one.
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.wake()
        }
      })
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#running
    await Promise.all(this.#inFlight)
  }

  /** Claims for the free slots until nothing more is due; each attempt ending wakes it again. */
  async #round(): Promise<void> {
    if (this.#clock.shared) await this.#clock.refresh()
    while (!this.#stopped) {
      const free = this.#slots - this.#inFlight.size
      if (free <= 0) return
      const now = this.#realNowMs()
      const due = await this.#store.transaction((tx) =>
        tx.claimDueNotifications({
          dueBy: this.#clock.now(),
          realNow: now,
          leaseUntil: now + this.#settings.timeoutMs * 4,
          limit: free,
          ...(this.#perPartner === undefined ? {} : { perPartner: this.#perPartner }),
        }),
      )
      for (const n of due) {
        const attempt: Promise<unknown> = this.#attempt(n, 'scheduled')
          // A failed attempt (the store gone) leaves its row leased; the lease's end frees it.
          .catch(() => undefined)
          .finally(() => {
            this.#inFlight.delete(attempt)
            this.wake()
          })
        this.#inFlight.add(attempt)
      }
      // Fewer than asked: nothing more is claimable now (due later, or partners at their cap).
      if (due.length < free) return
    }
  }

  /** Sandbox control: deliver now, whatever the schedule says. */
  async redeliver(id: string): Promise<AttemptOutcome | undefined> {
    const n = await this.#store.read.getNotification(id)
    return n && this.#attempt(n, 'redeliver')
  }

  /** Sandbox control: a delivery a careful receiver must refuse (or, for duplicate, dedupe). */
  async deliverFaulty(id: string, kind: FaultyKind): Promise<AttemptOutcome[] | undefined> {
    const n = await this.#store.read.getNotification(id)
    if (!n) return undefined
    if (kind === 'duplicate') {
      const first = await this.#attempt(n, 'duplicate')
      return [first, await this.#attempt(n, 'duplicate')]
    }
    return [await this.#attempt(n, kind)]
  }

  async #attempt(n: NotificationRecord, kind: string): Promise<AttemptOutcome> {
    const result = await this.#send(n, kind)
    const schedule = retrySchedule(this.#settings.schedule)
    const next = nextDelivery(n, kind, result.status, schedule, this.#clock.now())
    const attemptNo = await this.#store.transaction((tx) =>
      tx.recordAttempt(
        {
          notificationId: n.id,
          at: this.#realNowMs(),
          ...(result.status === undefined ? {} : { status: result.status }),
          latencyMs: result.latencyMs,
          ...(result.error === undefined ? {} : { error: result.error }),
          kind,
        },
        next,
      ),
    )
    return { ...result, attemptNo, kind }
  }

  async #send(n: NotificationRecord, kind: string): Promise<PostResult> {
    const [config, partner] = await Promise.all([
      this.#store.read.getNotifyConfig(n.mchid),
      this.#store.read.getPartner(n.mchid),
    ])
    if (!config) return { latencyMs: 0, error: 'notify_url is not set for this partner' }
    const brand = await brandDirectIndex(this.#store).ofMchid(this.#store.read, n.mchid)
    const meta = brand ? BRAND_EVENTS[n.eventType] : EVENTS[n.eventType]
    if (!partner || !meta) return { latencyMs: 0, error: 'partner or event unknown' }
    const body = buildEnvelope({
      id: n.id,
      createTime: n.createTime,
      meta,
      payload: n.payload,
      apiv3Key: partner.apiv3Key,
      random: this.#random,
    })
    const realSeconds = Math.floor(this.#realNowMs() / 1000)
    const stale = kind === 'stale_timestamp'
    // A brand's callbacks are signed with its own WeChat Pay key (brand mode has no other).
    const key = brand
      ? { keyId: brand.publicKeyId, privateKey: brandKey(brand) }
      : await this.#keys.forCallback(n.mchid, this.#clock.seconds())
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'wxcoupon-sandbox-notify',
      ...(await signResponseAsync({
        body,
        privateKey: key.privateKey,
        keyId: key.keyId,
        // Twice the window: stale to every receiver, whichever edge rule it applies.
        timestamp: stale ? realSeconds - 2 * TIMESTAMP_TOLERANCE_SECONDS : realSeconds,
        random: this.#random,
      })),
    }
    if (brand) headers['Wechatpay-Signature-Type'] = BRAND_AUTH_SCHEME
    if (kind === 'signature_probe') {
      headers['Wechatpay-Signature'] = `${SIGNATURE_PROBE_PREFIX}${generateNonce(64, this.#random)}`
    } else if (kind === 'tampered_signature') {
      const sig = Buffer.from(headers['Wechatpay-Signature'] ?? '', 'base64')
      sig[0] = (sig[0] ?? 0) ^ 0xff
      headers['Wechatpay-Signature'] = sig.toString('base64')
    } else if (kind === 'wrong_serial') {
      headers['Wechatpay-Serial'] = 'PUB_KEY_ID_0000000000000000000000000000'
    }
    return this.#post({
      url: config.notifyUrl,
      body,
      headers,
      timeoutMs: this.#settings.timeoutMs,
      allowPrivate: this.#settings.allowPrivateNetworks,
    })
  }
}

const brandKeys = new WeakMap<BrandDirectRecord, KeyObject>()

function brandKey(brand: BrandDirectRecord): KeyObject {
  let k = brandKeys.get(brand)
  if (!k) {
    k = createPrivateKey(brand.privateKeyPem)
    brandKeys.set(brand, k)
  }
  return k
}
