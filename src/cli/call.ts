import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { readSandboxFile, signRequest, verifyResponseSignature } from '@wxcoupon/sdk'
import { parseStrictJson } from '@wxcoupon/sdk/protocol'
import { API_PREFIX } from '@wxcoupon/sdk/schemas'

/**
 * `wxcoupon call METHOD PATH [--data JSON|@file]`: one signed APIv3 request, as curl would send
 * it if curl could sign. The credentials are the sandbox's ready partner (sandbox.json) unless
 * given; the answer's body goes to stdout (pretty JSON), the status, Request-ID and the check of
 * the answer's signature to stderr, so `wxcoupon call … | jq` works and the exit code says
 * whether the call succeeded (0 for a 2xx with a good signature).
 */
export interface CallOptions {
  dataDir: string
  baseUrl?: string | undefined
  data?: string | undefined
  mchid?: string | undefined
  serialNo?: string | undefined
  privateKey?: string | undefined
  platformPublicKey?: string | undefined
  platformPublicKeyId?: string | undefined
}

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const

export async function callApi(method: string, path: string, o: CallOptions): Promise<number> {
  const verb = method.toUpperCase()
  if (!(METHODS as readonly string[]).includes(verb)) {
    throw new Error(`method must be one of ${METHODS.join(', ')} (got ${method})`)
  }
  if (!path.startsWith('/')) throw new Error(`the path must start with / (got ${path})`)
  // A path below the product-coupon API may be given without its prefix.
  const target = path.startsWith('/v3/') ? path : `${API_PREFIX}${path}`
  const body = o.data === undefined ? undefined : await bodyOf(o.data)
  const c = await credentials(o)
  const { authorization } = signRequest({
    method: verb,
    url: target,
    body: body ?? '',
    mchid: c.mchid,
    serialNo: c.serialNo,
    privateKey: c.privateKey,
  })
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: authorization,
    'Wechatpay-Serial': c.platformPublicKeyId,
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  let raw: string
  try {
    res = await fetch(c.baseUrl + target, {
      method: verb,
      headers,
      body: body ?? null,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    })
    raw = await res.text()
  } catch (e) {
    throw new Error(
      `cannot reach ${c.baseUrl}: ${(e as Error).message}; is \`wxcoupon serve --data-dir ${o.dataDir}\` running?`,
    )
  }
  const ok = res.status >= 200 && res.status <= 299
  const check = verifyResponseSignature({
    headers: (name) => res.headers.get(name) ?? undefined,
    body: raw,
    publicKey: c.platformPublicKey,
    publicKeyId: c.platformPublicKeyId,
    nowSeconds: Date.now() / 1000,
  })
  const verdict = check.ok
    ? 'response signature verified'
    : `response signature NOT verified (${check.reason})`
  process.stderr.write(
    `HTTP ${res.status} ${verb} ${target}\nRequest-ID: ${res.headers.get('request-id') ?? '(none)'}\n${verdict}\n`,
  )
  process.stdout.write(`${pretty(raw)}\n`)
  return ok && check.ok ? 0 : 1
}

async function credentials(o: CallOptions) {
  const given = [o.mchid, o.serialNo, o.privateKey, o.platformPublicKey, o.platformPublicKeyId]
  const all = given.every((v) => v !== undefined)
  const sandbox = all && o.baseUrl !== undefined ? undefined : await readSandboxFile(o.dataDir)
  const pick = (v: string | undefined, fallback: string | undefined, what: string) => {
    const value = v ?? fallback
    if (value === undefined) throw new Error(`${what} is needed`)
    return value
  }
  return {
    baseUrl: pick(o.baseUrl, sandbox?.base_url, '--base-url').replace(/\/+$/, ''),
    mchid: pick(o.mchid, sandbox?.partner.mchid, '--mchid'),
    serialNo: pick(o.serialNo, sandbox?.partner.serial_no, '--serial-no'),
    privateKey: createPrivateKey(
      await readKey(pick(o.privateKey, sandbox?.partner.private_key_file, '--private-key')),
    ),
    platformPublicKey: createPublicKey(
      await readKey(
        pick(o.platformPublicKey, sandbox?.platform.public_key_file, '--platform-public-key'),
      ),
    ),
    platformPublicKeyId: pick(
      o.platformPublicKeyId,
      sandbox?.platform.public_key_id,
      '--platform-public-key-id',
    ),
  }
}

async function readKey(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (e) {
    throw new Error(`cannot read key file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`)
  }
}

/** `--data` is JSON text or `@file`; either must parse, and a failure says where. */
export async function bodyOf(data: string): Promise<string> {
  let text = data
  let source = '--data'
  if (data.startsWith('@')) {
    const file = data.slice(1)
    source = file
    try {
      text = await readFile(file, 'utf8')
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`)
    }
  }
  // The server's own parser, so what passes here is what the server will read.
  const parsed = parseStrictJson(text, { maxLength: 1 << 20, maxDepth: 32 })
  if (!parsed.ok) {
    const before = text.slice(0, parsed.position).split('\n')
    const line = before.length
    const column = (before.at(-1)?.length ?? 0) + 1
    const pointer = parsed.pointer ? ` at ${parsed.pointer}` : ''
    throw new Error(
      `${source} is not valid JSON (${parsed.issue}${pointer}) at line ${line}, column ${column}`,
    )
  }
  return text
}

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}
