import { html } from 'htm/preact'

/**
 * The two pictures of the console: a coupon's life as a state diagram with its current state
 * marked, and a stock's budget use over sandbox time. Plain SVG, no chart library.
 */

const NODES: Record<string, [number, number]> = {
  CONFIRMING: [70, 60],
  PENDING: [230, 60],
  EFFECTIVE: [390, 60],
  USED: [550, 60],
  EXPIRED: [390, 160],
  DEACTIVATED: [230, 160],
  DELETED: [550, 160],
}

const EDGES: [string, string, string][] = [
  ['CONFIRMING', 'PENDING', 'confirm'],
  ['PENDING', 'EFFECTIVE', 'valid from'],
  ['EFFECTIVE', 'USED', 'use'],
  ['USED', 'EFFECTIVE', 'return'],
  ['EFFECTIVE', 'EXPIRED', 'valid until'],
  ['EFFECTIVE', 'DEACTIVATED', 'deactivate'],
  ['EFFECTIVE', 'DELETED', 'user deletes'],
]

export function StateDiagram({ current }: { current: string }) {
  return html`<svg class="diagram" viewBox="0 0 640 210" role="img" aria-label=${`coupon state ${current}`}>
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" />
      </marker>
    </defs>
    ${EDGES.map(([from, to, label], i) => {
      const [x1, y1] = NODES[from] ?? [0, 0]
      const [x2, y2] = NODES[to] ?? [0, 0]
      const back = from === 'USED' && to === 'EFFECTIVE'
      const dy = back ? -34 : y1 === y2 ? 0 : 0
      const sx = x1 + (x2 > x1 ? 58 : x2 < x1 ? -58 : 0)
      const ex = x2 + (x2 > x1 ? -58 : x2 < x1 ? 58 : 0)
      const sy = y1 + (y2 > y1 ? 20 : 0) + (back ? -20 : 0)
      const ey = y2 + (y2 > y1 ? -20 : 0) + (back ? -20 : 0)
      const path = back
        ? `M ${x1} ${sy} C ${x1} ${sy + dy}, ${x2} ${ey + dy}, ${x2} ${ey}`
        : `M ${sx} ${sy} L ${ex} ${ey}`
      const lx = back ? (x1 + x2) / 2 : (sx + ex) / 2
      const ly = back ? sy + dy + 4 : (sy + ey) / 2 - 6
      return html`<g key=${i}>
        <path d=${path} fill="none" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)" />
        <text x=${lx} y=${ly} class="edge-label" text-anchor="middle">${label}</text>
      </g>`
    })}
    ${Object.entries(NODES).map(
      ([
        state,
        [x, y],
      ]) => html`<g key=${state} class=${state === current ? 'node current' : 'node'} data-state=${state}>
        <rect x=${x - 58} y=${y - 20} width="116" height="40" rx="8" />
        <text x=${x} y=${y + 5} text-anchor="middle">${state}</text>
      </g>`,
    )}
  </svg>`
}

export function BudgetChart(p: {
  maxCount: number | undefined
  points: { start: string; count: number }[]
}) {
  const w = 640
  const h = 200
  const pad = 36
  let total = 0
  const cumulative = p.points.map((x) => {
    total += x.count
    return { t: Date.parse(x.start), n: total }
  })
  const top = Math.max(p.maxCount ?? 0, total, 1)
  if (cumulative.length === 0)
    return html`<p class="muted">No coupon issued from this stock yet.</p>`
  const t0 = cumulative[0]?.t ?? 0
  const t1 = Math.max(cumulative.at(-1)?.t ?? 0, t0 + 1)
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (w - 2 * pad)
  const y = (n: number) => h - pad - (n / top) * (h - 2 * pad)
  const line = cumulative.map((c, i) => `${i === 0 ? 'M' : 'L'} ${x(c.t)} ${y(c.n)}`).join(' ')
  return html`<svg class="chart" viewBox=${`0 0 ${w} ${h}`} role="img" aria-label="budget use over time">
    <line x1=${pad} y1=${h - pad} x2=${w - pad} y2=${h - pad} class="axis" />
    <line x1=${pad} y1=${pad} x2=${pad} y2=${h - pad} class="axis" />
    ${
      p.maxCount === undefined
        ? null
        : html`<line x1=${pad} y1=${y(p.maxCount)} x2=${w - pad} y2=${y(p.maxCount)} class="limit" />
          <text x=${w - pad} y=${y(p.maxCount) - 4} text-anchor="end" class="edge-label">max_count ${p.maxCount}</text>`
    }
    <path d=${line} class="series" fill="none" />
    ${cumulative.map((c, i) => html`<circle key=${i} cx=${x(c.t)} cy=${y(c.n)} r="3" class="dot" />`)}
    <text x=${pad} y=${h - 10} class="edge-label">${new Date(t0).toISOString().slice(0, 16)}</text>
    <text x=${w - pad} y=${h - 10} text-anchor="end" class="edge-label">${new Date(t1).toISOString().slice(0, 16)}</text>
    <text x=${pad - 6} y=${y(total)} text-anchor="end" class="edge-label">${total}</text>
  </svg>`
}
