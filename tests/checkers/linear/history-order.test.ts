// The search's list of call and return entries must be in history order whichever way it is built: the packed
// sort of returns merged with the calls must agree with a plain comparator sort of every entry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyOrder } from '../../../checkers/linear/search.js';

/** n ops with distinct event positions, numbered in invoke order; some optional (no return entry). */
const opsArb = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc.tuple(fc.shuffledSubarray(Array.from({ length: 4 * n + 4 }, (_, i) => i * 3), { minLength: 2 * n, maxLength: 2 * n }), fc.array(fc.boolean(), { minLength: n, maxLength: n })).map(([positions, opt]) => {
    // Each op gets two positions: the smaller is its call; ops are then numbered by call.
    const pairs = Array.from({ length: n }, (_, i) => [Math.min(positions[2 * i], positions[2 * i + 1]), Math.max(positions[2 * i], positions[2 * i + 1])]).sort((a, b) => a[0] - b[0]);
    return {
      n,
      call: Float64Array.from(pairs.map((p) => p[0])),
      ret: Float64Array.from(pairs.map((p, i) => (opt[i] ? Infinity : p[1]))),
      optional: Uint8Array.from(opt.map((o) => (o ? 1 : 0))),
    };
  }),
);

function byComparator(n: number, optional: Uint8Array, call: Float64Array, ret: Float64Array): number[] {
  const entries: number[] = [];
  for (let i = 0; i < n; i++) if (!optional[i]) entries.push(i, n + i);
  const pos = (e: number): number => (e < n ? call[e] : ret[e - n]);
  return entries.sort((a, b) => pos(a) - pos(b));
}

describe('historyOrder', () => {
  it('agrees with a comparator sort of all entries', () => {
    fc.assert(
      fc.property(opsArb, ({ n, call, ret, optional }) => {
        const ok = optional.reduce((s, o) => s + (o ? 0 : 1), 0);
        expect(Array.from(historyOrder(n, optional, call, ret, ok))).toEqual(byComparator(n, optional, call, ret));
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to the comparator sort when calls are not in op order or positions are not small integers', () => {
    const optional = new Uint8Array(3);
    const call = Float64Array.from([5, 1, 3]);
    const ret = Float64Array.from([6, 2.5, 4]);
    expect(Array.from(historyOrder(3, optional, call, ret, 3))).toEqual(byComparator(3, optional, call, ret));
    const call2 = Float64Array.from([1, 3, 5]);
    const ret2 = Float64Array.from([2 ** 40, 4, 6]);
    expect(Array.from(historyOrder(3, optional, call2, ret2, 3))).toEqual(byComparator(3, optional, call2, ret2));
  });
});
