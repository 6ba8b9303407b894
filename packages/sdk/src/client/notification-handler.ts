import type { IncomingMessage, ServerResponse } from 'node:http'
import { NotificationError, notificationErrorStatus } from './notification-errors.ts'
import {
  type Notification,
  type NotificationKeys,
  type ProductCouponSendEvent,
  parseWithKey,
  resolveKeys,
} from './notifications.ts'

/** Remembers which notification ids were handled; may be backed by a database or Redis. */
export interface NotificationDedupe {
  has(id: string): boolean | Promise<boolean>
  add(id: string): void | Promise<void>
}

/**
 * The default dedupe: the last `capacity` ids in memory. Enough for WeChat Pay's retries of
 * one process's notifications; it forgets on restart, so a receiver that must never act twice
 * should pass a persistent store.
 */
export class MemoryNotificationDedupe implements NotificationDedupe {
  readonly #ids = new Set<string>()
  readonly #capacity: number

  constructor(capacity = 10_000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError('capacity must be a positive integer')
    }
    this.#capacity = capacity
  }

  has(id: string): boolean {
    return this.#ids.has(id)
  }

  add(id: string): void {
    // Re-inserting moves the id to the young end of the Set's insertion order.
    this.#ids.delete(id)
    this.#ids.add(id)
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next()
      if (!oldest.done) this.#ids.delete(oldest.value)
    }
  }
}

export interface NotificationHandlerOptions<T = ProductCouponSendEvent> extends NotificationKeys {
  /**
   * Acts on a verified, decrypted event. The answer (204) waits for it, so keep it well under
   * the 5 s WeChat Pay allows; throwing answers 500 and the retry is handled again.
   */
  onEvent(notification: Notification<T>): Promise<void> | void
  /** Default: MemoryNotificationDedupe of the last 10,000 ids. */
  dedupe?: NotificationDedupe
  /** Larger bodies are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number
  /** Told about every refused callback (a NotificationError) and every failure of onEvent. */
  onError?(error: unknown): void
}

interface Outcome {
  status: number
  body?: { code: 'FAIL'; message: string }
}

/**
 * A node:http request listener for the notify_url: verifies and decrypts each callback, hands
 * each notification id to onEvent once, and answers as WeChat Pay expects (protocol §10.4):
 * 204 once handled, 200 for an id already handled, 401 for a callback not provably from
 * WeChat Pay, 400 for one that is unreadable, 500 when onEvent failed (so it is retried).
 */
export function createNotificationHandler<T = ProductCouponSendEvent>(
  p: NotificationHandlerOptions<T>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const keys = resolveKeys(p)
  if (typeof p.onEvent !== 'function') throw new TypeError('onEvent must be a function')
  const maxBodyBytes = p.maxBodyBytes ?? 1024 * 1024
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new TypeError('maxBodyBytes must be a positive integer')
  }
  const dedupe = p.dedupe ?? new MemoryNotificationDedupe()
  // A retry can arrive while the first delivery is still in onEvent (it timed out on WeChat
  // Pay's side); it waits for that outcome instead of acting a second time.
  const inFlight = new Map<string, Promise<Outcome>>()
  const report = (error: unknown) => {
    try {
      p.onError?.(error)
    } catch {
      // A failing logger must not change the answer.
    }
  }

  const handle = async (n: Notification<T>): Promise<Outcome> => {
    try {
      if (await dedupe.has(n.id)) return { status: 200 }
      await p.onEvent(n)
    } catch (err) {
      report(err)
      return { status: 500, body: fail('the notification could not be handled') }
    }
    try {
      await dedupe.add(n.id)
    } catch (err) {
      // onEvent succeeded: a 500 now would only make WeChat Pay send it to onEvent again.
      report(err)
    }
    return { status: 204 }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return reply(res, { status: 405, body: fail('only POST is accepted') })
    }
    const declared = Number(req.headers['content-length'])
    const body = declared > maxBodyBytes ? 'too_large' : await readBody(req, maxBodyBytes)
    if (body === 'aborted') return
    if (body === 'too_large') {
      // The rest of the body is drained, not read; closing tells the sender to stop.
      res.setHeader('Connection', 'close')
      req.resume()
      return reply(res, { status: 413, body: fail(`the body exceeds ${maxBodyBytes} bytes`) })
    }
    let n: Notification<T>
    try {
      n = parseWithKey<T>({ headers: req.headers, body }, keys)
    } catch (err) {
      if (!(err instanceof NotificationError)) throw err
      report(err)
      return reply(res, { status: notificationErrorStatus(err), body: fail(err.message) })
    }
    let pending = inFlight.get(n.id)
    if (pending === undefined) {
      const id = n.id
      pending = handle(n).finally(() => inFlight.delete(id))
      inFlight.set(id, pending)
    }
    reply(res, await pending)
  }

  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      report(err)
      reply(res, { status: 500, body: fail('internal error') })
    })
  }
}

/** The refusal body receivers answer with (protocol §10.4), for your own routes too. */
export function notificationFailure(message: string): { code: 'FAIL'; message: string } {
  return { code: 'FAIL', message }
}

const fail = notificationFailure

function reply(res: ServerResponse, o: Outcome): void {
  // The sender may have hung up (it waits 5 s at most); there is no one left to answer.
  if (res.headersSent || res.destroyed) return
  if (o.body === undefined) {
    res.writeHead(o.status).end()
    return
  }
  const text = JSON.stringify(o.body)
  res
    .writeHead(o.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text)
}

/** The raw bytes, or why there are none; listeners rather than for-await, which would destroy
 * the socket on an early exit and lose the 413. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        req.off('data', onData)
        resolve('too_large')
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks, size)))
    // A sender that hangs up mid-body gets no answer; resolve() after 'end' is a no-op.
    req.once('error', () => resolve('aborted'))
    req.once('close', () => resolve('aborted'))
  })
}
