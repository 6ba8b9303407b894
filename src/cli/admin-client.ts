import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/**
 * The CLI's way to the /sandbox/ controls of a running server: sandbox.json says where it
 * listens and which admin token it accepts. Every failure becomes one Error whose message is a
 * single line for `wxcoupon: …`, so nothing a person sees is a stack trace.
 */

// A sandbox control answers in milliseconds; this only guards against a wedged process.
const TIMEOUT_MS = 30_000

export interface AdminClient {
  readonly baseUrl: string
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<unknown>
}

export async function openAdmin(dataDir: string): Promise<AdminClient> {
  const file = join(resolve(dataDir), 'sandbox.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `no sandbox.json in ${dataDir}: start the server with \`wxcoupon serve --data-dir ${dataDir}\`, or pass the --data-dir it uses`,
      )
    }
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const { base_url: baseUrl, admin_token: token } = (parsed ?? {}) as Record<string, unknown>
  if (typeof baseUrl !== 'string' || typeof token !== 'string') {
    throw new Error(`${file} is not a wxcoupon sandbox.json (no base_url or admin_token)`)
  }
  return {
    baseUrl,
    call: (method, path, body) => call(baseUrl, token, dataDir, method, path, body),
  }
}

async function call(
  baseUrl: string,
  token: string,
  dataDir: string,
  method: string,
  path: string,
  body: object | undefined,
): Promise<unknown> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') {
      throw new Error(`${method} ${path}: no answer from ${baseUrl} within ${TIMEOUT_MS / 1000} s`)
    }
    // undici reports a refused connection as `fetch failed` with the errno on its cause.
    const cause = (e as { cause?: { code?: unknown } }).cause?.code
    throw new Error(
      `cannot reach the sandbox at ${baseUrl}${typeof cause === 'string' ? ` (${cause})` : ''}; is \`wxcoupon serve --data-dir ${dataDir}\` running?`,
    )
  }
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!res.ok)
    throw new Error(oneLine(describeError(json) ?? `${method} ${path} answered HTTP ${res.status}`))
  if (json === undefined) throw new Error(`${method} ${path} answered something other than JSON`)
  return json
}

/** `CODE: message (field=value: issue)` from WeChat's error envelope, if that is what came. */
function describeError(json: unknown): string | undefined {
  const { code, message, detail } = (json ?? {}) as Record<string, unknown>
  if (typeof code !== 'string' || typeof message !== 'string') return undefined
  const d = (detail ?? {}) as Record<string, unknown>
  let where = typeof d.field === 'string' ? d.field : ''
  if (d.value !== undefined) where += `=${String(d.value)}`
  if (typeof d.issue === 'string') where += where ? `: ${d.issue}` : d.issue
  return where ? `${code}: ${message} (${where})` : `${code}: ${message}`
}

// The server is whatever listens at base_url; its text must not break the one-line contract.
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
