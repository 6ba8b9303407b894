import fc from 'fast-check'
import { API } from '../fixtures.ts'
import { fill } from './endpoints.ts'
import type { Targets, WireCase } from './types.ts'
import { latin1String, preview } from './values.ts'

/**
 * (6) Malformed HTTP/1.x written straight to a socket (request lines, header lines, framing):
 * what no HTTP client would send, answered by Node or the app.
 */

const wireLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Host: x',
      'X-A:b',
      'NoColon',
      ' obs-fold',
      'Bad Name: v',
      'X: a\u0000b',
      'X: \u007f',
      ': empty-name',
      'Content-Length: -1',
      'Content-Length: abc',
      'Content-Length: 1, 2',
      'Content-Length: 99999999999999999999',
      'Content-Length: 0x10',
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
      'Transfer-Encoding: xchunked',
      'Transfer-Encoding: identity',
      'Expect: 100-continue',
      'Expect: fuzz',
      'Connection: close',
      'Connection: upgrade',
      'Upgrade: h2c',
      'Upgrade: websocket',
      'HTTP2-Settings: AAMAAABkAAQAAP__',
      'Authorization: WECHATPAY2-SHA256-RSA2048 garbage',
      'Authorization: WECHATPAY2-SHA256-RSA2048 mchid="1\u0001",nonce_str="\u007f"',
      'Authorization: WECHATPAY2-SHA256-RSA2048 mchid="1\u0000"',
      'Authorization: Bearer nope',
      'Content-Type: application/json',
      'Content-Type: text/plain',
      `X-Long: ${'l'.repeat(17_000)}`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.stringMatching(/^[!-9;-~]{1,20}$/), latin1String(40))
      .map(([k, v]) => `${k}: ${v}`),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) =>
      Buffer.from(b)
        .toString('latin1')
        .replace(/[\r\n]/g, ''),
    ),
  },
)

export function wireCase(t: Targets): fc.Arbitrary<WireCase> {
  const real = `${fill(`${API}/product-coupons/{pc}`, { pc: t.pc.product_coupon_id })}?brand_id=${t.brandId}`
  return fc
    .record({
      method: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'PATCH',
        'FOO',
        'get',
        'CONNECT',
        '',
        'G ET',
        'PRI',
        'HEAD',
      ),
      target: fc.constantFrom(
        real,
        fill(`${API}/notify-configs`, {}),
        '*',
        `http://evil.example${real}`,
        '',
        '/a b',
        '/\u0000',
        '/%',
        `/${'a'.repeat(20_000)}`,
        '//',
        '/sandbox/reset',
        '?',
        '/\u00ff',
      ),
      version: fc.constantFrom(
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.0',
        'HTTP/2.0',
        'HTTP/0.9',
        'HTTP/1.1x',
        'http/1.1',
        '',
        'HTTP/1.1 extra',
      ),
      eol: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r'),
      lines: fc.array(wireLine, { maxLength: 6 }),
      body: fc.option(
        fc.constantFrom(
          '{}',
          '{"brand_id":',
          '0\r\n\r\n',
          'ZZ\r\nabc\r\n0\r\n\r\n',
          '5\r\n{}\r\n0\r\n\r\n',
          'x'.repeat(100),
        ),
        { nil: undefined },
      ),
      length: fc.boolean(),
      // Mostly with a Host header: without one Node answers HTTP/1.1 itself, before the app.
      host: fc.nat({ max: 3 }),
    })
    .map((w) => {
      const lines = [
        `${w.method} ${w.target} ${w.version}`.replace(/ +$/, ''),
        ...(w.host ? ['Host: 127.0.0.1'] : []),
        ...w.lines,
      ]
      if (w.body !== undefined && w.length)
        lines.push(`Content-Length: ${Buffer.byteLength(w.body)}`)
      const text = `${lines.join(w.eol)}${w.eol}${w.eol}${w.body ?? ''}`
      return {
        transport: 'wire' as const,
        group: 'wire',
        label: `${w.method || '(none)'} ${preview(w.target)} ${w.version} ${w.lines.map((l) => preview(l.split(':')[0])).join(',')}`,
        bytes: Buffer.from(text, 'latin1'),
        // Node drops a CONNECT when nobody listens for 'connect': not an HTTP answer to give.
        mustAnswer: w.method !== 'CONNECT',
      }
    })
}
