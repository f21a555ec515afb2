/**
 * Maelstrom's kafka workload, the client side: what each client slot asks for. A slot sends unique messages
 * to random logs, polls the logs it follows, and now and then re-assigns itself a random subset of the logs
 * (starting again from their committed offsets), as jepsen.tests.kafka's generator does with `assign`.
 * The checker is checkers/kafka; the wire format is targets/maelstrom/kafka-client.ts.
 */
import type { ClientOp } from './target.js';
import type { Rng } from './rng.js';

export class KafkaGenerator {
  private seq = 0;
  constructor(
    private readonly rng: Rng,
    private readonly slot: number,
    private readonly slots: number,
    private readonly keys: number,
  ) {}

  next(): ClientOp {
    const key = this.rng.int(0, this.keys - 1);
    // Draw the message on every op, so the stream of messages never depends on which ops were polls.
    const msg = this.seq++ * this.slots + this.slot + 1;
    const roll = this.rng.next();
    if (roll < 0.5) return { f: 'send', key, value: msg };
    if (roll < 0.95) return { f: 'poll' };
    const chosen = Array.from({ length: this.keys }, (_, k) => k).filter(() => this.rng.chance(0.5));
    return { f: 'assign', value: chosen.length > 0 ? chosen : [key] };
  }

  observe(): void {}
}
