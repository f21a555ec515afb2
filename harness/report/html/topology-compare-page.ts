/**
 * report.html of a `faultline compare --topologies`: the table, and a scatter of convergence time against
 * the graph's algebraic connectivity (λ2, log scale: it spans orders of magnitude from a line to a complete
 * graph), one point per shape for "after the last write" and one for "after the heal". Static HTML and SVG,
 * every value escaped here; nothing runs in the page.
 */
import { escapeHtml as e } from './escape.js';
import { REPORT_CSS } from './page.js';

export interface TopologyCompareRow {
  topology: string;
  nodes: number;
  links: number;
  diameter: number;
  /** The Laplacian's second-smallest eigenvalue of the graph the nodes were given. */
  algebraicConnectivity: number;
  /** Seconds from the end of the load (no faults) until every node held every message; null if never. */
  convergeAfterWriteS: number | null;
  /** Seconds from the heal of the last partition until every node held every message; null if never. */
  convergeAfterHealS: number | null;
  messagesPerOp: number | null;
}

const W = 660;
const H = 380;
const PAD = { l: 64, r: 150, t: 18, b: 48 };
const SERIES = [
  { key: 'convergeAfterWriteS', label: 'after the last write', color: '#1565c0' },
  { key: 'convergeAfterHealS', label: 'after the heal', color: '#c62828' },
] as const;

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/** The scatter; null when no shape has both a positive λ2 and a measured time. */
export function convergencePlot(rows: readonly TopologyCompareRow[]): string | null {
  const pts = rows.flatMap((r) =>
    SERIES.map((s, si) => ({ r, si, x: r.algebraicConnectivity, y: r[s.key] })).filter((p): p is { r: TopologyCompareRow; si: number; x: number; y: number } => p.x > 0 && Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y)),
  );
  if (pts.length === 0) return null;
  const lx = pts.map((p) => Math.log10(p.x));
  const [x0, x1] = [Math.floor(Math.min(...lx)), Math.ceil(Math.max(...lx)) + (Math.min(...lx) === Math.max(...lx) ? 1 : 0)];
  const y1 = Math.max(...pts.map((p) => p.y)) * 1.1 || 1;
  const px = (x: number) => PAD.l + ((Math.log10(x) - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const py = (y: number) => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="convergence-plot" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="convergence time against algebraic connectivity">`];
  out.push(`<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" style="stroke:#444"/><line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" style="stroke:#444"/>`);
  for (let d = x0; d <= x1; d++) {
    const x = px(10 ** d);
    out.push(`<line x1="${x.toFixed(1)}" y1="${H - PAD.b}" x2="${x.toFixed(1)}" y2="${H - PAD.b + 5}" style="stroke:#444"/><text x="${x.toFixed(1)}" y="${H - PAD.b + 18}" text-anchor="middle" style="font:11px system-ui,sans-serif">${e(fmt(10 ** d))}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (y1 * i) / 4;
    out.push(`<line x1="${PAD.l - 5}" y1="${py(v).toFixed(1)}" x2="${PAD.l}" y2="${py(v).toFixed(1)}" style="stroke:#444"/><text x="${PAD.l - 8}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" style="font:11px system-ui,sans-serif">${e(fmt(v))}</text>`);
  }
  out.push(`<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 10}" text-anchor="middle" style="font:12px system-ui,sans-serif">algebraic connectivity λ2 (log scale)</text>`);
  out.push(`<text x="14" y="${(PAD.t + H - PAD.b) / 2}" transform="rotate(-90 14 ${(PAD.t + H - PAD.b) / 2})" text-anchor="middle" style="font:12px system-ui,sans-serif">seconds to converge</text>`);
  for (const p of pts) {
    const s = SERIES[p.si];
    const [x, y] = [px(p.x), py(p.y)];
    out.push(
      `<g class="point"><title>${e(`${p.r.topology}: λ2 ${p.x.toFixed(3)}, converged ${s.label} in ${p.y.toFixed(3)} s (diameter ${p.r.diameter}, ${p.r.links} links)`)}</title>` +
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" style="fill:${s.color};fill-opacity:0.8"/>` +
        `<text x="${(x + 7).toFixed(1)}" y="${(y - 6).toFixed(1)}" style="font:11px system-ui,sans-serif;fill:#333">${e(p.r.topology)}</text></g>`,
    );
  }
  SERIES.forEach((s, i) => {
    const y = PAD.t + 10 + i * 18;
    out.push(`<circle cx="${W - PAD.r + 14}" cy="${y}" r="5" style="fill:${s.color}"/><text x="${W - PAD.r + 24}" y="${y + 4}" style="font:11px system-ui,sans-serif">${e(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

export function renderTopologyCompareHtml(rec: { seed: string; target: string; config?: string; rows: readonly TopologyCompareRow[] }): string {
  const t = (x: number | null) => (x === null ? 'n/a' : `${fmt(x)} s`);
  const rows = rec.rows
    .map(
      (r) =>
        `<tr><td>${e(r.topology)}</td><td>${r.links}</td><td>${r.diameter}</td><td>${e(r.algebraicConnectivity.toFixed(3))}</td><td>${e(t(r.convergeAfterWriteS))}</td><td>${e(t(r.convergeAfterHealS))}</td><td>${r.messagesPerOp === null ? 'n/a' : e(r.messagesPerOp.toFixed(1))}</td></tr>`,
    )
    .join('\n');
  const plot = convergencePlot(rec.rows);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>faultline compare: topologies on ${e(rec.target)}</title>
<style>${REPORT_CSS}</style></head>
<body><div id="app">
<h1>Convergence against network shape: ${e(rec.target)}${rec.config ? ` (${e(rec.config)})` : ''}</h1>
<p>Same seed (<code>${e(rec.seed)}</code>) and load for every shape; ${rec.rows[0] ? `${rec.rows[0].nodes} nodes` : 'no shapes'}.</p>
<table><tr><th>topology</th><th>links</th><th>diameter</th><th>connectivity (λ2)</th><th>converge after write</th><th>converge after heal</th><th>messages/op</th></tr>
${rows}
</table>
<h2>Convergence time against connectivity</h2>
${plot ?? '<p>No shape has both a connected graph and a measured convergence time to plot.</p>'}
<p class="hint">Each point is one run; hover it for the shape's figures.</p>
</div></body></html>
`;
}
