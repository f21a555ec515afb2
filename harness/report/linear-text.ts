/** Plain-text rendering of a checker result for the terminal: the reason, the anomalies, their pictures (drawn here from the checkers' data). */
import type { CheckResult } from '../../checkers/result.js';
import { isTimelineData, renderTimeline } from './timeline-text.js';

function indent(text: string, pad = '    '): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** A picture of thousands of ops helps nobody on a terminal; --json keeps the whole of it. */
function clip(text: string, maxLines = 40): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines (see --json or results.json)`].join('\n');
}

export function renderLinearResult(result: CheckResult, maxAnomalies = 3): string {
  const out: string[] = [];
  if (result.valid === 'unknown' && result.reason) out.push(indent(`could not decide: ${result.reason}`, '  '));
  for (const a of result.anomalies.slice(0, maxAnomalies)) {
    out.push(indent(`${a.kind}${a.key !== undefined ? ` (key ${JSON.stringify(a.key)})` : ''}: ${a.message}`, '  '));
    // A counterexample's ops come as data: draw them. Other multi-line fields are text made for people.
    for (const [k, v] of Object.entries(a)) {
      if (k === 'timeline' && isTimelineData(v)) out.push(indent(clip(renderTimeline(v))));
      else if (k !== 'message' && typeof v === 'string' && v.includes('\n')) out.push(indent(clip(v)));
    }
  }
  if (result.anomalies.length > maxAnomalies) out.push(`  … and ${result.anomalies.length - maxAnomalies} more (see --json)`);
  return out.join('\n');
}
