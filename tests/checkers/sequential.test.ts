// The sequential-consistency checker: known-good and known-bad histories, and agreement with brute force.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkSequential, type SeqOp } from '../../checkers/sequential.js';

const w = (key: string, value: number): SeqOp => ({ f: 'write', key, value, ok: true });
const r = (key: string, value: number | null): SeqOp => ({ f: 'read', key, value, ok: true });
const cas = (key: string, from: number, to: number, ok: boolean): SeqOp => ({ f: 'cas', key, value: [from, to], ok });

/** Every interleaving, replayed: the definition itself. */
function bruteForce(ps: SeqOp[][]): boolean {
  const pos = ps.map(() => 0);
  const total = ps.reduce((n, p) => n + p.length, 0);
  const go = (done: number, state: Map<string, number>): boolean => {
    if (done === total) return true;
    for (let p = 0; p < ps.length; p++) {
      const op = ps[p][pos[p]];
      if (!op) continue;
      const k = op.key as string;
      const next = new Map(state);
      let legal = true;
      if (op.f === 'read') legal = (state.get(k) ?? null) === op.value;
      else if (op.f === 'write') next.set(k, op.value as number);
      else {
        const [from, to] = op.value as [number, number];
        const matches = state.has(k) && state.get(k) === from;
        legal = op.ok === matches;
        if (legal && op.ok) next.set(k, to);
      }
      if (!legal) continue;
      pos[p]++;
      const ok = go(done + 1, next);
      pos[p]--;
      if (ok) return true;
    }
    return false;
  };
  return go(0, new Map());
}

describe('sequential consistency checker', () => {
  it("accepts the doc's example: a write reordered into the past", () => {
    // services.md: n1 writes 1, n2 cas 1→2, n1 writes 1, n2 reads 2 (legal: n1's two writes go first).
    expect(checkSequential([[w('x', 1), w('x', 1)], [cas('x', 1, 2, true), r('x', 2)]]).valid).toBe(true);
  });

  it('accepts stale reads that keep each process monotonic', () => {
    expect(checkSequential([[w('x', 1), w('x', 2)], [r('x', null), r('x', 1), r('x', 2)]]).valid).toBe(true);
  });

  it('refuses a process that sees time go backwards', () => {
    const res = checkSequential([[w('x', 1), w('x', 2)], [r('x', 2), r('x', 1)]]);
    expect(res.valid).toBe(false);
    expect(res.anomalies[0].kind).toBe('not-sequential');
  });

  it('refuses two processes that disagree on the order of two writes (across keys too)', () => {
    expect(checkSequential([[w('x', 1)], [w('y', 1)], [r('x', 1), r('y', null)], [r('y', 1), r('x', null)]]).valid).toBe(false);
  });

  it('refuses a failed cas whose expected value must have been there', () => {
    expect(checkSequential([[w('x', 1), cas('x', 1, 2, false)]]).valid).toBe(false);
  });

  it('says unknown when the budget runs out', () => {
    const ps = Array.from({ length: 4 }, (_, p) => Array.from({ length: 6 }, (_, i) => w(`k${i}`, p * 10 + i)));
    ps.push([r('k0', 999)]);
    expect(checkSequential(ps, { maxStates: 50 }).valid).toBe('unknown');
  });

  it('agrees with brute force on small random histories', () => {
    const op = fc.oneof(
      fc.record({ f: fc.constant('read' as const), key: fc.constantFrom('x', 'y'), value: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }), ok: fc.constant(true) }),
      fc.record({ f: fc.constant('write' as const), key: fc.constantFrom('x', 'y'), value: fc.integer({ min: 1, max: 2 }), ok: fc.constant(true) }),
      fc.record({ f: fc.constant('cas' as const), key: fc.constantFrom('x', 'y'), value: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })), ok: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 3 }), { minLength: 1, maxLength: 3 }), (ps) => {
        expect(checkSequential(ps).valid).toBe(bruteForce(ps));
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});
