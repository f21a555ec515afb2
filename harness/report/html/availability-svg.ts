/**
 * The compare page's picture: one panel per configuration, on the same time axis and the same rate scale,
 * showing completions per second (ok, fail, unknown stacked) under the fault schedule. A CP configuration's
 * answers thin out while a partition is in force and an AP one's do not; seen side by side, that is the CAP
 * trade-off of the table above it. Static SVG (the compare page runs no script); every label is escaped here.
 */
import type { AvailabilityStrip } from '../availability-strip.js';
import { faultRowOrder } from '../fault-rows.js';
import { escapeHtml as e } from './escape.js';

const W = 960;
const LEFT = 96;
const RIGHT = 12;
const ROW = 13;
const CHART = 72;
const AXIS = 16;
const TITLE = 18;
const GAP = 14;
const COLOURS = { ok: '#2e7d32', fail: '#c62828', info: '#ef6c00' } as const;
const FAULT_FILL: Record<string, string> = { partition: '#e57373', kill: '#6a1b9a', pause: '#8e24aa', latency: '#f9a825', loss: '#fb8c00', clock: '#1565c0' };

const fmt = (x: number) => (x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(2))));

function ticks(maxS: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  const step = steps.find((s) => maxS / s <= 10) ?? Math.ceil(maxS / 10);
  const out: number[] = [];
  for (let s = 0; s <= maxS + 1e-9; s += step) out.push(s);
  return out;
}

/** `names[i]` labels `strips[i]`; a null strip (a history without times) gets a line saying so. */
export function availabilitySvg(names: string[], strips: (AvailabilityStrip | null)[]): string {
  const drawn = strips.filter((s): s is AvailabilityStrip => s !== null);
  if (drawn.length === 0) return '';
  const spanMs = Math.max(1, ...drawn.map((s) => s.spanMs - s.origin));
  const peak = Math.max(1, ...drawn.flatMap((s) => s.ok.map((ok, i) => ok + (s.fail[i] ?? 0) + (s.info[i] ?? 0))));
  const x0 = (ms: number) => LEFT + (Math.max(0, Math.min(spanMs, ms)) / spanMs) * (W - LEFT - RIGHT);
  const parts: string[] = [];
  let y = 0;
  strips.forEach((s, i) => {
    parts.push(`<text x="0" y="${y + 13}" font-weight="600">${e(names[i] ?? '')}</text>`);
    y += TITLE;
    if (!s) {
      parts.push(`<text x="${LEFT}" y="${y + 12}" fill="#666">no times in this history: nothing to draw</text>`);
      y += ROW + GAP;
      return;
    }
    // Time 0 of every panel is its first client op.
    const x = (ms: number) => x0(ms - s.origin);
    const rows = faultRowOrder(s.faults);
    for (const row of rows) {
      parts.push(`<text x="${LEFT - 6}" y="${y + 10}" text-anchor="end" font-size="10" fill="#555">${e(row)}</text>`);
      for (const f of s.faults.filter((b) => b.row === row)) {
        const fx = x(f.start);
        const w = Math.max(1.5, x(f.end) - fx);
        parts.push(
          `<rect x="${fx.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 4}" fill="${FAULT_FILL[f.kind] ?? '#9e9e9e'}" opacity="0.75"><title>${e(f.label)}</title></rect>`,
        );
      }
      y += ROW;
    }
    const top = y;
    // Shade the chart wherever any fault was in force, so a dip lines up with its cause by eye.
    for (const f of s.faults) {
      parts.push(`<rect x="${x(f.start).toFixed(1)}" y="${top}" width="${Math.max(1, x(f.end) - x(f.start)).toFixed(1)}" height="${CHART}" fill="#fbe9e7"/>`);
    }
    parts.push(`<text x="${LEFT - 6}" y="${top + 10}" text-anchor="end" font-size="10" fill="#555">${e(fmt(peak))}/s</text>`);
    parts.push(`<text x="${LEFT - 6}" y="${top + CHART}" text-anchor="end" font-size="10" fill="#555">0</text>`);
    const bw = Math.max(1, x0(s.binMs) - x0(0));
    s.ok.forEach((ok, b) => {
      if (s.t0 + (b + 1) * s.binMs <= s.origin) return; // before the load began: harness start-up, nothing to show
      const bx = x(s.t0 + b * s.binMs).toFixed(1);
      let base = top + CHART;
      for (const [kind, v] of [['ok', ok], ['fail', s.fail[b] ?? 0], ['info', s.info[b] ?? 0]] as const) {
        if (v <= 0) continue;
        const h = (v / peak) * CHART;
        base -= h;
        parts.push(`<rect x="${bx}" y="${base.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[kind]}"/>`);
      }
    });
    parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${top + CHART}" y2="${top + CHART}" stroke="#999"/>`);
    for (const t of ticks(spanMs / 1000)) {
      const tx = x0(t * 1000).toFixed(1);
      parts.push(`<line x1="${tx}" x2="${tx}" y1="${top + CHART}" y2="${top + CHART + 3}" stroke="#999"/>`);
      parts.push(`<text x="${tx}" y="${top + CHART + 13}" text-anchor="middle" font-size="10" fill="#555">${t} s</text>`);
    }
    y = top + CHART + AXIS + GAP;
  });
  const legend = (Object.entries(COLOURS) as [string, string][])
    .map(([k, c], i) => `<rect x="${LEFT + i * 110}" y="${y}" width="10" height="10" fill="${c}"/><text x="${LEFT + 14 + i * 110}" y="${y + 9}" font-size="11">${k === 'info' ? 'unknown (info)' : k}</text>`)
    .join('');
  const legendFaults = `<rect x="${LEFT + 340}" y="${y}" width="10" height="10" fill="#fbe9e7" stroke="#e57373"/><text x="${LEFT + 354}" y="${y + 9}" font-size="11">a fault in force</text>`;
  y += 16;
  return `<svg class="availability" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif" font-size="12" role="img" aria-label="completions per second under the fault schedule, one panel per configuration">${parts.join('')}${legend}${legendFaults}</svg>`;
}
