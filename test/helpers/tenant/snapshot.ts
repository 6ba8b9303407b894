import { API } from '../fixtures.ts'
import { couponUrl, listUrl, type World } from './world.ts'

/** A's whole state as A reads it, taken before and after the matrix to show nothing moved. */

export async function snapshotOfA(x: World): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const read = async (key: string, path: string) => {
    const r = await x.s.call('GET', path, undefined, { partner: x.t.A.creds })
    out[key] = { status: r.status, body: r.json }
  }
  const A = x.t.A
  await read('notify config', `${API}/notify-configs`)
  for (const p of x.pcs.filter((p) => p.owner === 'A')) {
    const url = `${API}/product-coupons/${p.pc}`
    await read(`product coupon ${p.pc}`, `${url}?brand_id=${p.brand}`)
    await read(`stocks of ${p.pc}`, `${url}/stocks?brand_id=${p.brand}&page_size=50`)
    for (const st of p.stocks) await read(`stock ${st}`, `${url}/stocks/${st}?brand_id=${p.brand}`)
  }
  for (const c of x.coupons.filter((c) => c.owner === 'A')) {
    const q = new URLSearchParams({
      product_coupon_id: c.pc,
      stock_id: c.stock,
      appid: c.appid,
      brand_id: c.brand,
    })
    await read(`coupon ${c.code}`, `${couponUrl(c.openid, c.code)}?${q}`)
  }
  for (const b of ['A', 'AX'] as const) {
    const list = { brand: x.brand[b], appid: A.appid, openid: A.openid }
    await read(`A's user's coupons under brand ${b}`, listUrl(list, '&page_size=50'))
  }
  const other = { brand: x.brand.A, ...x.a2 }
  await read("the user of A's second appid", listUrl(other, '&page_size=50'))
  // Callback bodies, not their delivery state: the receiver may answer at any moment.
  const n = await x.s.admin('GET', `/sandbox/notifications?mchid=${A.mchid}&limit=200`)
  out.notifications = (
    n.json.notifications as { id: string; event_type: string; plaintext: unknown }[]
  )
    .map(({ id, event_type, plaintext }) => ({ id, event_type, plaintext }))
    .sort((p, q) => (p.id < q.id ? -1 : 1))
  return out
}
