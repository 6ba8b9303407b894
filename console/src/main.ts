import { html, render } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import { call, session, whenUnauthorized } from './api.ts'
import {
  ApiBrowser,
  Callbacks,
  ClockAndFaults,
  CouponPage,
  Coupons,
  Overview,
  ProductCoupons,
  Requests,
  StockPage,
} from './pages.ts'
import { Failure } from './ui.ts'

/**
 * The sandbox console, served by the sandbox at /console: sign in with the admin token (from
 * sandbox.json), then browse and drive the sandbox through its admin API. Pages are addressed
 * by the URL's hash, so a link to a coupon or a request can be shared within the team.
 */

const NAV: [string, string][] = [
  ['#/', 'Tenants'],
  ['#/product-coupons', 'Product coupons'],
  ['#/coupons', 'Coupons'],
  ['#/callbacks', 'Callbacks'],
  ['#/requests', 'Requests'],
  ['#/clock', 'Clock & faults'],
  ['#/api', 'API'],
]

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/')
  useEffect(() => {
    const on = () => setHash(location.hash || '#/')
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return hash
}

function Page({ hash }: { hash: string }) {
  const parts = hash.slice(2).split('/').map(decodeURIComponent)
  switch (parts[0]) {
    case 'product-coupons':
      return html`<${ProductCoupons} />`
    case 'stock':
      return html`<${StockPage} stockId=${parts[1] ?? ''} key=${parts[1]} />`
    case 'coupons':
      return html`<${Coupons} />`
    case 'coupon':
      return html`<${CouponPage} stockId=${parts[1] ?? ''} code=${parts[2] ?? ''} key=${hash} />`
    case 'callbacks':
      return html`<${Callbacks} />`
    case 'requests':
      return parts[1]
        ? html`<${Requests} requestId=${parts[1]} key=${parts[1]} />`
        : html`<${Requests} />`
    case 'clock':
      return html`<${ClockAndFaults} />`
    case 'api':
      return html`<${ApiBrowser} />`
    default:
      return html`<${Overview} />`
  }
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined)
  return html`<main class="signin">
    <h1>wxcoupon console</h1>
    <p>Sign in with the sandbox's admin token: <code>admin_token</code> in <code>sandbox.json</code> of its data dir.</p>
    <form onSubmit=${(e: Event) => {
      e.preventDefault()
      const token = new FormData(e.currentTarget as HTMLFormElement).get('token')
      session.signIn(String(token ?? ''))
      call('get_clock', 'GET', '/clock').then(onDone, (err: Error) => {
        session.signOut()
        setError(err.message)
      })
    }}>
      <label>Admin token <input name="token" type="password" autocomplete="off" required /></label>
      <button>Sign in</button>
    </form>
    <${Failure} error=${error} />
  </main>`
}

function App() {
  const [signedIn, setSignedIn] = useState(session.token() !== null)
  const hash = useHash()
  useEffect(() => whenUnauthorized(() => setSignedIn(false)), [])
  if (!signedIn) return html`<${SignIn} onDone=${() => setSignedIn(true)} />`
  const active =
    NAV.filter(([h]) => hash === h || (h !== '#/' && hash.startsWith(h))).at(-1)?.[0] ?? '#/'
  return html`<div class="shell">
    <nav>
      <strong class="brand">wxcoupon</strong>
      ${NAV.map(([h, label]) => html`<a key=${h} href=${h} class=${h === active ? 'active' : ''}>${label}</a>`)}
      <button class="link" onClick=${() => {
        session.signOut()
        setSignedIn(false)
      }}>Sign out</button>
    </nav>
    <main><${Page} hash=${hash} /></main>
  </div>`
}

const root = document.getElementById('app')
if (root) render(html`<${App} />`, root)
