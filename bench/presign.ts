import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { PresignedRequest } from './load-types.ts'

export type UnsignedRequest = Omit<PresignedRequest, 'headers'>

export interface Signer {
  mchid: string
  serialNo: string
  privateKeyPem: string
}

/**
 * Signs every request (one RSA signature each, a unique nonce each) on every core, before the
 * measured window, and writes them as JSON lines for the loader. Timestamps are "now", so the
 * file is good for the server's ±300 s window: sign just before the run.
 */
export async function presign(file: string, signer: Signer, requests: UnsignedRequest[]) {
  const parts = availableParallelism()
  const size = Math.ceil(requests.length / parts)
  const chunks = await Promise.all(
    Array.from(
      { length: parts },
      (_, i) =>
        new Promise<string>((ok, fail) => {
          const w = new Worker(new URL('./sign-worker.mjs', import.meta.url), {
            workerData: { ...signer, requests: requests.slice(i * size, (i + 1) * size) },
          })
          w.once('message', ok)
          w.once('error', fail)
        }),
    ),
  )
  writeFileSync(file, `${chunks.filter((c) => c !== '').join('\n')}\n`)
}
