import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import type { RandomBytes } from '@wxcoupon/sdk/protocol'
import type { StoreReader } from '../../store/store.ts'
import { type CertificateKind, issueCertificate, type Name } from './x509.ts'

/**
 * The sandbox's own certificate authority: made once per database (bootstrap), it issues the
 * TLS certificate `serve --tls` and the intercepting proxy present, and every platform
 * certificate. Its private key lives in the database only, like the platform key; the
 * certificate is written to the data dir (sandbox.json `ca_file`) for clients to trust.
 */

export interface SandboxCa {
  certificatePem: string
  privateKeyPem: string
}

export interface RsaKeyPair {
  privateKeyPem: string
  publicKeyPem: string
}

/** Where bootstrap keeps the CA (the meta table): one per database, shared by every instance. */
export const CA_META_KEY = 'sandbox_ca'

/** The sandbox CA bootstrap made (platform certificates are issued by it). */
export async function loadSandboxCa(db: StoreReader): Promise<SandboxCa> {
  const stored = await db.getMeta(CA_META_KEY)
  if (!stored) throw new Error('the sandbox CA is missing: the database was not bootstrapped')
  return JSON.parse(stored) as SandboxCa
}

const DAY = 86_400
const YEAR = 365 * DAY

/** WeChat Pay's hosts: what the proxy intercepts, and what the TLS certificate names. */
export const WECHATPAY_HOSTS = ['api.mch.weixin.qq.com', 'api2.mch.weixin.qq.com'] as const

const CA_NAME: Name = {
  country: 'CN',
  organization: 'wxcoupon sandbox',
  commonName: 'wxcoupon sandbox CA',
}

const generate = promisify(generateKeyPair)

/** RSA 2048 in a libuv thread: key generation takes long enough to stall a busy event loop. */
export async function generateRsaKeyPairAsync(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKeyPem: privateKey, publicKeyPem: publicKey }
}

/**
 * 40 upper-case hex digits, as WeChat Pay's platform certificate serials are. The first byte
 * stays in 0x10–0x7F, so the DER INTEGER is exactly 20 octets (RFC 5280's limit) and its hex
 * form never loses a leading zero.
 */
export function certificateSerial(random: RandomBytes): string {
  const bytes = Buffer.from(random(20))
  bytes[0] = 0x10 + ((bytes[0] ?? 0) % 0x70)
  return bytes.toString('hex').toUpperCase()
}

export function newSandboxCa(keys: RsaKeyPair, nowSeconds: number, random: RandomBytes): SandboxCa {
  const privateKey = createPrivateKey(keys.privateKeyPem)
  const publicKey = createPublicKey(keys.publicKeyPem)
  const certificatePem = issueCertificate({
    kind: 'ca',
    serialHex: certificateSerial(random),
    subject: CA_NAME,
    issuer: CA_NAME,
    notBefore: nowSeconds - DAY,
    notAfter: nowSeconds + 20 * YEAR,
    publicKey,
    issuerPrivateKey: privateKey,
    issuerPublicKey: publicKey,
  })
  return { certificatePem, privateKeyPem: keys.privateKeyPem }
}

function issueFromCa(
  ca: SandboxCa,
  p: {
    kind: CertificateKind
    serialHex: string
    subject: Name
    notBefore: number
    notAfter: number
    publicKey: KeyObject
    dnsNames?: readonly string[]
    ipAddresses?: readonly string[]
  },
): string {
  const issuerPrivateKey = createPrivateKey(ca.privateKeyPem)
  return issueCertificate({
    ...p,
    issuer: CA_NAME,
    issuerPrivateKey,
    issuerPublicKey: createPublicKey(issuerPrivateKey),
  })
}

/**
 * The certificate HTTPS is served with: the loopback names, the host the server listens on and
 * WeChat Pay's two hosts, so one certificate serves `--tls` and the proxy's interception.
 * Validity follows real time (clients check it against their own clock), not the sandbox clock.
 */
export async function issueTlsCertificate(
  ca: SandboxCa,
  p: { hosts: readonly string[]; nowSeconds: number; random: RandomBytes },
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const keys = await generateRsaKeyPairAsync()
  const names = [...new Set(['localhost', ...WECHATPAY_HOSTS, ...p.hosts])]
  const isIp = (h: string) => /^[0-9.]+$/.test(h) || h.includes(':')
  const certificatePem = issueFromCa(ca, {
    kind: 'tls_server',
    serialHex: certificateSerial(p.random),
    subject: { organization: 'wxcoupon sandbox', commonName: WECHATPAY_HOSTS[0] },
    notBefore: p.nowSeconds - DAY,
    notAfter: p.nowSeconds + YEAR,
    publicKey: createPublicKey(keys.publicKeyPem),
    dnsNames: names.filter((h) => !isIp(h)),
    ipAddresses: [...new Set(['127.0.0.1', '::1', ...names.filter(isIp)])],
  })
  return { certificatePem, privateKeyPem: keys.privateKeyPem }
}

/** Platform certificates are valid five years, as WeChat Pay's are. */
export const PLATFORM_CERTIFICATE_YEARS = 5

export function issuePlatformCertificate(
  ca: SandboxCa,
  p: { mchid: string; serialNo: string; publicKeyPem: string; notBefore: number },
): { certificatePem: string; notAfter: number } {
  const notAfter = p.notBefore + PLATFORM_CERTIFICATE_YEARS * YEAR
  const certificatePem = issueFromCa(ca, {
    kind: 'platform',
    serialHex: p.serialNo,
    subject: {
      country: 'CN',
      organization: 'wxcoupon sandbox',
      organizationalUnit: 'platform certificate',
      commonName: `platform certificate of ${p.mchid}`,
    },
    notBefore: p.notBefore,
    notAfter,
    publicKey: createPublicKey(p.publicKeyPem),
  })
  return { certificatePem, notAfter }
}
