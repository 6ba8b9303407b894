import type {
  ControlBodyOf,
  ControlPathOf,
  ControlQueryOf,
  ControlResponseOf,
} from '../schemas/control-types.ts'
import {
  CONTROL_NAMES,
  type ControlName,
  type ControlSpec,
  SANDBOX_CONTROLS,
  SANDBOX_PREFIX,
  type SandboxControls,
} from '../schemas/sandbox.ts'
import type { SandboxFile } from '../schemas/sandbox-file.ts'
import { ConnectionError, errorFromResponse } from './errors.ts'
import { nodeFetch } from './node-transport.ts'
import { buildOperationRequest } from './operation-request.ts'

/**
 * A typed client of every sandbox control (tenants, review, clock, faults, callbacks, reset),
 * one method per entry of the control table, for a sandbox started anywhere: its base URL and
 * admin token are in its sandbox.json. Failures are the SDK's error classes (ApiError by
 * status, ConnectionError), with the server's answer kept.
 */

export interface SandboxAdminClientOptions {
  baseUrl: string
  adminToken: string
  fetch?: typeof fetch
  /** Per request; default 30 s (a control answers in milliseconds; this guards a wedged server). */
  timeoutMs?: number
}

type ControlParams<K extends ControlName> = ControlPathOf<K> & ControlQueryOf<K> & ControlBodyOf<K>
type Args<P> = Record<never, never> extends P ? [params?: P] : [params: P]

/** One async method per control, named by the table's `client` member. */
export type ControlMethods = {
  [K in ControlName as SandboxControls[K]['client']]: (
    ...args: Args<ControlParams<K>>
  ) => Promise<ControlResponseOf<K>>
}

// The control methods are defined on the prototype from the table, below the class.
export interface SandboxAdminClient extends ControlMethods {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above names the methods defined on the prototype below
export class SandboxAdminClient {
  readonly baseUrl: string
  // A private field keeps the token out of util.inspect, JSON.stringify and spreads.
  readonly #token: string
  readonly #fetch: typeof fetch
  readonly #timeoutMs: number

  constructor(o: SandboxAdminClientOptions) {
    if (typeof o.baseUrl !== 'string' || !/^https?:\/\//.test(o.baseUrl)) {
      throw new TypeError('baseUrl must be an http(s) URL')
    }
    if (typeof o.adminToken !== 'string' || o.adminToken === '') {
      throw new TypeError('adminToken must be a non-empty string')
    }
    this.baseUrl = o.baseUrl.replace(/\/+$/, '')
    this.#token = o.adminToken
    this.#fetch = o.fetch ?? nodeFetch
    this.#timeoutMs = o.timeoutMs ?? 30_000
  }

  /** The client of the sandbox that wrote this sandbox.json. */
  static fromSandboxFile(
    s: SandboxFile,
    o: Omit<SandboxAdminClientOptions, 'baseUrl' | 'adminToken'> = {},
  ) {
    return new SandboxAdminClient({ ...o, baseUrl: s.base_url, adminToken: s.admin_token })
  }

  /** Any control: `pathAndQuery` below /sandbox, already encoded. */
  async request<T>(method: string, pathAndQuery: string, body?: object): Promise<T> {
    const target = `${SANDBOX_PREFIX}${pathAndQuery}`
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.#token}`,
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let res: Response
    let raw: string
    try {
      res = await this.#fetch(this.baseUrl + target, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      raw = await res.text()
    } catch (cause) {
      const timedOut = (cause as { name?: unknown } | null)?.name === 'TimeoutError'
      const why = timedOut
        ? `no answer within ${this.#timeoutMs / 1000} s`
        : cause instanceof Error
          ? cause.message
          : String(cause)
      throw new ConnectionError({
        message: `Sandbox control failed: ${method} ${target.split('?')[0]} at ${this.baseUrl}: ${why}`,
        cause,
      })
    }
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, raw, res.headers)
    return JSON.parse(raw) as T
  }
}

for (const name of CONTROL_NAMES) {
  const spec: ControlSpec = SANDBOX_CONTROLS[name]
  const fn = async function (this: SandboxAdminClient, params?: object) {
    const { pathAndQuery, body } = buildOperationRequest(spec, params)
    return this.request(spec.method, pathAndQuery, spec.method === 'POST' ? (body ?? {}) : body)
  }
  Object.defineProperty(fn, 'name', { value: spec.client })
  Object.defineProperty(SandboxAdminClient.prototype, spec.client, {
    value: fn,
    writable: true,
    configurable: true,
  })
}
