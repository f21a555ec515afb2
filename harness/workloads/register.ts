/**
 * The register workload: reads, writes and compare-and-sets of integers on a few keys, judged by
 * linearizability under a CP promise and by lost and phantom writes plus convergence under an AP one.
 * Maelstrom's lin-kv is the same workload under its own name (lin-kv.ts).
 */
import { linearizableChecker } from '../../checkers/linear/index.js';
import { registerAnomaliesChecker } from '../../checkers/register-anomalies.js';
import { convergenceChecker } from '../../checkers/convergence.js';
import { replicaAgreementChecker } from '../../checkers/replica-agreement.js';
import type { Generator, GeneratorOptions } from '../generator.js';
import type { Rng } from '../rng.js';
import type { ClientOp } from '../target.js';
import type { MaelstromFormat, Workload } from './workload.js';
import { KEY_DOES_NOT_EXIST } from './maelstrom-codes.js';

/**
 * Written values are unique per key across all slots (value = seq * slots + slot + 1), which is what lets the
 * checkers tell a lost or stale write from a merely old one. The one timing-dependent choice is a cas's
 * expected value: the last value this slot saw for the key (a cas guessing blindly would almost never succeed).
 */
export class RegisterGenerator implements Generator {
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

/** Maelstrom's lin-kv messages: read, write and cas on a key. */
export const kvFormat: MaelstromFormat = {
  request(op) {
    switch (op.f) {
      case 'read':
        return { type: 'read', key: op.key };
      case 'write':
        return { type: 'write', key: op.key, value: op.value };
      case 'cas': {
        const [from, to] = op.value as [unknown, unknown];
        return { type: 'cas', key: op.key, from, to };
      }
      default:
        throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
    }
  },
  okType: (op) => `${op.f}_ok`,
  okValue: (op, r) => (op.f === 'read' ? (r.value ?? null) : undefined),
  missingRead: null,
  emptyState: null,
  keylessRead: false,
  probe: {
    body: { type: 'read', key: '__faultline_health' },
    healthy: (r) => r.type === 'read_ok' || (r.type === 'error' && r.code === KEY_DOES_NOT_EXIST),
  },
};

export const register: Workload = {
  name: 'register',
  keyless: false,
  finalState: true,
  generator: (slot, o, rng) => new RegisterGenerator(rng, slot, o),
  checkers: (promise, o) => [
    { checker: linearizableChecker('cas-register', null), enforced: promise === 'CP' },
    // Lost and phantom writes break an AP promise too; a CP run is already judged by linearizability.
    { checker: registerAnomaliesChecker, enforced: promise === 'AP' },
    { checker: convergenceChecker, enforced: promise === 'AP' || o?.agreement === true },
    // Replicas that promise one state also promise one log: compare what each committed per height.
    ...(o?.agreement === true ? [{ checker: replicaAgreementChecker, enforced: true }] : []),
  ],
  linearModel: { model: 'cas-register' },
  maelstrom: kvFormat,
};
