import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pooledRandom, type RandomBytes } from '@wxcoupon/sdk/protocol'
import type { SandboxFile } from '@wxcoupon/sdk/schemas'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { type BehaviourSettings, DEFAULT_BEHAVIOUR } from '../domain/settings.ts'
import { OutboxWorker } from '../notify/worker.ts'
import { bootstrap } from '../service/bootstrap.ts'
import { bootstrapBrandDirect } from '../service/brand-direct.ts'
import type { ServiceDeps } from '../service/context.ts'
import { pageCodec } from '../service/page-token.ts'
import { issueTlsCertificate } from '../service/pki/sandbox-ca.ts'
import { PlatformKeys } from '../service/platform-keys.ts'
import { SandboxClock } from '../service/sandbox-clock.ts'
import { openStore } from '../store/open.ts'
import type { Store } from '../store/store.ts'
import { buildApp } from './app.ts'
import { type RunningProxy, startInterceptingProxy } from './intercepting-proxy.ts'
import { DEFAULT_JOURNAL_SIZE, RequestJournal } from './journal/recorder.ts'

export interface StartOptions {
  /** `postgres://…` to use PostgreSQL (several instances may share it); default: SQLite in dataDir. */
  databaseUrl?: string
  /** An already-open store instead (embedding, tests); the server closes it on close(). */
  store?: Store
  host?: string
  port?: number
  dataDir?: string
  settings?: BehaviourSettings
  logger?: FastifyServerOptions['logger']
  random?: RandomBytes
  /** Real time in seconds for the signature windows (tests make it exact); default the clock. */
  realNowSeconds?: () => number
  /**
   * Other processes may serve this database at the same time (cluster workers): the clock,
   * faults and rate limits then come from it on every request. Default: whether the store is
   * one that independent instances share (PostgreSQL).
   */
  shared?: boolean
  /** Serve HTTPS with a certificate of the sandbox CA (`serve --tls`). */
  tls?: boolean
  /** Also listen as an HTTP proxy that intercepts WeChat Pay's hosts (0: any free port). */
  proxyPort?: number
  /** The request journal: entries kept per partner (default 10,000; 0 turns it off). */
  journalSize?: number
  /** Cluster workers: makes the other workers write their journal entries (see journal/). */
  flushPeerJournals?: () => Promise<void>
  /** A body not complete this long after its headers is refused (default 30 s). */
  bodyTimeoutMs?: number
}

export interface RunningServer {
  app: FastifyInstance
  store: Store
  /** Absent only in stand-ins that tests build. */
  journal?: RequestJournal
  baseUrl: string
  sandbox: SandboxFile
  /** With `proxyPort`: the proxy's URL. */
  proxyUrl?: string
  close(): Promise<void>
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, content, { mode })
  await rename(tmp, path)
}

