// The checker must agree with a brute-force checker on thousands of small random histories of every model.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../checkers/models/index.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { bruteForce } from './brute-force.js';
import { randomHistory } from './random-history.js';

const PER_MODEL = 600;

describe('checkLinearizable agrees with brute force', () => {
  for (const model of Object.keys(MODELS)) {
    it(`${model}: ${PER_MODEL} random histories`, async () => {
      const rng = seedrandom(`linear-property-${model}`);
      const tally = { true: 0, false: 0, unknown: 0 };
      for (let i = 0; i < PER_MODEL; i++) {
        const { ops, initial } = randomHistory(rng, model, 8);
        const expected = bruteForce(MODELS[model], initial, ops);
        const got = await checkLinearizable(ops, { model, initial, workers: 1, shrink: false });
        if (got.valid !== expected) {
          throw new Error(`history ${i} of ${model}: brute force says ${expected}, checker says ${got.valid}\n${ops.map((o) => JSON.stringify(o)).join('\n')}`);
        }
        tally[String(got.valid) as keyof typeof tally]++;
      }
      // The generator must exercise both answers, or the agreement proves little.
      expect(tally.true).toBeGreaterThan(PER_MODEL / 10);
      if (model !== 'mutex') expect(tally.false).toBeGreaterThan(PER_MODEL / 20);
      else expect(tally.false).toBeGreaterThan(0);
    });
  }
});
