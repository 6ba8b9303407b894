import fc from 'fast-check'
import { AUTH_SCHEME } from '../../../packages/sdk/src/protocol/authorization.ts'
import { evilString, latin1String, preview } from './values.ts'

/**
 * (3) Edits of a valid APIv3 Authorization header, named so a failure says what was done,
 * and the other request headers (proxies, overrides, caching, hop-by-hop) that come along.
 */

const FIELDS = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const

function field(v: string, f: string): string {
  return new RegExp(`${f}="([^"]*)"`).exec(v)?.[1] ?? ''
}
function setField(v: string, f: string, value: string): string {
  return v.replace(new RegExp(`${f}="[^"]*"`), `${f}="${value}"`)
}
const params = (v: string) => v.slice(AUTH_SCHEME.length + 1)

type Edit = { name: string; edit: (valid: string) => string }

const NAMED_EDITS: Edit[] = [
  { name: 'scheme Bearer', edit: (v) => v.replace(AUTH_SCHEME, 'Bearer') },
  { name: 'scheme lower-case', edit: (v) => v.replace(AUTH_SCHEME, AUTH_SCHEME.toLowerCase()) },
  { name: 'scheme brand', edit: (v) => v.replace(AUTH_SCHEME, 'WECHATPAY-BRAND-SHA256-RSA2048') },
  { name: 'scheme missing', edit: params },
  { name: 'scheme two spaces', edit: (v) => v.replace(' ', '  ') },
  { name: 'scheme tab', edit: (v) => v.replace(' ', '\t') },
  { name: 'scheme only', edit: () => AUTH_SCHEME },
  { name: 'spaces around commas', edit: (v) => v.replaceAll('",', '" ,\t ') },
  {
    name: 'fields reversed',
    edit: (v) => `${AUTH_SCHEME} ${params(v).split(',').reverse().join(',')}`,
  },
  { name: 'semicolons', edit: (v) => v.replaceAll('",', '";') },
  { name: 'unquoted', edit: (v) => v.replaceAll('"', '') },
  { name: 'single quotes', edit: (v) => v.replaceAll('"', "'") },
  { name: 'trailing comma', edit: (v) => `${v},` },
  { name: 'leading comma', edit: (v) => v.replace(' ', ' ,') },
  {
    name: 'upper-case keys',
    edit: (v) => v.replace(/(\w+)="/g, (_, k: string) => `${k.toUpperCase()}="`),
  },
  { name: 'spaces around =', edit: (v) => v.replaceAll('="', ' = "') },
  { name: 'doubled quotes', edit: (v) => v.replaceAll('"', '""') },
  { name: 'unclosed quote', edit: (v) => v.slice(0, -1) },
  { name: 'Latin-1 in value', edit: (v) => v.replace('nonce_str="', 'nonce_str="\u00e9') },
  { name: 'over 4096', edit: (v) => `${v},x="${'a'.repeat(4100)}"` },
  { name: 'exactly 4096', edit: (v) => setField(v, 'nonce_str', 'n'.repeat(4096 - v.length + 32)) },
  {
    name: 'signature base64url',
    edit: (v) =>
      setField(v, 'signature', field(v, 'signature').replaceAll('+', '-').replaceAll('/', '_')),
  },
  {
    name: 'signature unpadded',
    edit: (v) => setField(v, 'signature', field(v, 'signature').replace(/=+$/, '')),
  },
  {
    name: 'signature doubled',
    edit: (v) => setField(v, 'signature', field(v, 'signature').repeat(2)),
  },
  {
    name: 'signature hex',
    edit: (v) =>
      setField(v, 'signature', Buffer.from(field(v, 'signature'), 'base64').toString('hex')),
  },
  { name: 'timestamp ms', edit: (v) => setField(v, 'timestamp', `${field(v, 'timestamp')}000`) },
  {
    name: 'timestamp -301',
    edit: (v) => setField(v, 'timestamp', String(Number(field(v, 'timestamp')) - 301)),
  },
  {
    name: 'timestamp +301',
    edit: (v) => setField(v, 'timestamp', String(Number(field(v, 'timestamp')) + 301)),
  },
  {
    name: 'timestamp negative',
    edit: (v) => setField(v, 'timestamp', `-${field(v, 'timestamp')}`),
  },
  { name: 'timestamp float', edit: (v) => setField(v, 'timestamp', `${field(v, 'timestamp')}.0`) },
  {
    name: 'timestamp leading zero',
    edit: (v) => setField(v, 'timestamp', `0${field(v, 'timestamp')}`),
  },
  {
    name: 'timestamp hex',
    edit: (v) => setField(v, 'timestamp', `0x${Number(field(v, 'timestamp')).toString(16)}`),
  },
  { name: 'timestamp 1e9', edit: (v) => setField(v, 'timestamp', '1e9') },
  { name: 'mchid unknown', edit: (v) => setField(v, 'mchid', '1999999999') },
  { name: 'mchid leading zero', edit: (v) => setField(v, 'mchid', `0${field(v, 'mchid')}`) },
  { name: 'mchid padded', edit: (v) => setField(v, 'mchid', ` ${field(v, 'mchid')}`) },
  {
    name: 'serial lower-case',
    edit: (v) => setField(v, 'serial_no', field(v, 'serial_no').toLowerCase()),
  },
  { name: 'serial unknown', edit: (v) => setField(v, 'serial_no', 'F'.repeat(40)) },
  { name: 'nonce changed', edit: (v) => setField(v, 'nonce_str', `${field(v, 'nonce_str')}x`) },
  { name: 'header doubled', edit: (v) => `${v}, ${v}` },
]

export const authEdit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMED_EDITS) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        f: fc.constantFrom(...FIELDS),
        mode: fc.constantFrom('drop', 'duplicate', 'empty', 'duplicate same'),
      })
      .map(({ f, mode }) => ({
        name: `${mode} ${f}`,
        edit: (v: string) => {
          const value = field(v, f)
          if (mode === 'drop') return v.replace(new RegExp(`,?${f}="[^"]*"`), '').replace(' ,', ' ')
          if (mode === 'empty') return setField(v, f, '')
          return `${v},${f}="${mode === 'duplicate' ? `${value}0` : value}"`
        },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ f: fc.constantFrom(...FIELDS), value: evilString })
      .map(({ f, value }) => ({
        name: `${f}=${preview(value)}`,
        edit: (v: string) => setField(v, f, value.slice(0, 5000)),
      })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ at: fc.nat(), cut: fc.nat({ max: 10 }), text: evilString }).map((x) => ({
      name: `splice at ${x.at}`,
      edit: (v: string) => {
        const at = x.at % v.length
        return v.slice(0, at) + x.text.slice(0, 200) + v.slice(at + x.cut)
      },
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ at: fc.nat(), c: fc.constantFrom('A', 'B', 'g', '0', '9', '+', '/', '=') })
      .map((x) => ({
        name: `signature char ${x.at}→${x.c}`,
        edit: (v: string) => {
          const sig = field(v, 'signature')
          const at = x.at % sig.replace(/=+$/, '').length
          return setField(v, 'signature', sig.slice(0, at) + x.c + sig.slice(at + 1))
        },
      })),
  },
  {
    weight: 1,
    arbitrary: latin1String(300).map((junk) => ({
      name: `junk ${preview(junk)}`,
      edit: () => junk,
    })),
  },
)

