import { html } from 'htm/preact'
import { useState } from 'preact/hooks'
import { call, query } from './api.ts'
import { BudgetChart, StateDiagram } from './charts.ts'
import { Failure, formValues, Json, short, useAction, useLoad } from './ui.ts'

/** The console's pages, one per thing a developer wants to see or drive in the sandbox. */

export function Overview() {
  const tenants = useLoad(
    () =>
      Promise.all([
        call('list_partners', 'GET', '/partners'),
        call('list_brands', 'GET', '/brands'),
        call('list_appids', 'GET', '/appids'),
      ]),
    [],
  )
  const [partners, brands, appids] = tenants.data ?? [[], [], []]
  return html`<section>
    <h1>Tenants</h1>
    <${Failure} error=${tenants.error} />
    <h2>Partners</h2>
    <table>
      <thead><tr><th>mchid</th><th>certificate serial numbers (key ids)</th></tr></thead>
      <tbody>${partners.map((p) => html`<tr key=${p.mchid}><td>${p.mchid}</td><td class="mono">${p.serial_nos.join(', ')}</td></tr>`)}</tbody>
    </table>
    <h2>Brands</h2>
    <table>
      <thead><tr><th>brand_id</th><th>authorised partners</th></tr></thead>
      <tbody>${brands.map((b) => html`<tr key=${b.brand_id}><td>${b.brand_id}</td><td>${b.partner_mchids.join(', ')}</td></tr>`)}</tbody>
    </table>
    <h2>AppIDs</h2>
    <table>
      <thead><tr><th>appid</th><th>bound to</th></tr></thead>
      <tbody>${appids.map((a) => html`<tr key=${a.appid}><td class="mono">${a.appid}</td><td>${a.mchid ? `partner ${a.mchid}` : `brand ${a.brand_id}`}</td></tr>`)}</tbody>
    </table>
    <${UserForm} appids=${appids.map((a) => a.appid)} />
    <p class="muted">Private keys and APIv3 keys are never shown: the sandbox hands a partner's key out once, when it is created.</p>
  </section>`
}

function UserForm({ appids }: { appids: string[] }) {
  const [openid, setOpenid] = useState<string | undefined>(undefined)
  const act = useAction(() => {})
  return html`<form class="inline" onSubmit=${(e: Event) => {
    const v = formValues(e)
    act.run(async () =>
      setOpenid((await call('create_openid', 'POST', '/openids', { appid: v.appid })).openid),
    )
  }}>
    <label>New user under <select name="appid">${appids.map((a) => html`<option key=${a}>${a}</option>`)}</select></label>
    <button>Create user</button>
    ${openid ? html`<span class="ok">openid <code>${openid}</code></span>` : null}
    <${Failure} error=${act.error} />
  </form>`
}

