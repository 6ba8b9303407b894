import {
  ApiError,
  ConnectionError,
  readSandboxFile,
  SANDBOX_PREFIX,
  SandboxAdminClient,
} from '@wxcoupon/sdk'

/**
 * The CLI's way to the /sandbox/ controls of a running server: sandbox.json says where it
 * listens and which admin token it accepts; the SDK's admin client makes the calls. Every
 * failure becomes one Error whose message is a single line for `wxcoupon: …`, so nothing a
 * person sees is a stack trace.
 */

export interface AdminClient {
  readonly baseUrl: string
  readonly client: SandboxAdminClient
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<unknown>
}

export async function openAdmin(dataDir: string): Promise<AdminClient> {
  const client = SandboxAdminClient.fromSandboxFile(await readSandboxFile(dataDir))
  return {
    baseUrl: client.baseUrl,
    client,
    call: (method, path, body) =>
      client
        .request(method, path.slice(SANDBOX_PREFIX.length), body)
        .catch((e) =>
          Promise.reject(oneLineError(e, client.baseUrl, dataDir, `${method} ${path}`)),
        ),
  }
}

/** `CODE: message (field=value: issue)` from WeChat's error envelope, else what went wrong. */
export function oneLineError(e: unknown, baseUrl: string, dataDir: string, what: string): Error {
  if (e instanceof ConnectionError) {
    return new Error(
      `cannot reach the sandbox at ${baseUrl}; is \`wxcoupon serve --data-dir ${dataDir}\` running? (${what})`,
    )
  }
  if (e instanceof ApiError) {
    const d = (e.detail ?? {}) as Record<string, unknown>
    let where = typeof d.field === 'string' ? d.field : ''
    if (d.value !== undefined) where += `=${String(d.value)}`
    if (typeof d.issue === 'string') where += where ? `: ${d.issue}` : d.issue
    const text = e.code === undefined ? `${what} answered HTTP ${e.status}` : e.message
    return new Error(oneLine(where ? `${text} (${where})` : text))
  }
  return new Error(oneLine(`${what}: ${(e as Error).message}`))
}

// The server is whatever listens at base_url; its text must not break the one-line contract.
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
