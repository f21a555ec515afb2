/**
 * Maelstrom's unique-ids: every op asks for a fresh id, and every id handed out ok must differ from every
 * other. Nodes keep no state to read back, and there is no datatype to check for linearizability.
 */
import { uniqueIdsChecker } from '../../checkers/unique-ids.js';
import type { Generator } from '../generator.js';
import type { ClientOp } from '../target.js';
import type { Workload } from './workload.js';

/** Nothing to choose: every op asks for a fresh id. */
class GenerateGenerator implements Generator {
  next(): ClientOp {
    return { f: 'generate', key: 0 };
  }

  observe(): void {}
}

export const uniqueIds: Workload = {
  name: 'unique-ids',
  keyless: true,
  finalState: false,
  generator: () => new GenerateGenerator(),
  checkers: () => [{ checker: uniqueIdsChecker, enforced: true }],
  linearModel: { none: 'ids only have to differ' },
  maelstrom: {
    request(op) {
      if (op.f === 'generate') return { type: 'generate' };
      throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
    },
    okType: (op) => `${op.f}_ok`,
    okValue: (op, r) => (op.f === 'generate' ? (r.id ?? null) : op.f === 'read' ? (r.value ?? null) : undefined),
    missingRead: null,
    emptyState: null,
    keylessRead: false,
    probe: { body: { type: 'generate' }, healthy: (r) => r.type === 'generate_ok' },
  },
};
