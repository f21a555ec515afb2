/**
 * Workload generators: each client slot draws its own op sequence from its own seeded stream, so a seed fixes
 * every slot's sequence of (f, key, written value) however the slots interleave in time.
 *
 * Written values are unique per key across all slots (value = seq * slots + slot + 1), which is what lets the
 * checkers tell a lost or stale write from a merely old one. The one timing-dependent choice is a cas's
 * expected value: the last value this slot saw for the key (a cas guessing blindly would almost never succeed).
 */
import { isCounterWorkload, isSetWorkload, type ClientOp, type WorkloadName } from './target.js';
import { rngFor, type Rng } from './rng.js';
import { KafkaGenerator } from './kafka-workload.js';

export interface Generator {
  /** The next op for this slot. */
  next(): ClientOp;
  /** Tell the generator what the op returned, so a later cas can expect a value that really was there. */
  observe(op: ClientOp, type: 'ok' | 'fail' | 'info', value: unknown): void;
}

export interface GeneratorOptions {
  workload: WorkloadName;
  keys: number;
  slots: number;
  seed: string;
}

class RegisterGenerator implements Generator {
  private seq = 0;
  private lastSeen = new Map<number, unknown>();
  constructor(
    private readonly rng: Rng,
    private readonly slot: number,
    private readonly o: GeneratorOptions,
  ) {}

  private fresh(): number {
    return this.seq++ * this.o.slots + this.slot + 1;
  }

  next(): ClientOp {
    const key = this.rng.int(0, this.o.keys - 1);
    const roll = this.rng.next();
    // Draw the written value on every op, read or not, so the value stream never depends on timing.
    const value = this.fresh();
    if (roll < 0.5) return { f: 'read', key };
    if (roll < 0.8) return { f: 'write', key, value };
    return { f: 'cas', key, value: [this.lastSeen.get(key) ?? null, value] };
  }

  observe(op: ClientOp, type: 'ok' | 'fail' | 'info', value: unknown): void {
    if (type !== 'ok' || typeof op.key !== 'number') return;
    if (op.f === 'read') this.lastSeen.set(op.key, value ?? null);
    else if (op.f === 'write') this.lastSeen.set(op.key, op.value);
    else if (op.f === 'cas') this.lastSeen.set(op.key, (op.value as unknown[])[1]);
  }
}

class SetGenerator implements Generator {
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

/** Maelstrom's counters: adds of small deltas (negative too for a pn-counter), and reads of the count. */
class CounterGenerator implements Generator {
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

/** Maelstrom's unique-ids: nothing to choose, every op asks for a fresh id. */
class GenerateGenerator implements Generator {
  next(): ClientOp {
    return { f: 'generate', key: 0 };
  }

  observe(): void {}
}

/** Maelstrom's echo: a distinct message per op, so a reply carrying another op's message shows. */
class EchoGenerator implements Generator {
  private seq = 0;
  constructor(private readonly slot: number) {}

  next(): ClientOp {
    return { f: 'echo', key: 0, value: `Please echo ${this.slot}-${this.seq++}` };
  }

  observe(): void {}
}

export function makeGenerator(slot: number, o: GeneratorOptions): Generator {
  const rng = rngFor(o.seed, `client-${slot}`);
  if (isCounterWorkload(o.workload)) return new CounterGenerator(rng, o.workload === 'pn-counter');
  if (o.workload === 'unique-ids') return new GenerateGenerator();
  if (o.workload === 'echo') return new EchoGenerator(slot);
  if (o.workload === 'kafka') return new KafkaGenerator(rng, slot, o.slots, o.keys);
  // Maelstrom's broadcast is a set workload under other message names: one set of messages, no keys.
  return isSetWorkload(o.workload) ? new SetGenerator(rng, slot, o) : new RegisterGenerator(rng, slot, o);
}
