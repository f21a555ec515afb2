/**
 * A counterexample drawn as a small text picture: one row per process, each op a bar from its invoke to its
 * completion, placed by history order (not to time scale), then one line per op with its indices and times.
 * The linearizability checker returns the ops as data (checkers/linear/counterexample.ts: ReportedOp); the
 * terminal and the HTML report draw them, each its own way.
 */
import type { ReportedOp } from '../../checkers/linear/counterexample.js';

export function seconds(t: number | undefined): string | undefined {
  return t === undefined ? undefined : `${(t / 1e9).toFixed(3)} s`;
}

function status(o: ReportedOp): string {
  if (o.type === 'pending') return ' (no reply)';
  return o.type === 'info' ? ' (info: unknown outcome)' : '';
}

export function renderTimeline(ops: readonly ReportedOp[]): string {
  type Ev = { at: number; op: number; end: boolean };
  const evs: Ev[] = [];
  ops.forEach((o, i) => {
    evs.push({ at: o.invokeIndex, op: i, end: false });
    if (o.completionIndex !== undefined) evs.push({ at: o.completionIndex, op: i, end: true });
  });
  evs.sort((a, b) => a.at - b.at);
  const start = new Array<number>(ops.length).fill(0);
  const stop = new Array<number>(ops.length).fill(-1);
  const labels = ops.map((o) => o.op + (o.type === 'info' ? ' ?' : ''));
  let x = 0;
  for (const ev of evs) {
    if (!ev.end) {
      start[ev.op] = x;
    } else {
      stop[ev.op] = Math.max(x, start[ev.op] + labels[ev.op].length + 3);
    }
    x = (ev.end ? stop[ev.op] : start[ev.op]) + 2;
  }
  const open = x + 2;
  const procs = [...new Set(ops.map((o) => o.process))].sort((a, b) => Number(a) - Number(b));
  const name = (p: unknown): string => `p${String(p)}`;
  const width = Math.max(...procs.map((p) => name(p).length)) + 2;
  const rows: string[] = [];
  for (const p of procs) {
    const line: string[] = [];
    const put = (col: number, s: string): void => {
      for (let k = 0; k < s.length; k++) line[col + k] = s[k];
    };
    ops.forEach((o, i) => {
      if (o.process !== p) return;
      const end = stop[i] >= 0 ? stop[i] : Math.max(open, start[i] + labels[i].length + 3);
      put(start[i], '[' + labels[i] + ' ' + '-'.repeat(Math.max(0, end - start[i] - labels[i].length - 2)));
      put(end, stop[i] >= 0 ? ']' : '…');
    });
    const body = Array.from(line, (c) => c ?? ' ').join('');
    rows.push(name(p).padEnd(width) + body.trimEnd());
  }
  const legend = ops.map((o) => {
    const t0 = seconds(o.invokeTime);
    const t1 = seconds(o.completionTime);
    const when = t0 ? `, invoked at ${t0}${t1 ? `, ${o.type} at ${t1}` : ''}` : '';
    const idx = o.completionIndex !== undefined ? `ops ${o.invokeIndex}/${o.completionIndex}` : `op ${o.invokeIndex}`;
    return `  ${idx}: ${name(o.process)} ${o.op}${status(o)}${when}`;
  });
  return [...rows, ...legend].join('\n');
}

/** Whether an anomaly field holds a counterexample's ops as data (what renderTimeline draws). */
export function isTimelineData(v: unknown): v is ReportedOp[] {
  return Array.isArray(v) && v.length > 0 && v.every((o) => o !== null && typeof o === 'object' && typeof (o as ReportedOp).invokeIndex === 'number' && typeof (o as ReportedOp).op === 'string');
}
