import { join, resolve } from 'node:path'

/**
 * What a failed start says, the same whether one process or a cluster's primary and workers
 * hit it: the path or the setting at fault and what to do, instead of errno text such as
 * `EEXIST: file already exists, mkdir` or `unable to open database file` without the file.
 */
export interface StartContext {
  dataDir: string
  host: string
  port: number
  /** Set when the database is PostgreSQL (its label, without a password). */
  database?: string | undefined
}

export function explainStartupError(e: unknown, c: StartContext): Error {
  if (!(e instanceof Error)) return new Error(String(e))
  // Already explained (a settings file, the lock, a worker's report): keep it.
  if (e.name === 'StartupError') return e
  const code = String((e as { code?: unknown }).code ?? '')
  const dir = resolve(c.dataDir)
  const dbFile = join(dir, 'wxcoupon.db')
  const path = (e as { path?: unknown }).path
  const at = typeof path === 'string' ? path : dir
  const explained = (message: string) => {
    const out = new Error(message)
    out.name = 'StartupError'
    return out
  }
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return explained(
        `data dir ${c.dataDir} (--data-dir or WXCOUPON_DATA_DIR): ${at} exists and is not a directory`,
      )
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return explained(
        `data dir ${c.dataDir} (--data-dir or WXCOUPON_DATA_DIR): no permission to write ${at} (${code})`,
      )
    case 'ENOSPC':
      return explained(`data dir ${c.dataDir}: the disk is full (${at})`)
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return explained(
        `the database ${dbFile} is not a SQLite database or is damaged (${code}); move it away to start afresh, or give another --data-dir`,
      )
    case 'SQLITE_CANTOPEN':
      return explained(`cannot open the database ${dbFile} (${code}): ${e.message}`)
    case 'SQLITE_READONLY':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
      return explained(`the database ${dbFile} cannot be written (${code}): ${e.message}`)
    case 'EADDRINUSE':
      return explained(
        `port ${c.port} on ${c.host} is in use by another program (EADDRINUSE; --port, WXCOUPON_PORT or PORT; 0 picks a free one)`,
      )
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return explained(`cannot listen on host ${c.host} (--host or WXCOUPON_HOST): ${code}`)
    case 'ECONNREFUSED':
    case '28P01':
    case '3D000':
      return explained(
        `cannot use the database ${c.database ?? 'PostgreSQL'} (--db or DATABASE_URL): ${e.message}`,
      )
    default:
      if (e.message === 'unable to open database file') {
        return explained(`cannot open the database ${dbFile}: ${e.message}`)
      }
      return e
  }
}
