// fast-check properties: for every model, the checker agrees with the brute-force checker on random histories
// with up to 50 concurrent processes, info ops and unanswered invokes. The history generator reads its choices
// from a tape of numbers that fast-check generates, so when they disagree fast-check shrinks the tape, and with
// it the history (fewer ops, fewer processes, earlier choices), and reports the smallest one it found.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../checkers/models/index.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { bruteForce } from './brute-force.js';
import { randomHistory, SIMS } from './random-history.js';

/** A random source that replays the tape, then returns 0 (the first choice) once it runs out. */
function tapeRng(tape: readonly number[]): () => number {
  let i = 0;
  return () => (i < tape.length ? tape[i++] : 0);
}

// Uniform numbers in [0, 1): integers without fast-check's lean towards edge values, scaled. (Its doubles are
// spread over their bit patterns, so nearly all would be tiny and every choice the first one.)
const unit = fc.noBias(fc.integer({ min: 0, max: 0xffff_ffff })).map((i) => i / 2 ** 32);
const tape = fc.array(unit, { minLength: 20, maxLength: 300 });
const RUNS = 150;

describe('fast-check: checkLinearizable agrees with brute force', () => {
  // Every model, plus kv histories of appends of unique values (where the growth pruning does its work).
  for (const sim of Object.keys(SIMS)) {
    const model = sim === 'kv-append' ? 'kv' : sim === 'register-unique' ? 'register' : sim;
    it(`${sim}: ${RUNS} histories, up to 50 processes, with info ops`, async () => {
      const seen = new Set<unknown>();
      await fc.assert(
        fc.asyncProperty(tape, fc.integer({ min: 1, max: 50 }), async (t, procs) => {
          const { ops, initial } = randomHistory(tapeRng(t), sim, 9, procs);
          const expected = bruteForce(MODELS[model], initial, ops);
          const got = await checkLinearizable(ops, { model, initial, workers: 1, shrink: false });
          if (got.valid !== expected) {
            throw new Error(`brute force says ${String(expected)}, checker says ${String(got.valid)}\n${ops.map((o) => JSON.stringify(o)).join('\n')}`);
          }
          seen.add(got.valid);
        }),
        // A fixed seed: the same histories on every run (no flaky failures), reproducible from the report.
        { numRuns: RUNS, seed: 0x5eed_0a10 },
      );
      // Agreement proves little unless both answers came up.
      expect(seen.has(true) && seen.has(false)).toBe(true);
    });
  }
});
