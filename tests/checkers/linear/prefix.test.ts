// The prefix a failing key reports (kept by the search as it goes, not found by a second pass) must be a real
// linearization of its own: each op steps the model from the one before, real-time order holds between them, and
// it ends in the state the explanation names.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { checkPartition } from '../../../checkers/linear/check-partition.js';
import { splitHistory } from '../../../checkers/linear/split.js';
import { MODELS } from '../../../checkers/models/index.js';
import { randomHistory } from './random-history.js';

const RUNS = 400;

describe('the longest linearizable prefix of a failing key', () => {
  for (const name of ['register', 'cas-register']) {
    it(`${name}: is a linearization that ends in the state it names`, () => {
      const model = MODELS[name];
      const rng = seedrandom(`linear-prefix-${name}`);
      let failing = 0;
      let nonEmpty = 0;
      for (let i = 0; i < RUNS; i++) {
        const { ops, initial } = randomHistory(rng, name, 40, 5);
        for (const part of splitHistory(ops, true).partitions) {
          const v = checkPartition(model, initial, part, { deadline: Date.now() + 10_000, maxStates: 1_000_000 });
          if (v.valid !== false) continue;
          failing++;
          const f = v.failure!;
          expect(f.prefix, `history ${i}`).not.toContain(f.blocked);
          expect(new Set(f.prefix).size, `history ${i}: an op twice in the prefix`).toBe(f.prefix.length);
          let state = model.init(initial);
          for (let j = 0; j < f.prefix.length; j++) {
            const pair = part.pairs[f.prefix[j]];
            // Nothing later in the prefix completed before this op was invoked (an op without an ok completion may
            // take effect at any time after its invoke).
            for (let k = j + 1; k < f.prefix.length; k++) {
              const later = part.pairs[f.prefix[k]];
              if (later.completion?.type === 'ok') expect(later.completePos, `history ${i}`).toBeGreaterThan(pair.invokePos);
            }
            const op = model.prepare(pair.invoke, pair.completion, initial)!;
            const to = model.step(state, op);
            expect(to, `history ${i}: prefix op ${j} does not step`).toBeDefined();
            state = to!;
          }
          if (f.prefix.length > 0) {
            nonEmpty++;
            expect(model.describeState(state), `history ${i}`).toBe(f.prefixState);
          }
        }
      }
      // Enough failing keys, with real prefixes, for the checks above to mean something.
      expect(failing).toBeGreaterThan(RUNS / 20);
      expect(nonEmpty).toBeGreaterThan(RUNS / 40);
    });
  }
});
