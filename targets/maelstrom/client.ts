/**
 * A workload client that speaks Maelstrom's lin-kv, g-set style add/read, or broadcast messages to one node
 * through the sim runtime. Maelstrom's error codes decide the outcome: a definite error means the op did not happen
 * (`fail`); an indefinite one, or no answer in time, leaves it unknown (`info`).
 */
import type { Client, ClientOp, ClientResult } from '../../harness/target.js';

/** The slice of the sim runtime a client needs. */
export interface Requester {
  request(node: string, body: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>>;
}

/** Maelstrom's definite errors: the request certainly took no effect. 0 (timeout) and 13 (crash) are not. */
const DEFINITE = new Set([1, 10, 11, 12, 14, 20, 21, 22, 30]);
export const KEY_DOES_NOT_EXIST = 20;

export function isDefiniteError(code: unknown): boolean {
  return typeof code === 'number' && DEFINITE.has(code);
}

/** How the client's ops are spelled on the wire. */
export type Dialect = 'kv' | 'set' | 'broadcast' | 'counter' | 'unique-ids' | 'echo';

export function request(op: ClientOp, dialect: Dialect): Record<string, unknown> {
  // Counters and unique-ids have one piece of state per cluster: no key on the wire.
  if (dialect === 'counter') {
    if (op.f === 'add') return { type: 'add', delta: op.value };
    if (op.f === 'read') return { type: 'read' };
  }
  if (dialect === 'unique-ids' && op.f === 'generate') return { type: 'generate' };
  if (dialect === 'echo' && op.f === 'echo') return { type: 'echo', echo: op.value };
  if (dialect === 'broadcast') {
    // Maelstrom's broadcast has one set of messages and no keys: add is `broadcast`, read returns `messages`.
    if (op.f === 'add') return { type: 'broadcast', message: op.value };
    if (op.f === 'read') return { type: 'read' };
  }
  switch (op.f) {
    case 'read':
      return { type: 'read', key: op.key };
    case 'write':
      return { type: 'write', key: op.key, value: op.value };
    case 'cas': {
      const [from, to] = op.value as [unknown, unknown];
      return { type: 'cas', key: op.key, from, to };
    }
    case 'add':
      return { type: 'add', key: op.key, element: op.value };
    default:
      throw new Error(`the Maelstrom client has no message for op "${op.f}"`);
  }
}

/** The value of a read_ok: `messages` under broadcast, `value` otherwise; absent means empty. */
export function readValue(reply: Record<string, unknown>, dialect: Dialect): unknown {
  if (dialect === 'broadcast') return reply.messages ?? [];
  if (dialect === 'counter') return reply.value ?? 0;
  return reply.value ?? (dialect === 'set' ? [] : null);
}

/** What a reply means for the op: Maelstrom's error codes decide between fail (definite) and info. */
export function resultOf(op: ClientOp, reply: Record<string, unknown>, dialect: Dialect): ClientResult {
  if (reply.type === 'error') {
    const code = reply.code;
    // A missing key is an answer, not a failure: it reads as the initial value.
    if (op.f === 'read' && code === KEY_DOES_NOT_EXIST) return { type: 'ok', value: dialect === 'set' || dialect === 'broadcast' ? [] : null };
    const error = [code, reply.text ?? null];
    return { type: isDefiniteError(code) ? 'fail' : 'info', error };
  }
  const expected = dialect === 'broadcast' && op.f === 'add' ? 'broadcast_ok' : `${op.f}_ok`;
  if (reply.type !== expected) return { type: 'info', error: `unexpected reply type ${String(reply.type)}` };
  if (op.f === 'read') return { type: 'ok', value: readValue(reply, dialect) };
  if (op.f === 'generate') return { type: 'ok', value: reply.id ?? null };
  if (op.f === 'echo') return { type: 'ok', value: reply.echo ?? null };
  return { type: 'ok' };
}

export class MaelstromClient implements Client {
  constructor(
    private readonly net: Requester,
    private readonly node: string,
    private readonly dialect: Dialect,
  ) {}

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.net.request(this.node, request(op, this.dialect), timeoutMs);
    } catch (err) {
      return { type: 'info', error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message };
    }
    return resultOf(op, reply, this.dialect);
  }

  async close(): Promise<void> {}
}
