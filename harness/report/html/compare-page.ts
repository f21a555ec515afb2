/**
 * report.html of a `faultline compare`: the configurations side by side (the same measures as the terminal
 * table), each column linking to its own run's report. Static HTML: every value is escaped here.
 */
import { MEASURES, type CompareRow } from '../compare-table.js';
import { escapeHtml, REPORT_CSS } from './page.js';
import type { AvailabilityStrip } from '../availability-strip.js';
import { availabilitySvg } from './availability-svg.js';

export interface CompareRecord {
  seed: string;
  target: string;
  configs: string[];
  runs: string[];
  rows: CompareRow[];
  dir: string;
  /** Per configuration, its answers per second under the faults (absent in comparisons stored before it existed). */
  strips?: (AvailabilityStrip | null)[];
}

const verdictClass = (v: string) => (v === 'both' || v === 'consistent' || v === 'available' ? 'v-valid' : v === 'neither' ? 'v-invalid' : 'v-unknown');

/** `reports[i]`: the path of run i's report.html relative to the compare directory (or a URL), if it has one. */
export function renderCompareHtml(rec: CompareRecord, reports: (string | undefined)[]): string {
  const e = escapeHtml;
  const head = rec.rows
    .map((r, i) => `<th>${reports[i] ? `<a href="${e(reports[i]!)}">${e(r.config)}</a>` : e(r.config)}</th>`)
    .join('');
  const body = MEASURES.map(
    ([label, cell]) => `<tr><th>${e(label)}</th>${rec.rows.map((r) => (label === 'CAP verdict' ? `<td><span class="badge ${verdictClass(r.verdict)}">${e(cell(r))}</span></td>` : `<td>${e(cell(r))}</td>`)).join('')}</tr>`,
  ).join('\n');
  const sentences = rec.rows.map((r) => `<li><b>${e(r.config)}</b>: ${e(r.sentence)}</li>`).join('');
  const picture = rec.strips ? availabilitySvg(rec.configs, rec.strips) : '';
  const runs = rec.runs.map((d, i) => `<li>${e(rec.configs[i] ?? '')}: <code>${e(d)}</code>${reports[i] ? ` — <a href="${e(reports[i]!)}">report</a>` : ''}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>faultline compare: ${e(rec.configs.join(' vs '))} on ${e(rec.target)}</title>
<style>${REPORT_CSS}</style></head>
<body><div id="app">
<h1>compare ${e(rec.configs.join(' vs '))} on ${e(rec.target)}</h1>
<p>Same seed (<code>${e(rec.seed)}</code>): every configuration saw the same ops and the same faults.</p>
<table class="compare"><tr><th></th>${head}</tr>
${body}
</table>
<ul>${sentences}</ul>
${picture ? `<h2>Answers under faults</h2>\n<p>Completions per second for each configuration, on one scale, under the fault schedule. Time 0 is each run's first client op; the same seed gives every configuration the same faults at the same times after it. Hover a fault for what it was.</p>\n${picture}` : ''}
<h2>Runs</h2><ul>${runs}</ul>
</div></body></html>
`;
}
