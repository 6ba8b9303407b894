/**
 * The messages APIv3 signs (protocol §2.1, §4.1): every line ends in `\n`, the last one too.
 * The URL is the request-target exactly as sent and the body the exact bytes sent; nothing is
 * normalised, because the other side signs or verifies what is on the wire.
 *
 * Both builders return the message's bytes, which is what RSA signs: a body given as bytes is
 * copied in untouched (never decoded, so bytes that are not UTF-8 stay what they were), a body
 * given as text is encoded as UTF-8. The bytes are also what a SIGN_ERROR's `sign_information`
 * reports: their length, and the message with its body cut short (the body is the last
 * `body.length + 1` bytes when it was given as bytes).
 */

/** A body as received or about to be sent: raw bytes, or text that goes out as UTF-8. */
export type SignedBody = string | Uint8Array

export function buildRequestMessage(p: {
  method: string
  url: string
  timestamp: string
  nonce: string
  body: SignedBody
}): Buffer {
  return withBody(`${p.method}\n${p.url}\n${p.timestamp}\n${p.nonce}\n`, p.body)
}

export function buildResponseMessage(p: {
  timestamp: string
  nonce: string
  body: SignedBody
}): Buffer {
  return withBody(`${p.timestamp}\n${p.nonce}\n`, p.body)
}

/**
 * `head ‖ body ‖ \n` in one allocation and one copy of the body: the server builds one of
 * these per request and per response, on bodies of several KB.
 */
function withBody(head: string, body: SignedBody): Buffer {
  if (typeof body === 'string') return Buffer.from(`${head}${body}\n`, 'utf8')
  const headLength = Buffer.byteLength(head, 'utf8')
  const out = Buffer.allocUnsafe(headLength + body.length + 1)
  out.write(head, 0, 'utf8')
  out.set(body, headLength)
  out[out.length - 1] = 0x0a
  return out
}

/**
 * What a SIGN_ERROR on the signature reports (WeChat Pay's `detail.sign_information`, keys in
 * its order): the byte length of the whole message, and the message with its body cut to the
 * first 8 characters (code points) and the closing `\n` — a message with an empty body is
 * shown whole. The server fills it with what it verified, a client with what it signed, so the
 * two can be set side by side.
 */
export interface SignInformation {
  method: string
  sign_message_length: number
  truncated_sign_message: string
  /** The request-target. */
  url: string
}

export const SIGN_MESSAGE_BODY_PREVIEW = 8

const LENIENT_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

export function signInformation(p: {
  method: string
  url: string
  timestamp: string
  nonce: string
  body: SignedBody
}): SignInformation {
  const head = `${p.method}\n${p.url}\n${p.timestamp}\n${p.nonce}\n`
  const body = typeof p.body === 'string' ? p.body : LENIENT_UTF8.decode(p.body)
  const bodyBytes = typeof p.body === 'string' ? Buffer.byteLength(p.body, 'utf8') : p.body.length
  const preview = Array.from(body).slice(0, SIGN_MESSAGE_BODY_PREVIEW).join('')
  return {
    method: p.method,
    sign_message_length: Buffer.byteLength(head, 'utf8') + bodyBytes + 1,
    truncated_sign_message: `${head}${preview}\n`,
    url: p.url,
  }
}
