import { createHash, type KeyObject, sign } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  nullValue,
  octetString,
  oid,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.ts'

/**
 * X.509 v3 certificates (RFC 5280) for RSA keys, signed SHA256withRSA: the sandbox's CA, the TLS
 * certificate it serves (and intercepts WeChat Pay's hosts with), and platform certificates.
 * Only what those three need: a name of C/O/OU/CN, a validity window, basic constraints, key
 * usage, extended key usage for TLS servers, subject alternative names, key identifiers.
 */

export interface Name {
  country?: string
  organization?: string
  organizationalUnit?: string
  commonName: string
}

export type CertificateKind = 'ca' | 'tls_server' | 'platform'

export interface CertificateSpec {
  kind: CertificateKind
  /** Hex, as WeChat Pay writes serials: 40 upper-case digits for platform certificates. */
  serialHex: string
  subject: Name
  issuer: Name
  /** Unix seconds. */
  notBefore: number
  notAfter: number
  publicKey: KeyObject
  /** The issuer's keys: its private half signs, its public half names it (authority key id). */
  issuerPrivateKey: KeyObject
  issuerPublicKey: KeyObject
  /** Subject alternative names (TLS servers). */
  dnsNames?: readonly string[]
  ipAddresses?: readonly string[]
}

const OID = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const

function name(n: Name): Buffer {
  const rdn = (type: string, value: Buffer) => set(sequence(oid(type), value))
  const parts: Buffer[] = []
  if (n.country) parts.push(rdn(OID.country, printableString(n.country)))
  if (n.organization) parts.push(rdn(OID.organization, utf8String(n.organization)))
  if (n.organizationalUnit) {
    parts.push(rdn(OID.organizationalUnit, utf8String(n.organizationalUnit)))
  }
  parts.push(rdn(OID.commonName, utf8String(n.commonName)))
  return sequence(...parts)
}

/** A key identifier: SHA-1 of the DER public key (RFC 5280 §4.2.1.2 allows any unique value). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value))
}

/** keyUsage bits, as a DER named-bit list (trailing zero bits dropped). */
const KEY_USAGE: Record<CertificateKind, { bits: number; unused: number }> = {
  // keyCertSign (5), cRLSign (6)
  ca: { bits: 0x06, unused: 1 },
  // digitalSignature (0), keyEncipherment (2)
  tls_server: { bits: 0xa0, unused: 5 },
  // digitalSignature (0), nonRepudiation (1), keyEncipherment (2): WeChat Pay's platform certificates
  platform: { bits: 0xe0, unused: 5 },
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number))
  const [head = '', tail = ''] = ip.split('::')
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const h = groups(head)
  const t = ip.includes('::') ? groups(tail) : []
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  const out = Buffer.alloc(16)
  all.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2)
  })
  return out
}

function extensions(c: CertificateSpec): Buffer {
  const usage = KEY_USAGE[c.kind]
  const list = [
    extension(
      OID.basicConstraints,
      true,
      c.kind === 'ca' ? sequence(boolean(true), smallInteger(0)) : sequence(),
    ),
    extension(OID.keyUsage, true, bitString(Buffer.from([usage.bits]), usage.unused)),
    extension(OID.subjectKeyId, false, octetString(keyIdentifier(c.publicKey))),
    extension(
      OID.authorityKeyId,
      false,
      sequence(implicitPrimitive(0, keyIdentifier(c.issuerPublicKey))),
    ),
  ]
  if (c.kind === 'tls_server')
    list.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))))
  const names = [
    ...(c.dnsNames ?? []).map((d) => implicitPrimitive(2, Buffer.from(d, 'ascii'))),
    ...(c.ipAddresses ?? [])
      .filter((ip) => isIPv4(ip) || isIPv6(ip))
      .map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ]
  if (names.length > 0) list.push(extension(OID.subjectAltName, false, sequence(...names)))
  return explicit(3, sequence(...list))
}

/** The certificate, DER. */
export function issueCertificateDer(c: CertificateSpec): Buffer {
  const algorithm = sequence(oid(OID.sha256WithRsa), nullValue())
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(Buffer.from(c.serialHex, 'hex')),
    algorithm,
    name(c.issuer),
    sequence(time(c.notBefore), time(c.notAfter)),
    name(c.subject),
    c.publicKey.export({ type: 'spki', format: 'der' }),
    extensions(c),
  )
  const signature = sign('sha256', tbs, c.issuerPrivateKey)
  return sequence(tbs, algorithm, bitString(signature))
}

export function pemCertificate(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

export function issueCertificate(c: CertificateSpec): string {
  return pemCertificate(issueCertificateDer(c))
}
