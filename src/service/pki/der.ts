/**
 * The few DER (X.690) encodings an X.509 certificate needs, each a function from its value to
 * its bytes. Node parses certificates (crypto.X509Certificate) but cannot make them; the
 * sandbox makes its CA, its TLS certificates and its platform certificates with these.
 */

const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(value.length), value])
}

export const sequence = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, Buffer.concat(items))
export const set = (...items: Uint8Array[]) => tlv(TAG.SET, Buffer.concat(items))
export const nullValue = () => tlv(TAG.NULL, Buffer.alloc(0))
export const boolean = (v: boolean) => tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0x00]))
export const octetString = (v: Uint8Array) => tlv(TAG.OCTET_STRING, v)
export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'))
export const printableString = (s: string) => tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'ascii'))

/** A non-negative INTEGER from its big-endian magnitude: minimal, with a 0x00 if the top bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const bytes = Buffer.from(magnitude.subarray(start))
  const value = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes
  return tlv(TAG.INTEGER, value.length === 0 ? Buffer.from([0]) : value)
}

export const smallInteger = (n: number) => unsignedInteger(Buffer.from([n]))

/** BIT STRING of whole bytes, or of a named-bit list whose last `unusedBits` bits are padding. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]))
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const [a = 0, b = 0, ...rest] = parts
  const out: number[] = [a * 40 + b]
  for (const n of rest) {
    const base128: number[] = [n & 0x7f]
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) {
      base128.unshift(0x80 | (v & 0x7f))
    }
    out.push(...base128)
  }
  return tlv(TAG.OID, Buffer.from(out))
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
export function time(unixSeconds: number): Buffer {
  const iso = new Date(unixSeconds * 1000).toISOString()
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  const year = Number(iso.slice(0, 4))
  return year < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(digits, 'ascii'))
}

/** `[n]` EXPLICIT: the inner encoding wrapped in a constructed context-specific tag. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner)

/** `[n]` IMPLICIT of a primitive value (GeneralName's dNSName [2], iPAddress [7]). */
export const implicitPrimitive = (n: number, value: Uint8Array) => tlv(0x80 | n, value)
