// The checker contract: compose runs every checker guarded, so a throw becomes `unknown` with the reason while
// the other verdicts are kept; the CAP summary reads facts, whatever a checker is called.
import { describe, expect, it } from 'vitest';
import { compose, composeStream, type Checker } from '../../checkers/checker.js';
import { availabilityChecker } from '../../checkers/availability.js';
import { convergenceChecker } from '../../checkers/convergence.js';
import { setChecker } from '../../checkers/set.js';
import { capSummary } from '../../checkers/cap.js';
import { echoChecker } from '../../checkers/echo.js';
import type { Op } from '../../histories/op.js';

const ctx = { nodes: ['n1'], promise: 'CP' as const };
const echo = (v: unknown, got: unknown): Op[] => [
  { index: 0, type: 'invoke', process: 0, f: 'echo', value: v },
  { index: 1, type: 'ok', process: 0, f: 'echo', value: got },
];
const thrower: Checker = {
  name: 'explodes',
  check: () => {
    throw new Error('read returned a number, not a list');
  },
};

describe('compose', () => {
  it('turns a throw into unknown with the reason and keeps the other verdicts', async () => {
    const r = await compose([{ checker: thrower, enforced: true }, { checker: echoChecker, enforced: true }], echo('a', 'b'), ctx);
    expect(r.results.map((x) => [x.checker, x.valid])).toEqual([['explodes', 'unknown'], ['echo', false]]);
    expect(r.results[0].reason).toContain('read returned a number, not a list');
    // false beats unknown: the broken echo still decides the run.
    expect(r.valid).toBe(false);
    expect(r.enforced).toEqual(['explodes', 'echo']);
  });

  it('composes only the enforced verdicts', async () => {
    const good = await compose([{ checker: thrower, enforced: false }, { checker: echoChecker, enforced: true }], echo('a', 'a'), ctx);
    expect(good.valid).toBe(true);
    const undecided = await compose([{ checker: thrower, enforced: true }, { checker: echoChecker, enforced: true }], echo('a', 'a'), ctx);
    expect(undecided.valid).toBe('unknown');
  });

  it('lets a checker the CAP summary has never heard of count lost writes and break consistency', async () => {
    const newcomer: Checker = {
      name: 'list-append',
      check: () => ({ checker: 'list-append', valid: false, anomalies: [], stats: {}, facts: { lostWrites: 2, consistent: false } }),
    };
    const r = await compose([{ checker: newcomer, enforced: true }], [], ctx);
    const cap = capSummary(r.results);
    expect(cap.numbers.lostWrites).toBe(2);
    expect(cap.numbers.consistent).toBe(false);
    expect(cap.sentence).toContain('2 lost writes');
  });
});

describe('composeStream', () => {
  // A set history whose reads are long: 100 acknowledged adds, then reads of all of them, one lacking the last.
  const setHistory = (): Op[] => {
    const ops: Op[] = [];
    const push = (o: Omit<Op, 'index'>): void => void ops.push({ ...o, index: ops.length } as Op);
    const all = Array.from({ length: 100 }, (_, i) => i);
    for (const v of all) {
      push({ type: 'invoke', process: 0, f: 'add', key: 's', value: v, time: ops.length });
      push({ type: 'ok', process: 0, f: 'add', key: 's', value: v, time: ops.length });
    }
    for (const got of [all, all.slice(0, 99), all]) {
      push({ type: 'invoke', process: 1, f: 'read', key: 's', value: null, time: ops.length });
      push({ type: 'ok', process: 1, f: 'read', key: 's', value: got, time: ops.length });
    }
    return ops;
  };

  it('gives the results compose gives, and keeps long read answers only when some checker reads them', async () => {
    const ops = setHistory();
    const parts = [
      { checker: setChecker, enforced: true },
      { checker: convergenceChecker, enforced: false },
      { checker: availabilityChecker, enforced: false },
    ];
    const whole = await compose(parts, ops, ctx);
    const streamed = await composeStream(parts, ops, ctx);
    expect(streamed.results).toEqual(whole.results);
    expect(streamed.valid).toBe(whole.valid);
    expect(streamed.results[0].stats.stale).toBe(1);
    expect(streamed.ops).toHaveLength(ops.length);
    const reads = streamed.ops.filter((o) => o.f === 'read' && o.type === 'ok');
    expect(reads.map((o) => o.value)).toEqual([null, null, null]);
    expect(reads.map((o) => (o as { valueElided?: number }).valueElided)).toEqual([100, 99, 100]);
    // A checker that may read them (no `clientReadValues: false`) gets every op whole.
    const kept = await composeStream([...parts, { checker: thrower, enforced: false }], ops, ctx);
    expect(kept.ops).toEqual(ops);
  });

  it('a streaming checker that throws on an op becomes unknown with the reason', async () => {
    const ops = setHistory();
    ops[ops.length - 1] = { ...ops[ops.length - 1], value: 7 };
    const r = await composeStream([{ checker: setChecker, enforced: true }], ops, ctx);
    expect(r.valid).toBe('unknown');
    expect(r.results[0].reason).toMatch(/the set checker failed: .*expected an array/);
  });
});
