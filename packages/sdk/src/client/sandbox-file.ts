import { readFile, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Value } from 'typebox/value'
import { SandboxFile } from '../schemas/sandbox-file.ts'
import type { WxCouponClientOptions } from './options.ts'

/**
 * Reads and checks a sandbox's sandbox.json: give the data dir or the file itself. Every
 * failure is one Error whose message names the file and what to do, never a stack of causes.
 */
export async function readSandboxFile(dataDirOrFile: string): Promise<SandboxFile> {
  let file = resolve(dataDirOrFile)
  const isDir = await stat(file).then(
    (s) => s.isDirectory(),
    () => !file.endsWith('.json'),
  )
  if (isDir) file = join(file, 'sandbox.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `no sandbox.json in ${isDir ? dataDirOrFile : file}: start the server with \`wxcoupon serve --data-dir ${isDir ? dataDirOrFile : dirname(file)}\`, or give the data dir it uses`,
      )
    }
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`${file} is not JSON, so not a wxcoupon sandbox.json`)
  }
  if (!Value.Check(SandboxFile, parsed)) {
    const first = [...Value.Errors(SandboxFile, parsed)][0]
    const where = first?.instancePath || '/'
    throw new Error(
      `${file} is not a wxcoupon sandbox.json (${where}: ${first?.message ?? 'invalid'})`,
    )
  }
  return parsed
}

/** The client options that talk to the sandbox as its ready partner. */
export function clientOptionsFromSandbox(s: SandboxFile): WxCouponClientOptions {
  return {
    mchid: s.partner.mchid,
    serialNo: s.partner.serial_no,
    privateKey: s.partner.private_key_file,
    platformPublicKey: s.platform.public_key_file,
    platformPublicKeyId: s.platform.public_key_id,
    baseUrl: s.base_url,
  }
}
