/**
 * Maelstrom's echo: each op sends a distinct message and the node must send it back unchanged. Nodes keep
 * no state, and there is no datatype to check for linearizability.
 */
import { echoChecker } from '../../checkers/echo.js';
import type { Generator } from '../generator.js';
import type { ClientOp } from '../target.js';
import type { Workload } from './workload.js';

/** A distinct message per op, so a reply carrying another op's message shows. */
class EchoGenerator implements Generator {
  private seq = 0;
  constructor(private readonly slot: number) {}

  next(): ClientOp {
    return { f: 'echo', key: 0, value: `Please echo ${this.slot}-${this.seq++}` };
  }

  observe(): void {}
}

export const echo: Workload = {
  name: 'echo',
  keyless: true,
  finalState: false,
  generator: (slot) => new EchoGenerator(slot),
  checkers: () => [{ checker: echoChecker, enforced: true }],
  linearModel: { none: 'echoes only have to match' },
  maelstrom: {
    request(op) {
      if (op.f === 'echo') return { type: 'echo', echo: op.value };
      throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
    },
    okType: (op) => `${op.f}_ok`,
    okValue: (op, r) => (op.f === 'echo' ? (r.echo ?? null) : op.f === 'read' ? (r.value ?? null) : undefined),
    missingRead: null,
    emptyState: null,
    keylessRead: false,
    probe: { body: { type: 'echo', echo: 'health' }, healthy: (r) => r.type === 'echo_ok' },
  },
};
