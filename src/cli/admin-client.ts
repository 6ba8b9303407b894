import {
  ApiError,
  ConnectionError,
  readSandboxFile,
  SANDBOX_PREFIX,
  SandboxAdminClient,
  type SandboxFile,
} from '@wxcoupon/sdk'
import { ERRORS } from '../domain/errors.ts'

/**
 * The CLI's way to the /sandbox/ controls of a running server: sandbox.json says where it
 * listens and which admin token it accepts; the SDK's admin client makes the calls. Every
 * failure becomes one Error whose message is a single line for `wxcoupon: …`, so nothing a
 * person sees is a stack trace.
 */

export interface AdminClient {
  readonly baseUrl: string
  readonly client: SandboxAdminClient
  /** The data dir's sandbox.json (for the ready tenant's ids). */
  sandbox(): Promise<SandboxFile>
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<unknown>
}

/** Where a client command finds the server: `--base-url` and `--token`, else sandbox.json. */
export interface ServerChoice {
  dataDir: string
  baseUrl?: string | undefined
  token?: string | undefined
}

export async function openAdmin(at: ServerChoice): Promise<AdminClient> {
  const { dataDir } = at
  if ((at.baseUrl === undefined) !== (at.token === undefined)) {
    throw new Error(
      "--base-url and --token go together (or WXCOUPON_BASE_URL and WXCOUPON_TOKEN); without both, the data dir's sandbox.json says where the server is",
    )
  }
  let file: Promise<SandboxFile> | undefined
  const sandbox = () => {
    file ??= readSandboxFile(dataDir)
    return file
  }
  const client =
    at.baseUrl !== undefined && at.token !== undefined
      ? new SandboxAdminClient({ baseUrl: at.baseUrl, adminToken: at.token })
      : SandboxAdminClient.fromSandboxFile(await sandbox())
  return {
    baseUrl: client.baseUrl,
    client,
    sandbox,
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
  if (e instanceof ApiError && e.code === ERRORS.SANDBOX_UNAUTHORIZED.code) {
    return new Error(
      `${e.code}: the sandbox at ${baseUrl} refused the admin token (${what}); give the one in its sandbox.json, or --token`,
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
