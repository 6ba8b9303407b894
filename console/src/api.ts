import type { ControlName, ControlResponseOf } from '@wxcoupon/sdk/schemas'

/**
 * The console's only way to the sandbox: the admin API (/sandbox/…) with the token the user
 * signed in with, kept for this browser tab only. A 401 signs the user out again.
 */
const KEY = 'wxcoupon-admin-token'

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn: (token: string) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message)
  }
}

let onUnauthorized = () => {}
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f
}

/** One control; `_name` only types the answer (the table names every control). */
export async function call<K extends ControlName>(
  _name: K,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: object,
): Promise<ControlResponseOf<K>> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${session.token() ?? ''}`,
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(`/sandbox${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  const parsed = text ? (JSON.parse(text) as unknown) : undefined
  if (!res.ok) {
    const e = (parsed ?? {}) as { code?: string; message?: string; detail?: { issue?: string } }
    if (res.status === 401) onUnauthorized()
    const issue = e.detail?.issue ? ` (${e.detail.issue})` : ''
    throw new ApiFailure(res.status, e.code, `${e.code ?? res.status}: ${e.message ?? ''}${issue}`)
  }
  return parsed as ControlResponseOf<K>
}

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
  const s = q.toString()
  return s ? `?${s}` : ''
}
