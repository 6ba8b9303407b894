import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  clientOptionsFromSandbox,
  SandboxAdminClient,
  type SandboxFile,
  WxCouponClient,
  type WxCouponClientOptions,
} from '@wxcoupon/sdk'
import type { BehaviourSettings } from '../domain/settings.ts'

/**
 * The sandbox inside a test process: `startSandbox()` serves on a free port over a data dir of
 * its own (a temporary one unless given, removed on close) and hands back what a test needs —
 * the base URL, sandbox.json's content, an admin client and a ready SDK client. The server's
 * modules are loaded on the first call only, so importing the package for its SDK stays light.
 */
export interface StartSandboxOptions {
  /** Keep the data here (and keep it after close); default: a fresh temporary dir. */
  dataDir?: string
  /** A PostgreSQL URL instead of SQLite in the data dir. */
  databaseUrl?: string
  /** Default 0: a free port. */
  port?: number
  host?: string
  /** Behaviour settings to override (the keys of a `--settings` file). */
  settings?: Partial<BehaviourSettings>
  /** Requests the journal keeps per partner; 0 turns it off. */
  journalSize?: number
  /** Log every request to stderr (failures are logged always). */
  log?: boolean
}

export interface Sandbox {
  baseUrl: string
  /** What the server wrote to sandbox.json: admin token, the ready partner, brand, AppID, user. */
  credentials: SandboxFile
  /** Every /sandbox/ control, typed. */
  admin: SandboxAdminClient
  /** The data dir in use. */
  dataDir: string
  /** An SDK client signed as the ready partner; `options` override any of its options. */
  client(options?: Partial<WxCouponClientOptions>): WxCouponClient
  /** Stops the server, closes the database and removes a temporary data dir. */
  close(): Promise<void>
}

export async function startSandbox(o: StartSandboxOptions = {}): Promise<Sandbox> {
  const temporary = o.dataDir === undefined
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'wxcoupon-sandbox-')))
  const [{ startServer }, { behaviour }, { checkOverrides }, { serverLogger }] = await Promise.all([
    import('../server/start.ts'),
    import('../domain/settings.ts'),
    import('../domain/settings-schema.ts'),
    import('../server/logging.ts'),
  ])
  const settings = behaviour(checkOverrides(o.settings ?? {}, 'startSandbox settings'))
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      dataDir,
      port: o.port ?? 0,
      host: o.host ?? '127.0.0.1',
      settings,
      logger: serverLogger({ requests: o.log ?? false }),
      ...(o.databaseUrl === undefined ? {} : { databaseUrl: o.databaseUrl }),
      ...(o.journalSize === undefined ? {} : { journalSize: o.journalSize }),
    })
  } catch (e) {
    if (temporary) await rm(dataDir, { recursive: true, force: true })
    throw e
  }
  const credentials = server.sandbox
  let closing: Promise<void> | undefined
  return {
    baseUrl: server.baseUrl,
    credentials,
    admin: SandboxAdminClient.fromSandboxFile(credentials),
    dataDir,
    client: (options = {}) =>
      new WxCouponClient({ ...clientOptionsFromSandbox(credentials), ...options }),
    close() {
      closing ??= server.close().then(async () => {
        if (temporary) await rm(dataDir, { recursive: true, force: true })
      })
      return closing
    },
  }
}