/**
 * Opens (or bootstraps) the database, serves, and rewrites sandbox.json in the data dir with
 * the base URL. Keys and tenants live in the database, so every instance on one PostgreSQL
 * database answers with the same platform key and tenants; each writes its own data dir. The
 * sandbox CA's certificate is written there too (ca.pem), and with `tls` or `proxyPort` a TLS
 * certificate is issued from it for this run (kept in memory only).
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1'
  const dir = resolve(opts.dataDir ?? '.wxcoupon')
  const keysDir = join(dir, 'keys')
  await mkdir(keysDir, { recursive: true, mode: 0o700 })
  const random = opts.random ?? pooledRandom()
  const store =
    opts.store ?? openStore({ databaseUrl: opts.databaseUrl, dataDir: dir, serving: true })
  const shared = opts.shared ?? store.sharedByInstances
  try {
    await store.migrate()
    const settings = opts.settings ?? DEFAULT_BEHAVIOUR
    const boot = await bootstrap(store, random, settings.revision)
    const { platformKey, adminToken, tenant } = boot
    const brandDirect = await bootstrapBrandDirect(
      store,
      random,
      tenant.brand_id,
      settings.revision,
    )
    const clock = await SandboxClock.load(store, { shared })
    const platformKeys = new PlatformKeys({ store, platformKey, shared, random })
    const worker = new OutboxWorker({
      store,
      clock,
      platformKeys,
      random,
      settings: settings.notify,
    })
    const deps: ServiceDeps = {
      store,
      settings,
      clock,
      random,
      pages: pageCodec(boot.pageTokenKey),
      outbox: worker,
      platformKeys,
    }
    const privateKeyFile = join(keysDir, 'apiclient_key.pem')
    const publicKeyFile = join(keysDir, 'wechatpay_public_key.pem')
    if (boot.partnerPrivateKeyPem)
      await writeAtomically(privateKeyFile, boot.partnerPrivateKeyPem, 0o600)
    await writeAtomically(publicKeyFile, platformKey.publicKeyPem, 0o644)
    const brandPrivateKeyFile = join(keysDir, 'brand_apiclient_key.pem')
    const brandPublicKeyFile = join(keysDir, 'brand_wechatpay_public_key.pem')
    await writeAtomically(brandPrivateKeyFile, brandDirect.private_key_pem, 0o600)
    await writeAtomically(brandPublicKeyFile, brandDirect.public_key_pem, 0o644)
    const caFile = join(dir, 'ca.pem')
    await writeAtomically(caFile, boot.ca.certificatePem, 0o644)
    const tlsCertificate =
      opts.tls || opts.proxyPort !== undefined
        ? await issueTlsCertificate(boot.ca, {
            hosts: [host],
            nowSeconds: Math.floor(Date.now() / 1000),
            random,
          })
        : undefined

    const journal = new RequestJournal({
      store,
      keepPerTenant: opts.journalSize ?? DEFAULT_JOURNAL_SIZE,
      ...(opts.flushPeerJournals ? { flushPeers: opts.flushPeerJournals } : {}),
    })
    const app = await buildApp({
      deps,
      platformKeys,
      adminToken,
      outbox: worker,
      shared,
      ...(opts.tls && tlsCertificate ? { https: tlsCertificate } : {}),
      journal,
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
      ...(opts.realNowSeconds === undefined ? {} : { realNowSeconds: opts.realNowSeconds }),
      ...(opts.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: opts.bodyTimeoutMs }),
    })
    await app.listen({ host, port: opts.port ?? 8080 })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8080)
    const scheme = opts.tls ? 'https' : 'http'
    const baseUrl = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
    let proxy: RunningProxy | undefined
    if (opts.proxyPort !== undefined && tlsCertificate) {
      try {
        proxy = await startInterceptingProxy({
          app,
          host,
          port: opts.proxyPort,
          tls: tlsCertificate,
        })
      } catch (e) {
        await app.close()
        throw e
      }
    }
    const sandbox: SandboxFile = {
      base_url: baseUrl,
      ca_file: caFile,
      ...(proxy ? { proxy_url: proxy.url } : {}),
      admin_token: adminToken,
      platform: { public_key_id: platformKey.keyId, public_key_file: publicKeyFile },
      partner: {
        mchid: tenant.mchid,
        serial_no: tenant.serial_no,
        private_key_file: privateKeyFile,
        apiv3_key: tenant.apiv3_key,
      },
      brand_id: tenant.brand_id,
      appid: tenant.appid,
      openid: tenant.openid,
      brand_direct: {
        brand_id: brandDirect.brand_id,
        serial_no: brandDirect.serial_no,
        private_key_file: brandPrivateKeyFile,
        api_key: brandDirect.api_key,
        public_key_id: brandDirect.public_key_id,
        public_key_file: brandPublicKeyFile,
        appid: brandDirect.appid,
        openid: brandDirect.openid,
      },
    }
    await writeAtomically(join(dir, 'sandbox.json'), `${JSON.stringify(sandbox, null, 2)}\n`, 0o600)
    // Pending callbacks of an earlier run resume here.
    worker.start()
    journal.warn = (message, err) => app.log.warn({ err }, message)
    let closing: Promise<void> | undefined
    return {
      app,
      store,
      journal,
      baseUrl,
      sandbox,
      ...(proxy ? { proxyUrl: proxy.url } : {}),
      close() {
        closing ??= worker
          .stop()
          .then(() => proxy?.close())
          .then(() => app.close())
          .then(() => journal.close())
          .then(() => store.close())
        return closing
      },
    }
  } catch (e) {
    await store.close()
    throw e
  }
}
