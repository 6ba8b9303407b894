import { html } from 'htm/preact'
import { useCallback, useEffect, useState } from 'preact/hooks'

/** Small pieces every page uses: loading a control's answer, errors, forms, JSON. */

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const reload = useCallback(() => {
    setError(undefined)
    load().then(setData, (e: Error) => setError(e.message))
  }, deps)
  useEffect(reload, [reload])
  return { data, error, reload }
}

export function Failure({ error }: { error: string | undefined }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null
}

export function Json({ value }: { value: unknown }) {
  const text = typeof value === 'string' ? pretty(value) : JSON.stringify(value, null, 2)
  return html`<pre class="json">${text}</pre>`
}

function pretty(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2)
  } catch {
    return s
  }
}

/** Runs an action, then `after`; shows what failed. */
export function useAction(after: () => void) {
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const run = (f: () => Promise<unknown>) => {
    setBusy(true)
    setError(undefined)
    f().then(
      () => {
        setBusy(false)
        after()
      },
      (e: Error) => {
        setBusy(false)
        setError(e.message)
      },
    )
  }
  return { run, busy, error }
}

export function formValues(e: Event): Record<string, string> {
  e.preventDefault()
  const form = e.currentTarget as HTMLFormElement
  const out: Record<string, string> = {}
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v !== '') out[k] = v
  return out
}

export const short = (s: string | undefined, n = 10) =>
  s === undefined ? '' : s.length > n ? `${s.slice(0, n)}…` : s
