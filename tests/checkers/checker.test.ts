// The checker contract: compose runs every checker guarded, so a throw becomes `unknown` with the reason while
// the other verdicts are kept; the CAP summary reads facts, whatever a checker is called.
import { describe, expect, it } from 'vitest';
import { compose, type Checker } from '../../checkers/checker.js';
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
