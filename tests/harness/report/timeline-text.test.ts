// The terminal's drawing of a counterexample's ops (data from checkers/linear/counterexample.ts).
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import type { ReportedOp } from '../../../checkers/linear/counterexample.js';
import { renderLinearResult } from '../../../harness/report/linear-text.js';
import { isTimelineData, renderTimeline } from '../../../harness/report/timeline-text.js';
import { History } from '../../checkers/linear/helpers.js';

describe('renderTimeline', () => {
  it('draws one row per process in history order, and a legend with indices and times', () => {
    const ops: ReportedOp[] = [
      { process: 2, op: 'write(4)', invokeIndex: 2, completionIndex: 3, type: 'ok', invokeTime: 3_000_000, completionTime: 4_000_000 },
      { process: 4, op: 'read → 3', invokeIndex: 4, completionIndex: 5, type: 'ok', invokeTime: 5_000_000, completionTime: 6_000_000 },
    ];
    const lines = renderTimeline(ops).split('\n');
    expect(lines[0]).toMatch(/^p2\s+\[write\(4\) -*\]$/);
    expect(lines[1]).toMatch(/^p4\s+\[read → 3 -*\]$/);
    expect(lines[1].indexOf('[')).toBeGreaterThan(lines[0].indexOf(']'));
    expect(lines[2]).toBe('  ops 2/3: p2 write(4), invoked at 0.003 s, ok at 0.004 s');
    expect(lines[3]).toBe('  ops 4/5: p4 read → 3, invoked at 0.005 s, ok at 0.006 s');
  });

  it('leaves an op with no reply open, and marks an unknown outcome', () => {
    const text = renderTimeline([
      { process: 0, op: 'write(1)', invokeIndex: 0, type: 'pending' },
      { process: 1, op: 'cas(1, 2)', invokeIndex: 1, completionIndex: 2, type: 'info' },
    ]);
    expect(text).toMatch(/^p0\s+\[write\(1\) -*…$/m);
    expect(text).toContain('[cas(1, 2) ?');
    expect(text).toContain('op 0: p0 write(1) (no reply)');
    expect(text).toContain('ops 1/2: p1 cas(1, 2) (info: unknown outcome)');
  });

  it('is what the terminal shows for a linearizability failure', async () => {
    const h = new History().invoke(1, 'write', 3).ok(1).invoke(2, 'write', 4).ok(2).invoke(4, 'read').ok(4, 3).ops;
    const r = await checkLinearizable(h, { model: 'register', initial: 0, workers: 1 });
    expect(isTimelineData(r.anomalies[0].timeline)).toBe(true);
    const text = renderLinearResult(r);
    expect(text).toMatch(/p2\s+\[write\(4\) -*\]/);
    expect(text).toContain('ops 4/5: p4 read → 3');
    expect(isTimelineData('p0 [read]')).toBe(false);
  });
});
