/**
 * Maelstrom's kafka workload, the client side: what each client slot asks for. A slot sends unique messages
 * to random logs, polls the logs it follows, and now and then re-assigns itself a random subset of the logs
 * (starting again from their committed offsets), as jepsen.tests.kafka's generator does with `assign`.
 * The checkers are checkers/kafka (index.ts, and replicas.ts for each node's own log); the wire format is kafka-client.ts beside this file.
 */
import type { ClientOp } from '../target.js';
import type { Rng } from '../rng.js';
import { kafkaChecker } from '../../checkers/kafka/index.js';
import { logReplicasChecker } from '../../checkers/kafka/replicas.js';
import type { Workload } from './workload.js';
import { finalPoll, KafkaClient } from './kafka-client.js';

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

export const kafka: Workload = {
  name: 'kafka',
  keyless: false,
  finalState: true,
  generator: (slot, o, rng) => new KafkaGenerator(rng, slot, o.slots, o.keys),
  // The kafka checker judges what clients saw (the union of every replica's answers); log-replicas holds each
  // node's own final log to the others, so a replica left behind or holding another message is a finding.
  checkers: () => [
    { checker: kafkaChecker, enforced: true },
    { checker: logReplicasChecker, enforced: true },
  ],
  linearModel: { none: 'its logs are judged by the kafka checker' },
  maelstrom: {
    // A kafka client keeps its consumer position between ops, so it is its own client, not one request per op.
    client: (net, node, keys) => new KafkaClient(net, node, keys),
    finalRead: finalPoll,
    probe: { body: { type: 'list_committed_offsets', keys: ['0'] }, healthy: (r) => r.type === 'list_committed_offsets_ok' },
    request: () => {
      throw new Error('the kafka workload speaks through its own client');
    },
    okType: (op) => `${op.f}_ok`,
    okValue: () => undefined,
    missingRead: null,
    emptyState: [],
    keylessRead: false,
  },
};
