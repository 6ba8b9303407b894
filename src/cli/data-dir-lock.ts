import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * One server per data dir: a second `wxcoupon serve` on a dir in use would rewrite its
 * sandbox.json and take its clients. `serve.lock` names the process holding the dir and, once
 * it listens, its URL; a lock whose process is gone (killed, crashed) is taken over.
 */
export interface DataDirLock {
  /** Records where the holder listens, for the message a second server prints. */
  listening(url: string): void
  release(): void
}

interface Holder {
  pid: number
  url?: string
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, 'serve.lock')
  const write = (holder: Holder) => {
    const tmp = `${file}.${process.pid}.tmp`
    const fd = openSync(tmp, 'w', 0o600)
    writeSync(fd, `${JSON.stringify(holder)}\n`)
    closeSync(fd)
    renameSync(tmp, file)
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, `${JSON.stringify({ pid: process.pid })}\n`)
      closeSync(fd)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e
      const holder = readHolder(file)
      if (holder && holder.pid !== process.pid && alive(holder.pid)) {
        const where = holder.url ? `, listening on ${holder.url}` : ''
        throw new Error(
          `the data dir ${dataDir} is in use by another wxcoupon server (PID ${holder.pid}${where}); stop it, or give this one another --data-dir`,
        )
      }
      // Left by a server that is gone.
      unlinkSync(file)
    }
  }
  let released = false
  const release = () => {
    if (released) return
    released = true
    try {
      if (readHolder(file)?.pid === process.pid) unlinkSync(file)
    } catch {
      // Already gone: nothing to release.
    }
  }
  process.on('exit', release)
  return {
    listening: (url) => write({ pid: process.pid, url }),
    release,
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>
    return typeof h.pid === 'number' ? (h as Holder) : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
