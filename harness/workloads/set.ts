/**
 * The set workload (Maelstrom's g-set): clients add unique elements to sets on a few keys and read whole
 * sets; judged by the set checker (lost, unexpected, stale elements) and by convergence of the final reads.
 */
import { setChecker } from '../../checkers/set.js';
import { convergenceChecker } from '../../checkers/convergence.js';
import type { Generator, GeneratorOptions } from '../generator.js';
import type { Rng } from '../rng.js';
import type { ClientOp } from '../target.js';
import type { MaelstromFormat, Workload } from './workload.js';
import { kvFormat } from './register.js';
import { SET_LIKE_RATE } from './set-rate.js';

export class SetGenerator implements Generator {
  private seq = 0;
  constructor(
    private readonly rng: Rng,
    private readonly slot: number,
    private readonly o: GeneratorOptions,
  ) {}

  next(): ClientOp {
    const key = this.rng.int(0, this.o.keys - 1);
    const element = this.seq++ * this.o.slots + this.slot + 1;
    // Whole-set reads are costly for big sets; one in ten keeps them frequent enough to catch stale reads.
    if (this.rng.chance(0.1)) return { f: 'read', key };
    return { f: 'add', key, value: element };
  }

  observe(): void {}
}

/** The set checker (linearizable mode under CP) decides; convergence is held under AP. */
export const setCheckers: Workload['checkers'] = (promise, o) => [
  { checker: setChecker, enforced: true },
  { checker: convergenceChecker, enforced: promise === 'AP' || o?.agreement === true },
];

const setFormat: MaelstromFormat = {
  request: (op) => (op.f === 'add' ? { type: 'add', key: op.key, element: op.value } : kvFormat.request(op)),
  okType: (op) => `${op.f}_ok`,
  okValue: (op, r) => (op.f === 'read' ? (r.value ?? []) : undefined),
  missingRead: [],
  emptyState: [],
  keylessRead: false,
  probe: kvFormat.probe,
};

export const set: Workload = {
  name: 'set',
  keyless: false,
  finalState: true,
  defaultRate: SET_LIKE_RATE,
  generator: (slot, o, rng) => new SetGenerator(rng, slot, o),
  checkers: setCheckers,
  linearModel: { model: 'set' },
  maelstrom: setFormat,
};
