/**
 * Maelstrom's g-counter (and, with negative deltas, pn-counter.ts): adds of small deltas and reads of the
 * count, one counter per cluster; judged by the counter checker, which reads the final state itself.
 */
import { counterChecker } from '../../checkers/counter.js';
import type { Generator } from '../generator.js';
import type { Rng } from '../rng.js';
import type { ClientOp } from '../target.js';
import type { MaelstromFormat, Workload } from './workload.js';

export class CounterGenerator implements Generator {
  constructor(
    private readonly rng: Rng,
    private readonly negative: boolean,
  ) {}

  next(): ClientOp {
    // Draw the delta on every op so the stream never depends on which ops were reads.
    const magnitude = this.rng.int(1, 5);
    const sign = this.negative && this.rng.chance(0.4) ? -1 : 1;
    if (this.rng.chance(0.2)) return { f: 'read', key: 0 };
    return { f: 'add', key: 0, value: sign * magnitude };
  }

  observe(): void {}
}

/** Counters have one piece of state per cluster: no key on the wire. */
export const counterFormat: MaelstromFormat = {
  request(op) {
    if (op.f === 'add') return { type: 'add', delta: op.value };
    if (op.f === 'read') return { type: 'read' };
    throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
  },
  okType: (op) => `${op.f}_ok`,
  okValue: (op, r) => (op.f === 'read' ? (r.value ?? 0) : undefined),
  missingRead: null,
  emptyState: 0,
  keylessRead: true,
  probe: { body: { type: 'read' }, healthy: (r) => r.type === 'read_ok' },
};

export const gCounter: Workload = {
  name: 'g-counter',
  keyless: true,
  finalState: true,
  generator: (_slot, _o, rng) => new CounterGenerator(rng, false),
  // The counter checker judges the final reads itself: the convergence checker knows registers and sets.
  checkers: () => [{ checker: counterChecker, enforced: true }],
  linearModel: { model: 'counter' },
  maelstrom: counterFormat,
};
