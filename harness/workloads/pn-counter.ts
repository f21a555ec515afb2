/** Maelstrom's pn-counter: the g-counter workload with negative deltas too. */
import type { Workload } from './workload.js';
import { CounterGenerator, gCounter } from './g-counter.js';

export const pnCounter: Workload = {
  ...gCounter,
  name: 'pn-counter',
  generator: (_slot, _o, rng) => new CounterGenerator(rng, true),
};
