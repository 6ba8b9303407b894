import { decryptCallbackResource, encryptCallbackResource } from './callback-crypto.ts'

/**
 * The callback body of protocol §10.3: an envelope whose `resource` is encrypted under the
 * partner's APIv3 key. The sandbox builds it, a receiver reads it back (only once the
 * signature over its bytes holds).
 */

export const ENCRYPTED_RESOURCE_TYPE = 'encrypt-resource'
export const RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM'

export interface CallbackEnvelope {
  id: string
  create_time: string
  event_type: string
  /** Required by §10.3 but not needed to act on the event: a missing one reads as "". */
  summary: string
  resource_type: string
  resource: {
    original_type: string
    algorithm: string
    ciphertext: string
    associated_data: string
    nonce: string
  }
}

/** A callback body that is not the envelope §10.3 describes; the message is a fixed text. */
export class CallbackFormatError extends Error {
  override readonly name = 'CallbackFormatError'
}

/** The JSON body, its members in the order WeChat Pay writes them. */
export function buildCallbackEnvelope(p: {
  id: string
  /** RFC 3339. */
  createTime: string
  eventType: string
  summary: string
  originalType: string
  associatedData: string
  /** The resource as JSON text, before encryption. */
  plaintext: string
  apiv3Key: string
  /** 12 characters, the GCM IV; a fresh one for every delivery. */
  nonce: string
}): string {
  return JSON.stringify({
    id: p.id,
    create_time: p.createTime,
    resource_type: ENCRYPTED_RESOURCE_TYPE,
    event_type: p.eventType,
    summary: p.summary,
    resource: {
      original_type: p.originalType,
      algorithm: RESOURCE_ALGORITHM,
      ciphertext: encryptCallbackResource({
        plaintext: p.plaintext,
        apiv3Key: p.apiv3Key,
        associatedData: p.associatedData,
        nonce: p.nonce,
      }),
      associated_data: p.associatedData,
      nonce: p.nonce,
    },
  })
}

// fatal: bytes that are not UTF-8 are a malformed envelope, not text with U+FFFD in it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Throws CallbackFormatError for a body that is not the §10.3 envelope. */
export function readCallbackEnvelope(body: Uint8Array): CallbackEnvelope {
  let text: string
  try {
    text = UTF8.decode(body)
  } catch (err) {
    throw new CallbackFormatError('the body is not UTF-8', { cause: err })
  }
  const e = readJsonObject(text, 'the body')
  const fail = (what: string): never => {
    throw new CallbackFormatError(`envelope: ${what}`)
  }
  for (const field of ['id', 'create_time', 'event_type'] as const) {
    if (!nonEmpty(e[field])) fail(`${field} must be a non-empty string`)
  }
  if (e.resource_type !== ENCRYPTED_RESOURCE_TYPE) {
    fail(`resource_type must be ${ENCRYPTED_RESOURCE_TYPE}`)
  }
  if (e.summary !== undefined && typeof e.summary !== 'string') fail('summary must be a string')
  const r = e.resource
  if (typeof r !== 'object' || r === null || Array.isArray(r)) fail('resource must be an object')
  const res = r as Record<string, unknown>
  if (res.algorithm !== RESOURCE_ALGORITHM) fail(`resource.algorithm must be ${RESOURCE_ALGORITHM}`)
  for (const field of ['original_type', 'associated_data', 'nonce', 'ciphertext'] as const) {
    if (!nonEmpty(res[field])) fail(`resource.${field} must be a non-empty string`)
  }
  return { ...(e as unknown as CallbackEnvelope), summary: (e.summary as string | undefined) ?? '' }
}

/**
 * The decrypted resource, which must be a JSON object. Throws CallbackDecryptError when it
 * does not decrypt under the APIv3 key, CallbackFormatError when it is not a JSON object.
 */
export function readCallbackResource(
  envelope: CallbackEnvelope,
  apiv3Key: string,
): Record<string, unknown> {
  const plaintext = decryptCallbackResource({
    ciphertext: envelope.resource.ciphertext,
    apiv3Key,
    associatedData: envelope.resource.associated_data,
    nonce: envelope.resource.nonce,
  })
  return readJsonObject(plaintext, 'the decrypted resource')
}

function readJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CallbackFormatError(`${what} is not JSON`, { cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CallbackFormatError(`${what} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== ''
}
