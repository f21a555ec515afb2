/**
 * Maelstrom's broadcast: a set workload under other message names. One set of messages and no keys: an add
 * is `broadcast`, a read returns `messages`, and nodes are told the topology before the load starts.
 */
import type { Workload } from './workload.js';
import { SetGenerator, setCheckers } from './set.js';
import { SET_LIKE_RATE } from './set-rate.js';
import { kvFormat } from './register.js';

export const broadcast: Workload = {
  name: 'broadcast',
  keyless: true,
  finalState: true,
  defaultRate: SET_LIKE_RATE,
  generator: (slot, o, rng) => new SetGenerator(rng, slot, o),
  checkers: setCheckers,
  linearModel: { model: 'set' },
  maelstrom: {
    request(op) {
      if (op.f === 'add') return { type: 'broadcast', message: op.value };
      if (op.f === 'read') return { type: 'read' };
      throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
    },
    okType: (op) => (op.f === 'add' ? 'broadcast_ok' : `${op.f}_ok`),
    okValue: (op, r) => (op.f === 'read' ? (r.messages ?? []) : undefined),
    missingRead: [],
    emptyState: [],
    keylessRead: true,
    probe: kvFormat.probe,
    topology: true,
  },
};
