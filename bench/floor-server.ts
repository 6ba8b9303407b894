/**
 * The floor server: the physical limit of this design on this machine. The same HTTP stack as
 * wxcoupon (Fastify, node:cluster workers sharing one port) answering every request with one
 * request-signature verification and one signed ~3 KB JSON response — no database, no
 * validation, no business rules. Every wxcoupon figure in the report is also a ratio to this.
 *
 *   node --import tsx bench/floor-server.ts <port> <workers> <partner-public.pem> <platform-private.pem>
 *
 * Prints `floor listening on http://127.0.0.1:<port>` once every worker listens.
 */
import cluster from 'node:cluster'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { parseAuthorization } from '../packages/sdk/src/protocol/authorization.ts'
import { generateNonce, generateRequestId } from '../packages/sdk/src/protocol/nonce.ts'
import { signResponse } from '../packages/sdk/src/protocol/response-signature.ts'
import { verifySha256WithRsa } from '../packages/sdk/src/protocol/rsa.ts'
import { buildRequestMessage } from '../packages/sdk/src/protocol/signing-message.ts'

const [port = '0', workers = '1', partnerPub = '', platformKey = ''] = process.argv.slice(2)

/** A response the size of a full user-coupon entity with its detail list (~3 KB). */
const BODY = JSON.stringify({
  coupon_code: '0123456789012345',
  coupon_state: 'EFFECTIVE',
  padding: 'x'.repeat(2_900),
})

async function worker(): Promise<number> {
  const partnerKey = createPublicKey(readFileSync(partnerPub, 'utf8'))
  const platform = createPrivateKey(readFileSync(platformKey, 'utf8'))
  const app = Fastify({ logger: false })
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  )
  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = parseAuthorization(request.headers.authorization)
    const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : ''
    const ok =
      auth.ok &&
      verifySha256WithRsa(
        buildRequestMessage({
          method: request.method,
          url: request.raw.url ?? '',
          timestamp: auth.value.timestamp,
          nonce: auth.value.nonceStr,
          body,
        }),
        auth.value.signature,
        partnerKey,
      )
    const text = ok ? BODY : '{"code":"SIGN_ERROR","message":"签名错误"}'
    const signed = signResponse({
      body: text,
      privateKey: platform,
      keyId: 'PUB_KEY_ID_FLOOR',
      timestamp: Math.floor(Date.now() / 1000),
      nonce: generateNonce(32),
    })
    for (const [k, v] of Object.entries(signed)) reply.header(k, v)
    reply.header('Request-ID', generateRequestId())
    reply.code(ok ? 200 : 401)
    reply.type('application/json')
    return text
  }
  app.post('/*', answer)
  app.get('/*', answer)
  await app.listen({ host: '127.0.0.1', port: Number(port) })
  return (app.server.address() as { port: number }).port
}

const ready = (p: number) => process.stdout.write(`floor listening on http://127.0.0.1:${p}\n`)

if (cluster.isPrimary && Number(workers) > 1) {
  let listening = 0
  for (let i = 0; i < Number(workers); i++) {
    cluster.fork().on('message', (m: { listening?: number }) => {
      if (m.listening !== undefined && ++listening === Number(workers)) ready(m.listening)
    })
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill()
    process.exit(0)
  })
} else if (cluster.isPrimary) {
  ready(await worker())
} else {
  process.send?.({ listening: await worker() })
  // Workers go when the primary goes, whatever killed it.
  process.on('disconnect', () => process.exit(0))
}
