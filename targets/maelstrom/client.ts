/**
 * A workload client that speaks a workload's Maelstrom messages (its `MaelstromFormat`) to one node
 * through the sim runtime. Maelstrom's error codes decide the outcome: a definite error means the op did not happen
 * (`fail`); an indefinite one, or no answer in time, leaves it unknown (`info`).
 */
import type { Client, ClientOp, ClientResult } from '../../harness/target.js';
import type { MaelstromFormat, Requester } from '../../harness/workloads/index.js';
import { isDefiniteError, KEY_DOES_NOT_EXIST } from '../../harness/workloads/maelstrom-codes.js';


export { KEY_DOES_NOT_EXIST, isDefiniteError };

/** What a reply means for the op: Maelstrom's error codes decide between fail (definite) and info. */
export function resultOf(op: ClientOp, reply: Record<string, unknown>, format: MaelstromFormat): ClientResult {
  if (reply.type === 'error') {
    const code = reply.code;
    // A missing key is an answer, not a failure: it reads as the initial value.
    if (op.f === 'read' && code === KEY_DOES_NOT_EXIST) return { type: 'ok', value: format.missingRead };
    const error = [code, reply.text ?? null];
    return { type: isDefiniteError(code) ? 'fail' : 'info', error };
  }
  if (reply.type !== format.okType(op)) return { type: 'info', error: `unexpected reply type ${String(reply.type)}` };
  const value = format.okValue(op, reply);
  return value === undefined ? { type: 'ok' } : { type: 'ok', value };
}

export class MaelstromClient implements Client {
  constructor(
    private readonly net: Requester,
    private readonly node: string,
    /** How the workload's ops are spelled on the wire (harness/workloads/<name>.ts). */
    private readonly format: MaelstromFormat,
  ) {}

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.net.request(this.node, this.format.request(op), timeoutMs);
    } catch (err) {
      return { type: 'info', error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message };
    }
    return resultOf(op, reply, this.format);
  }

  async close(): Promise<void> {}
}
