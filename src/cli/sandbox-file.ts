import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { SandboxFile } from '../server/start.ts'

/**
 * sandbox.json of a data dir, with the keys and ids an SDK client and a callback receiver need.
 * Failures are one-line Errors for `wxcoupon: …`, naming the command that would fix them.
 */
export async function readSandboxFile(dataDir: string): Promise<SandboxFile> {
  const file = join(resolve(dataDir), 'sandbox.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `no sandbox.json in ${dataDir}: start the server with \`wxcoupon serve --data-dir ${dataDir}\`, or pass the --data-dir it uses`,
      )
    }
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const s = (parsed ?? {}) as Partial<SandboxFile>
  const complete =
    typeof s.base_url === 'string' &&
    typeof s.platform?.public_key_file === 'string' &&
    typeof s.platform.public_key_id === 'string' &&
    typeof s.partner?.mchid === 'string' &&
    typeof s.partner.serial_no === 'string' &&
    typeof s.partner.private_key_file === 'string' &&
    typeof s.partner.apiv3_key === 'string'
  if (!complete) {
    throw new Error(`${file} is not a wxcoupon sandbox.json (keys or base_url missing)`)
  }
  return s as SandboxFile
}
