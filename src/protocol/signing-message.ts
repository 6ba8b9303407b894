/**
 * The messages APIv3 signs (protocol §2.1, §4.1): every line ends in `\n`, the last one too.
 * The URL is the request-target exactly as sent and the body the exact bytes sent; nothing is
 * normalised, because the other side signs or verifies what is on the wire.
 */
export function buildRequestMessage(p: {
  method: string
  url: string
  timestamp: string
  nonce: string
  body: string
}): string {
  return `${p.method}\n${p.url}\n${p.timestamp}\n${p.nonce}\n${p.body}\n`
}

export function buildResponseMessage(p: {
  timestamp: string
  nonce: string
  body: string
}): string {
  return `${p.timestamp}\n${p.nonce}\n${p.body}\n`
}