const HEADER_NAMES = [
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Real-IP',
  'X-HTTP-Method-Override',
  'X-Method-Override',
  'Accept',
  'Accept-Encoding',
  'Accept-Charset',
  'Accept-Language',
  'Wechatpay-Serial',
  'Wechatpay-Signature',
  'Wechatpay-Timestamp',
  'Wechatpay-Nonce',
  'Request-ID',
  'Range',
  'If-None-Match',
  'If-Modified-Since',
  'Origin',
  'Referer',
  'Cookie',
  'Content-Language',
  'Content-Encoding',
  'Content-MD5',
  'Content-Range',
  'Pragma',
  'Cache-Control',
  'User-Agent',
  'Via',
  'Forwarded',
  'TE',
  'Upgrade',
  'Connection',
  'Host',
  'Max-Forwards',
  'Proxy-Authorization',
  'Authorization2',
  'X-Request-Id',
  '__proto__',
  'constructor',
]

export const headerName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HEADER_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/) },
)

export const headerValue = fc.oneof(
  { weight: 3, arbitrary: latin1String(80) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'DELETE',
      'close',
      'keep-alive',
      'upgrade',
      'websocket',
      'h2c',
      'gzip, deflate, br',
      'bytes=0-0',
      '*',
      'text/html',
      '127.0.0.1',
      'a'.repeat(8000),
    ),
  },
)
