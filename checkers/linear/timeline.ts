/**
 * A small text picture of a few ops: one row per process, each op a bar from its invoke to its completion,
 * placed by history order (not to time scale), followed by one line per op with its indices and times.
 */
import type { Op } from '../../histories/op.js';
import type { OpPairAt } from './split.js';

export interface TimelineOp {
  pair: OpPairAt;
  /** What the op did, from the model (e.g. `read → 3`). */
  label: string;
}

export function seconds(t: number | undefined): string | undefined {
  return t === undefined ? undefined : `${(t / 1e9).toFixed(3)} s`;
}

function status(c: Op | undefined): string {
  if (!c) return ' (no reply)';
  return c.type === 'info' ? ' (info: unknown outcome)' : '';
}

export function renderTimeline(ops: readonly TimelineOp[]): string {
  type Ev = { at: number; op: number; end: boolean };
  const evs: Ev[] = [];
  ops.forEach((o, i) => {
    evs.push({ at: o.pair.callPos, op: i, end: false });
    if (o.pair.completion) evs.push({ at: o.pair.retPos, op: i, end: true });
  });
  evs.sort((a, b) => a.at - b.at);
  const start = new Array<number>(ops.length).fill(0);
  const stop = new Array<number>(ops.length).fill(-1);
  const labels = ops.map((o) => o.label + (o.pair.completion?.type === 'info' ? ' ?' : ''));
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
  const procs = [...new Set(ops.map((o) => o.pair.invoke.process))].sort((a, b) => Number(a) - Number(b));
  const name = (p: unknown): string => `p${String(p)}`;
  const width = Math.max(...procs.map((p) => name(p).length)) + 2;
  const rows: string[] = [];
  for (const p of procs) {
    const line: string[] = [];
    const put = (col: number, s: string): void => {
      for (let k = 0; k < s.length; k++) line[col + k] = s[k];
    };
    ops.forEach((o, i) => {
      if (o.pair.invoke.process !== p) return;
      const end = stop[i] >= 0 ? stop[i] : Math.max(open, start[i] + labels[i].length + 3);
      put(start[i], '[' + labels[i] + ' ' + '-'.repeat(Math.max(0, end - start[i] - labels[i].length - 2)));
      put(end, stop[i] >= 0 ? ']' : '…');
    });
    const body = Array.from(line, (c) => c ?? ' ').join('');
    rows.push(name(p).padEnd(width) + body.trimEnd());
  }
  const legend = ops.map((o) => {
    const { invoke, completion } = o.pair;
    const t0 = seconds(invoke.time);
    const t1 = seconds(completion?.time);
    const when = t0 ? `, invoked at ${t0}${t1 ? `, ${completion!.type} at ${t1}` : ''}` : '';
    const idx = completion ? `ops ${invoke.index}/${completion.index}` : `op ${invoke.index}`;
    return `  ${idx}: ${name(invoke.process)} ${o.label}${status(completion)}${when}`;
  });
  return [...rows, ...legend].join('\n');
}
