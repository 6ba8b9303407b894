import { BlockList, isIP } from 'node:net'

/**
 * Where callbacks may go (issue 4 §6, OWASP API7). A notify_url is an absolute http(s) URL with a
 * path and no query; loopback is allowed (a developer's local app), link-local and cloud
 * metadata addresses never are, other private ranges only when the setting says so.
 */
export function notifyUrlProblem(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http:// or https://'
  if (url.username || url.password) return 'must not carry credentials'
  if (url.search || raw.includes('?')) return 'must not carry a query string'
  if (url.hash || raw.includes('#')) return 'must not carry a fragment'
  if (url.pathname === '' || url.pathname === '/') return 'must have a path'
  return undefined
}

const NEVER = new BlockList()
NEVER.addSubnet('0.0.0.0', 8, 'ipv4')
NEVER.addSubnet('169.254.0.0', 16, 'ipv4')
NEVER.addSubnet('224.0.0.0', 4, 'ipv4')
NEVER.addSubnet('240.0.0.0', 4, 'ipv4')
NEVER.addAddress('::', 'ipv6')
NEVER.addSubnet('fe80::', 10, 'ipv6')
NEVER.addAddress('fd00:ec2::254', 'ipv6')
NEVER.addSubnet('ff00::', 8, 'ipv6')

const PRIVATE = new BlockList()
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4')
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4')
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')

/** Whether a resolved address may receive a callback. */
export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  const ip = mapped?.[1] ?? address
  const family = isIP(ip)
  if (family === 0) return false
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (NEVER.check(ip, type)) return false
  if (PRIVATE.check(ip, type)) return allowPrivate
  return true
}
