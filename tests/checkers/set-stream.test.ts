// The streaming set checker (checkers/set.ts) against the plain quadratic one it replaced (set-reference.ts):
// on random histories from fast-check, good and bad (lost, stale, duplicated, unexpected elements, failed and
// pending ops, several final-read rounds), every element's report, every count and the verdict agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSet, checkSet, setStream } from '../../checkers/set.js';
import { analyzeSet as referenceAnalyze, checkSet as referenceCheck } from './set-reference.js';
import { build, spec } from './set-histories.js';

describe('the streaming set checker agrees with the quadratic reference', () => {
  it('on random histories, element by element and in every count and verdict', () => {
    let invalid = 0;
    let stale = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const ops = build(s);
        const got = analyzeSet(ops);
        const want = referenceAnalyze(ops);
        expect(got.staleReads).toBe(want.staleReads);
        expect(got.clientReads).toBe(want.clientReads);
        expect(got.finalReads).toBe(want.finalReads);
        expect(got.elements.map(({ duplicatedCount: _, ...e }) => e)).toEqual(want.elements.map((e) => ({ ...e, duplicatedIn: e.duplicatedIn.slice(0, 10) })));
        for (const linearizable of [false, true]) {
          const r = checkSet(ops, { linearizable });
          expect(r).toEqual(referenceCheck(ops, { linearizable }));
          if (r.valid === false) invalid++;
          if ((r.stats.stale as number) > 0) stale++;
        }
      }),
      { seed: 20261130, numRuns: 400 },
    );
    // The generator must reach bad histories, or the agreement says little.
    expect(invalid).toBeGreaterThan(50);
    expect(stale).toBeGreaterThan(50);
  });

  it('streamed op by op gives the same result as the whole history', async () => {
    const ops = build(fc.sample(spec, { seed: 7, numRuns: 1 })[0]);
    const s = setStream({ linearizable: true });
    for (const op of ops) s.push(op);
    expect(await s.finish()).toEqual(checkSet(ops, { linearizable: true }));
  });
});
