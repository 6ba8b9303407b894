import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SandboxFile } from '../packages/sdk/src/schemas/sandbox-file.ts'
import type { Signer } from './presign.ts'

/**
 * The settings file every bench server gets: rate limits off, since the bench measures the
 * server, not the spec's 500/s interface limit. `extra` adds other behaviour settings.
 */
export function settingsFile(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'bench-settings.json')
  writeFileSync(
    file,
    JSON.stringify({ rateLimits: { enabled: false, per: 'brand', overrides: {} }, ...extra }),
  )
  return file
}

/** The ready tenant of the sandbox.json a server wrote into its data dir when it started. */
export function signerOf(dataDir: string): { signer: Signer; sandbox: SandboxFile } {
  const sandbox = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as SandboxFile
  return {
    sandbox,
    signer: {
      mchid: sandbox.partner.mchid,
      serialNo: sandbox.partner.serial_no,
      privateKeyPem: readFileSync(sandbox.partner.private_key_file, 'utf8'),
    },
  }
}
