import { signInformation } from '../protocol/index.ts'
import { ApiError, ConnectionError, errorFromResponse, lowerCaseHeaders } from './errors.ts'

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** What an answer's errors carry: its status, headers, raw body and Request-ID. */
export interface AnswerContext {
  status: number
  headers: Record<string, string>
  raw: string
  requestId?: string
}

/**
 * One signed request of either client (partner or brand) sent and its answer read. A failure
 * to connect or a timeout is a ConnectionError; an answer outside 2xx is thrown as its error
 * class with what the client signed beside it (error answers are not verified: the official
 * SDKs only trust-check success). What comes back is a 2xx answer, not yet verified.
 */
export async function exchange(
  o: { fetch: typeof fetch; timeoutMs: number },
  req: {
    method: string
    url: string
    target: string
    headers: Record<string, string>
    body: string | undefined
    signed: { timestamp: string; nonce: string }
  },
): Promise<AnswerContext> {
  let status: number
  let headers: Record<string, string>
  let raw: string
  try {
    const res = await o.fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      // A followed redirect would reach a target that was never signed; report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    })
    status = res.status
    headers = lowerCaseHeaders(res.headers)
    raw = UTF8.decode(await res.arrayBuffer())
  } catch (err) {
    throw connectionError(req.method, req.target, err, o.timeoutMs)
  }
  if (status < 200 || status > 299) {
    const sent = signInformation({
      method: req.method,
      url: req.target,
      timestamp: req.signed.timestamp,
      nonce: req.signed.nonce,
      body: req.body ?? '',
    })
    throw errorFromResponse(status, raw, headers, { signed: sent })
  }
  const requestId = headers['request-id']
  return { status, headers, raw, ...(requestId === undefined ? {} : { requestId }) }
}

/** A verified answer's body: nothing for an empty one, else its JSON. */
export function answerBody(answer: AnswerContext): unknown {
  if (answer.raw === '') return undefined
  try {
    return JSON.parse(answer.raw)
  } catch (err) {
    throw new ApiError({ message: 'Response body is not valid JSON', cause: err, ...answer })
  }
}

function connectionError(
  method: string,
  target: string,
  cause: unknown,
  timeoutMs: number,
): ConnectionError {
  // The query is left out: it is enough to locate the call and keeps logs shorter.
  const where = `${method} ${target.split('?')[0]}`
  const name = (cause as { name?: unknown } | null)?.name
  if (name === 'TimeoutError') {
    return new ConnectionError({
      message: `Request timed out after ${timeoutMs} ms: ${where}`,
      cause,
    })
  }
  const why = cause instanceof Error ? cause.message : String(cause)
  return new ConnectionError({ message: `Request failed: ${where}: ${why}`, cause })
}
