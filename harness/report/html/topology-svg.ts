/**
 * The run's network as an SVG picture (data from topology-data.ts): nodes on a circle, links as lines, links
 * a partition cut drawn red and dashed (both ways) or orange and dotted (one way), with a tooltip saying in
 * how many windows; nodes a fault took down ringed, traitors filled dark. Every name is escaped; nothing
 * from the history reaches the markup otherwise. Drawn on the server so the page's script only places it.
 */
import { escapeHtml } from './escape.js';
import { downWord, type TopologyView } from './topology-data.js';

const W = 440;
const H = 420;
const R_NODE = 15;
const LABEL_MAX = 14;

const fmt = (x: number) => (Math.round(x * 10) / 10).toString();
const clip = (s: string) => (s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s);
const times = (n: number) => `${n} partition window${n === 1 ? '' : 's'}`;

export function topologySvg(v: TopologyView): string {
  const n = v.nodes.length;
  const cx = W / 2;
  const cy = (H - 56) / 2 + 4;
  const ring = Math.min(cx, cy) - R_NODE - 22;
  const at = new Map(v.nodes.map((node, i) => [node, { x: cx + ring * Math.sin((2 * Math.PI * i) / n), y: cy - ring * Math.cos((2 * Math.PI * i) / n) }]));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`network: ${v.shape}, ${n} nodes, ${v.links.length} links`)}">`);
  // Uncut links first, so cut ones are drawn over them.
  const ordered = [...v.links].sort((a, b) => Number(a.cutAB + a.cutBA > 0) - Number(b.cutAB + b.cutBA > 0));
  for (const l of ordered) {
    const p = at.get(l.a)!;
    const q = at.get(l.b)!;
    const both = l.cutAB > 0 && l.cutBA > 0;
    const cut = l.cutAB + l.cutBA > 0;
    const cls = !cut ? 'link' : both ? 'link cut' : 'link cut-one-way';
    const style = !cut ? 'stroke:#9aa;stroke-width:1.2' : both ? 'stroke:#c62828;stroke-width:2.4;stroke-dasharray:7 4' : 'stroke:#ef8f00;stroke-width:2.2;stroke-dasharray:2 3';
    const what = !cut
      ? `${l.a} — ${l.b}: never cut`
      : [l.cutAB > 0 ? `${l.a} heard nothing from ${l.b} in ${times(l.cutAB)}` : '', l.cutBA > 0 ? `${l.b} heard nothing from ${l.a} in ${times(l.cutBA)}` : ''].filter(Boolean).join('; ');
    parts.push(`<line class="${cls}" x1="${fmt(p.x)}" y1="${fmt(p.y)}" x2="${fmt(q.x)}" y2="${fmt(q.y)}" style="${style}"><title>${escapeHtml(what)}</title></line>`);
  }
  for (const node of v.nodes) {
    const p = at.get(node)!;
    const f = v.faults[node];
    const fill = f?.traitor ? '#37474f' : '#fff';
    const down = Object.entries(f?.down ?? {}).filter(([, k]) => k > 0);
    const stroke = down.length > 0 ? 'stroke:#6a1b9a;stroke-width:3' : 'stroke:#456;stroke-width:1.5';
    const notes = [f?.traitor ? 'a traitor (Byzantine faults)' : '', ...down.map(([kind, k]) => `${downWord(kind)} in ${k} window${k === 1 ? '' : 's'}`)].filter(Boolean);
    parts.push(
      `<g class="node"><title>${escapeHtml(node + (notes.length ? `: ${notes.join(', ')}` : ''))}</title>` +
        `<circle cx="${fmt(p.x)}" cy="${fmt(p.y)}" r="${R_NODE}" style="fill:${fill};${stroke}"/>` +
        `<text x="${fmt(p.x)}" y="${fmt(p.y + R_NODE + 13)}" text-anchor="middle" style="font:12px system-ui,sans-serif;fill:#222">${escapeHtml(clip(node))}</text></g>`,
    );
  }
  const legend = `${v.shape}, ${n} nodes, ${v.links.length} links; ${v.partitions} partition window${v.partitions === 1 ? '' : 's'}`;
  parts.push(`<text x="8" y="${H - 38}" style="font:12px system-ui,sans-serif;fill:#444">${escapeHtml(legend)}</text>`);
  parts.push(`<text x="8" y="${H - 22}" style="font:11px system-ui,sans-serif;fill:#666">red dashed: cut both ways · orange dotted: cut one way</text>`);
  parts.push(`<text x="8" y="${H - 7}" style="font:11px system-ui,sans-serif;fill:#666">purple ring: down (killed, paused, ...) · dark fill: traitor</text>`);
  parts.push('</svg>');
  return parts.join('');
}