export function ProductCoupons() {
  const list = useLoad(() => call('list_product_coupons', 'GET', '/product-coupons'), [])
  return html`<section>
    <h1>Product coupons and stocks</h1>
    <${Failure} error=${list.error} />
    ${list.data?.data.length === 0 ? html`<p class="muted">No product coupon yet: create one through the API (POST /v3/…/product-coupons).</p>` : null}
    ${list.data?.data.map(
      ({ product_coupon: pc, stocks }) => html`<article key=${pc.product_coupon_id} class="card">
        <h2>${pc.display_info.name} <span class=${`state s-${pc.state}`}>${pc.state}</span></h2>
        <p class="mono">product_coupon_id ${pc.product_coupon_id} · brand ${pc.brand_id} · ${pc.type} · ${pc.usage_mode}</p>
        <table>
          <thead><tr><th>stock</th><th>state</th><th>sent / max_count</th><th>today / per day</th><th></th></tr></thead>
          <tbody>${stocks.map(
            (s) => html`<tr key=${s.stock_id}>
              <td class="mono">${s.stock_id}</td>
              <td><span class=${`state s-${s.state}`}>${s.state}</span></td>
              <td><${Meter} used=${s.sent_count_info.total_count} max=${s.stock_send_rule.max_count} /></td>
              <td>${s.sent_count_info.today_count} / ${s.stock_send_rule.max_count_per_day ?? '—'}</td>
              <td><a href=${`#/stock/${s.stock_id}`}>budget and coupons →</a></td>
            </tr>`,
          )}</tbody>
        </table>
      </article>`,
    )}
  </section>`
}

function Meter({ used, max }: { used: number; max: number | undefined }) {
  const share = max ? Math.min(1, used / max) : 0
  return html`<span class="meter" title=${`${used} of ${max ?? '∞'}`}>
    <span class="bar"><span style=${`width:${Math.round(share * 100)}%`}></span></span> ${used} / ${max ?? '∞'}
  </span>`
}

export function StockPage({ stockId }: { stockId: string }) {
  const budget = useLoad(
    () => call('get_stock_budget', 'GET', `/stocks/${stockId}/budget`),
    [stockId],
  )
  const tenants = useLoad(() => call('list_appids', 'GET', '/appids'), [])
  const [issued, setIssued] = useState<string | undefined>(undefined)
  const act = useAction(budget.reload)
  const s = budget.data?.stock
  return html`<section>
    <h1>Stock <span class="mono">${stockId}</span></h1>
    <${Failure} error=${budget.error} />
    ${
      s
        ? html`<p><span class=${`state s-${s.state}`}>${s.state}</span> · sent ${s.sent_count_info.total_count} of ${s.stock_send_rule.max_count ?? '∞'} · product coupon <span class="mono">${s.product_coupon_id}</span></p>
        <h2>Budget use over sandbox time</h2>
        <${BudgetChart} maxCount=${s.stock_send_rule.max_count} points=${budget.data?.issued.points ?? []} />
        <h2>Issue a coupon</h2>
        <form class="inline" onSubmit=${(e: Event) => {
          const v = formValues(e)
          act.run(async () => {
            const c = await call('issue_coupon', 'POST', '/coupons/issue', {
              product_coupon_id: s.product_coupon_id,
              stock_id: stockId,
              appid: v.appid,
              openid: v.openid,
              send_channel: v.send_channel,
            })
            setIssued(c.coupon_code)
          })
        }}>
          <label>AppID <select name="appid">${(tenants.data ?? []).map((a) => html`<option key=${a.appid}>${a.appid}</option>`)}</select></label>
          <label>openid <input name="openid" required placeholder="o…" /></label>
          <label>channel <select name="send_channel"><option>BRAND_MANAGE</option><option>MERCHANT_CARD</option><option>MEMBER</option></select></label>
          <button disabled=${act.busy}>Issue</button>
          ${issued ? html`<a class="ok" href=${`#/coupon/${stockId}/${issued}`}>coupon ${issued} →</a>` : null}
        </form>
        <${Failure} error=${act.error} />
        <${CouponList} stockId=${stockId} key=${issued ?? ''} />`
        : null
    }
  </section>`
}

const STATES = ['CONFIRMING', 'PENDING', 'EFFECTIVE', 'USED', 'EXPIRED', 'DELETED', 'DEACTIVATED']

export function Coupons() {
  return html`<section><h1>Coupons</h1><${CouponList} /></section>`
}

function CouponList({ stockId }: { stockId?: string }) {
  const [filter, setFilter] = useState<Record<string, string>>(stockId ? { stock_id: stockId } : {})
  const list = useLoad(
    () => call('list_coupons', 'GET', `/coupons${query({ ...filter, limit: '100' })}`),
    [JSON.stringify(filter)],
  )
  return html`<div>
    <form class="inline filters" onSubmit=${(e: Event) => setFilter(formValues(e))}>
      <label>state <select name="state"><option value="">any</option>${STATES.map((s) => html`<option key=${s} selected=${filter.state === s}>${s}</option>`)}</select></label>
      <label>user (openid) <input name="openid" defaultValue=${filter.openid ?? ''} /></label>
      <label>stock <input name="stock_id" defaultValue=${filter.stock_id ?? ''} /></label>
      <button>Filter</button>
    </form>
    <${Failure} error=${list.error} />
    <table class="coupons">
      <thead><tr><th>coupon_code</th><th>state</th><th>stock</th><th>received</th><th>valid until</th></tr></thead>
      <tbody>${list.data?.data.map(
        ({ coupon: c }) => html`<tr key=${c.coupon_code}>
          <td><a class="mono" href=${`#/coupon/${c.stock.stock_id}/${c.coupon_code}`}>${c.coupon_code}</a></td>
          <td><span class=${`state s-${c.coupon_state}`}>${c.coupon_state}</span></td>
          <td class="mono">${c.stock.stock_id}</td>
          <td>${c.receive_time}</td>
          <td>${c.valid_end_time}</td>
        </tr>`,
      )}</tbody>
    </table>
    ${list.data?.data.length === 0 ? html`<p class="muted">No coupon matches.</p>` : null}
  </div>`
}

export function CouponPage({ stockId, code }: { stockId: string; code: string }) {
  const coupon = useLoad(
    () => call('list_coupons', 'GET', `/coupons${query({ stock_id: stockId, coupon_code: code })}`),
    [stockId, code],
  )
  const calls = useLoad(
    () => call('list_requests', 'GET', `/requests${query({ coupon_code: code, limit: '200' })}`),
    [code],
  )
  const c = coupon.data?.data[0]?.coupon
  const entries = [...(calls.data?.data ?? [])].reverse()
  let before = '—'
  return html`<section>
    <h1>Coupon <span class="mono">${code}</span></h1>
    <${Failure} error=${coupon.error ?? calls.error} />
    ${
      c
        ? html`<p>state <strong class=${`state s-${c.coupon_state}`} data-testid="coupon-state">${c.coupon_state}</strong> · valid ${c.valid_begin_time} … ${c.valid_end_time} · received ${c.receive_time} through ${c.send_channel}</p>
        <${StateDiagram} current=${c.coupon_state} />`
        : coupon.data
          ? html`<p class="muted">No such coupon.</p>`
          : null
    }
    <h2>Timeline</h2>
    <p class="muted">Every API call that touched this coupon, oldest first; time is the sandbox clock; the state before is what the previous call left.</p>
    <table class="timeline">
      <thead><tr><th>sandbox time</th><th>operation</th><th>request number</th><th>status</th><th>state before → after</th><th>Request-ID</th></tr></thead>
      <tbody>${entries.map((e) => {
        const after = e.coupon_state ?? before
        const row = html`<tr key=${e.request_id}>
          <td>${e.sandbox_time}</td>
          <td>${e.operation ?? '—'}</td>
          <td class="mono">${e.out_request_no ?? '—'}</td>
          <td>${e.status}${e.code ? ` ${e.code}` : ''}</td>
          <td>${before} → ${e.status < 300 ? after : before}</td>
          <td><a class="mono" href=${`#/requests/${e.request_id}`}>${short(e.request_id, 14)}</a></td>
        </tr>`
        if (e.status < 300) before = after
        return row
      })}</tbody>
    </table>
  </section>`
}

export function Callbacks() {
  const list = useLoad(() => call('list_notifications', 'GET', '/notifications?limit=50'), [])
  const act = useAction(list.reload)
  return html`<section>
    <h1>Callbacks</h1>
    <${Failure} error=${list.error ?? act.error} />
    ${list.data?.notifications.length === 0 ? html`<p class="muted">No callback yet. Every issued coupon gets one (PRODUCT_COUPON_SP.SEND).</p>` : null}
    ${list.data?.notifications.map(
      (n) => html`<article key=${n.id} class="card notification" data-id=${n.id}>
        <h2>${n.event_type} <span class=${`state s-${n.state}`}>${n.state}</span></h2>
        <p class="mono">${n.id} · partner ${n.mchid} · created ${n.create_time} · next attempt ${n.next_attempt_time}</p>
        <button disabled=${act.busy} onClick=${() => act.run(() => call('redeliver_notification', 'POST', `/notifications/${n.id}/redeliver`, {}))}>Redeliver now</button>
        <h3>Attempts</h3>
        <table class="attempts">
          <thead><tr><th>#</th><th>kind</th><th>at</th><th>result</th><th>latency</th></tr></thead>
          <tbody>${n.attempts.map((a) => html`<tr key=${a.attempt_no}><td>${a.attempt_no}</td><td>${a.kind}</td><td>${a.at}</td><td>${a.status === undefined ? a.error : `HTTP ${a.status}`}</td><td>${Math.round(a.latency_ms)} ms</td></tr>`)}</tbody>
        </table>
        <details><summary>Decrypted payload</summary><${Json} value=${n.plaintext} /></details>
      </article>`,
    )}
  </section>`
}

export function ClockAndFaults() {
  const clock = useLoad(() => call('get_clock', 'GET', '/clock'), [])
  const faults = useLoad(() => call('list_faults', 'GET', '/faults'), [])
  const act = useAction(() => {
    clock.reload()
    faults.reload()
  })
  return html`<section>
    <h1>Clock, faults and reset</h1>
    <h2>Sandbox clock</h2>
    <p>Now: <strong data-testid="clock">${clock.data?.now ?? '…'}</strong></p>
    <form class="inline" onSubmit=${(e: Event) => {
      const v = formValues(e)
      act.run(() =>
        call('set_clock', 'POST', '/clock', {
          advance_seconds: Number(v.seconds) * Number(v.unit),
        }),
      )
    }}>
      <label>Advance by <input name="seconds" type="number" min="0" defaultValue="1" required /></label>
      <select name="unit"><option value="1">seconds</option><option value="60">minutes</option><option value="3600">hours</option><option value="86400" selected>days</option></select>
      <button>Advance</button>
    </form>
    <form class="inline" onSubmit=${(e: Event) => {
      const v = formValues(e)
      act.run(() => call('set_clock', 'POST', '/clock', { now: v.now }))
    }}>
      <label>Set to <input name="now" placeholder="2030-01-01T00:00:00+08:00" required /></label>
      <button>Set</button>
    </form>
    <h2>Faults</h2>
    <form class="inline" onSubmit=${(e: Event) => {
      const v = formValues(e)
      act.run(() =>
        call('add_fault', 'POST', '/faults', {
          operation: v.operation,
          mode: v.mode,
          count: Number(v.count),
          ...(v.mode === 'DELAY' ? { delay_ms: 2000 } : {}),
        }),
      )
    }}>
      <label>Operation <input name="operation" defaultValue="return" required /></label>
      <label>Mode <select name="mode"><option>SYSTEM_ERROR</option><option>RATELIMIT_EXCEEDED</option><option>DELAY</option></select></label>
      <label>Next <input name="count" type="number" min="1" defaultValue="1" required /> calls</label>
      <button>Add fault</button>
    </form>
    <table class="faults">
      <thead><tr><th>id</th><th>operation</th><th>mode</th><th>scope</th><th>hits</th><th></th></tr></thead>
      <tbody>${faults.data?.faults.map(
        (
          f,
        ) => html`<tr key=${f.fault_id}><td>${f.fault_id}</td><td>${f.operation}</td><td>${f.mode}</td><td>${f.count === undefined ? `probability ${f.probability}` : `next ${f.count}`}</td><td>${f.hits}</td>
        <td><button onClick=${() => act.run(() => call('remove_fault', 'DELETE', `/faults/${f.fault_id}`))}>Remove</button></td></tr>`,
      )}</tbody>
    </table>
    ${faults.data?.faults.length ? html`<button onClick=${() => act.run(() => call('clear_faults', 'DELETE', '/faults'))}>Clear all faults</button>` : html`<p class="muted">No fault in force.</p>`}
    <h2>Reset</h2>
    <p>Wipes every product coupon, stock, coupon, request number and the request journal; tenants and keys stay.</p>
    <button class="danger" onClick=${() => {
      if (confirm('Wipe every coupon in the sandbox?'))
        act.run(() => call('reset', 'POST', '/reset', { clock: true }))
    }}>Reset the sandbox and its clock</button>
    <${Failure} error=${act.error ?? clock.error ?? faults.error} />
  </section>`
}

export function Requests({ requestId }: { requestId?: string }) {
  const [filter, setFilter] = useState<Record<string, string>>({})
  const list = useLoad(
    () =>
      call(
        'list_requests',
        'GET',
        `/requests${query(requestId ? { request_id: requestId } : { ...filter, limit: '100' })}`,
      ),
    [requestId, JSON.stringify(filter)],
  )
  if (requestId) {
    const e = list.data?.data[0]
    return html`<section>
      <h1>Request <span class="mono">${short(requestId, 20)}</span></h1>
      <${Failure} error=${list.error} />
      ${
        e
          ? html`<p>${e.method} <span class="mono">${e.url}</span> → <strong>${e.status}${e.code ? ` ${e.code}` : ''}</strong> in ${e.duration_ms} ms · ${e.time} (sandbox ${e.sandbox_time}) · operation ${e.operation ?? '—'}</p>
          <p>Signature: <strong class=${`verify v-${e.verification.result}`}>${e.verification.result}</strong> ${e.verification.message ?? ''}</p>
          ${e.verification.signed_message === undefined ? null : html`<h2>The string the server verified against</h2><pre class="json">${e.verification.signed_message}</pre>`}
          <h2>Request</h2><${Json} value=${e.request.headers} /><${Json} value=${e.request.body || '(no body)'} />
          <h2>Response</h2><${Json} value=${e.response.headers} /><${Json} value=${e.response.body} />`
          : list.data
            ? html`<p class="muted">Not in the journal (it keeps the newest requests of each partner).</p>`
            : null
      }
    </section>`
  }
  return html`<section>
    <h1>Request journal</h1>
    <form class="inline filters" onSubmit=${(e: Event) => setFilter(formValues(e))}>
      <label>status <input name="status" placeholder="4xx" size="4" /></label>
      <label>operation <input name="operation" placeholder="return" /></label>
      <label>coupon <input name="coupon_code" /></label>
      <label>partner <input name="mchid" /></label>
      <button>Filter</button>
      <button type="button" onClick=${list.reload}>Refresh</button>
    </form>
    <${Failure} error=${list.error} />
    <table class="journal">
      <thead><tr><th>time</th><th>method and path</th><th>operation</th><th>status</th><th>signature</th><th>ms</th><th>Request-ID</th></tr></thead>
      <tbody>${list.data?.data.map(
        (e) => html`<tr key=${e.request_id}>
          <td>${e.time.slice(11, 23)}</td>
          <td class="mono path">${e.method} ${e.url.replace('/v3/marketing/partner/product-coupon', '…')}</td>
          <td>${e.operation ?? '—'}</td>
          <td class=${e.status >= 400 ? 'bad' : ''}>${e.status}${e.code ? ` ${e.code}` : ''}</td>
          <td class=${`verify v-${e.verification.result}`}>${e.verification.result}</td>
          <td>${e.duration_ms}</td>
          <td><a class="mono" href=${`#/requests/${e.request_id}`}>${short(e.request_id, 14)}</a></td>
        </tr>`,
      )}</tbody>
    </table>
    ${list.data?.data.length === 0 ? html`<p class="muted">No request recorded yet.</p>` : null}
  </section>`
}

interface OpenApi {
  info: { title: string; version: string }
  paths: Record<
    string,
    Record<
      string,
      { summary?: string; operationId?: string; requestBody?: unknown; responses?: unknown }
    >
  >
}

export function ApiBrowser() {
  const doc = useLoad(async () => (await (await fetch('/openapi.json')).json()) as OpenApi, [])
  const [filter, setFilter] = useState('')
  const paths = Object.entries(doc.data?.paths ?? {}).filter(([p]) => p.includes(filter))
  return html`<section>
    <h1>API (OpenAPI)</h1>
    <p>${doc.data ? `${doc.data.info.title} ${doc.data.info.version}` : '…'} · <a href="/openapi.json">openapi.json</a></p>
    <input placeholder="filter paths" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} />
    <${Failure} error=${doc.error} />
    ${paths.map(([path, methods]) =>
      Object.entries(methods).map(
        ([method, op]) => html`<details key=${method + path} class="operation">
          <summary><span class=${`method m-${method}`}>${method.toUpperCase()}</span> <span class="mono">${path}</span> <span class="muted">${op.summary ?? ''}</span></summary>
          ${op.requestBody ? html`<h3>Request body</h3><${Json} value=${op.requestBody} />` : null}
          <h3>Responses</h3><${Json} value=${op.responses} />
        </details>`,
      ),
    )}
  </section>`
}
