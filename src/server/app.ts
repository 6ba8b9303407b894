import type { Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { generateRequestId, type RandomBytes } from '@wxcoupon/sdk/protocol'
import { SANDBOX_PREFIX } from '@wxcoupon/sdk/schemas'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { OutboxWorker } from '../notify/worker.ts'
import type { ServiceDeps } from '../service/context.ts'
import type { PlatformKeys } from '../service/platform-keys.ts'
import { createAuthenticator } from './authenticate.ts'
import { BODY_TIMEOUT_MS, installBodyDeadline } from './body-deadline.ts'
import { brandApi } from './brand-api.ts'
import { createBrandAuthenticator } from './brand-authenticate.ts'
import { installConsole } from './console.ts'
import { installErrorHandling, toWxError } from './errors.ts'
import { installJournal } from './journal/capture.ts'
import type { RequestJournal } from './journal/recorder.ts'
import {
  installResponseSigning,
  keepAnswersOnHalfClose,
  rejectMalformed,
  sendSignedError,
} from './response-signing.ts'
import { sandboxApi } from './sandbox-api.ts'
import { strictValidatorCompiler } from './schema-compiler.ts'
import { installServiceRoutes } from './service-routes.ts'
import type { Traffic } from './traffic/admit.ts'
import { FaultRegistry } from './traffic/faults.ts'
import { RateLimiter, SharedRateLimiter } from './traffic/rate-limit.ts'
import { SharedFaultRegistry } from './traffic/shared-faults.ts'
import { wechatApi } from './wechat-api.ts'

export interface AppOptions {
  deps: ServiceDeps
  /** The public key and each partner's platform certificates (the notify worker shares them). */
  platformKeys: PlatformKeys
  adminToken: string
  /** Real time in seconds for signature windows; tests inject it. */
  realNowSeconds?: () => number
  /** Real time in milliseconds for rate limits; tests inject it. */
  realNowMs?: () => number
  /** Largest accepted body; WeChat's bodies here are a few KiB at most. */
  bodyLimit?: number
  logger?: FastifyServerOptions['logger']
  /** The callback worker, for the sandbox's notification controls. */
  outbox?: OutboxWorker
  /**
   * Other processes may serve this database (cluster workers, PostgreSQL instances): faults and
   * rate limits then live in it. Default: whether the clock is shared.
   */
  shared?: boolean
  /** Serve HTTPS with this certificate (`serve --tls`). */
  https?: { certificatePem: string; privateKeyPem: string }
  /** The request journal; without one (or with it off) nothing is recorded. */
  journal?: RequestJournal
  /** A body not complete this long after its headers is refused (default 30 s; tests shorten it). */
  bodyTimeoutMs?: number
}

const TIMEOUTS = { requestTimeout: 30_000, connectionTimeout: 60_000, keepAliveTimeout: 5_000 }

/**
 * Builds the server without listening (tests use inject() or listen on port 0). Everything the
 * server needs arrives through `opts`; nothing is read from the environment here.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const realNowSeconds = opts.realNowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const random: RandomBytes = opts.deps.random
  const bodyLimit = opts.bodyLimit ?? 64 * 1024
  const signing = { key: opts.platformKeys.publicKey, realNowSeconds, random }
  const tls = opts.https
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    ...TIMEOUTS,
    // HTTPS through a factory keeps the instance typed as the HTTP one it otherwise is.
    ...(tls
      ? {
          serverFactory: (handler: Parameters<typeof createHttpsServer>[1]) => {
            const server = createHttpsServer(
              { key: tls.privateKeyPem, cert: tls.certificatePem, ...TIMEOUTS },
              handler,
            )
            server.keepAliveTimeout = TIMEOUTS.keepAliveTimeout
            server.setTimeout(TIMEOUTS.connectionTimeout)
            return server as unknown as Server
          },
        }
      : {}),
    return503OnClosing: false,
    genReqId: () => generateRequestId(random),
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 2048 },
    clientErrorHandler: (error, socket) => rejectMalformed(error, socket, signing),
    // Bad percent-encoding or an over-long path parameter: answered before routing, still in
    // the envelope and signed (Fastify's default reply is neither and echoes the URL).
    frameworkErrors: (error, _request, reply) => sendSignedError(reply, toWxError(error), signing),
  })
  keepAnswersOnHalfClose(app.server)
  app.setValidatorCompiler(strictValidatorCompiler)
  app.decorateReply('wxNumeric', undefined)
  app.decorateReply('wxCode', undefined)

  // Bodies stay raw bytes until the signature over them is verified (protocol §3).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, body)
  })

  installErrorHandling(app)
  installResponseSigning(app, signing)
  installBodyDeadline(app, opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS)

  const auth = createAuthenticator({ store: opts.deps.store.read, realNowSeconds })
  const shared = opts.shared ?? opts.deps.clock.shared
  const traffic: Traffic = {
    faults: shared ? new SharedFaultRegistry(opts.deps.store) : new FaultRegistry(),
    // Several processes serve one database: their limits must be shared too.
    limiter: shared
      ? new SharedRateLimiter(
          opts.deps.store,
          opts.deps.settings.rateLimits.overrides,
          opts.realNowMs,
        )
      : new RateLimiter(opts.deps.settings.rateLimits.overrides, opts.realNowMs),
  }
  installServiceRoutes(app, opts.deps.store)
  installConsole(app)
  if (opts.journal?.enabled) installJournal(app, opts.journal, () => opts.deps.clock.seconds())
  await app.register(wechatApi, {
    deps: opts.deps,
    auth,
    traffic,
    platformKeys: opts.platformKeys,
  })
  await app.register(brandApi, {
    deps: opts.deps,
    auth: createBrandAuthenticator({ store: opts.deps.store, realNowSeconds }),
    traffic,
  })
  await app.register(sandboxApi, {
    prefix: SANDBOX_PREFIX,
    deps: opts.deps,
    adminToken: opts.adminToken,
    traffic,
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
    ...(opts.journal ? { journal: opts.journal } : {}),
  })
  return app
}
