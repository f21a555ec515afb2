/**
 * The key-value state machine both built-in configurations serve: registers (read / write / cas) and
 * grow-only sets (add; a read of a set key returns its elements). Raft applies committed log entries to it;
 * the operation bodies are Maelstrom lin-kv's.
 */
import { z } from 'zod';

const Key = z.union([z.string(), z.number()]);
export const KvOpSchema = z.discriminatedUnion('f', [
  z.object({ f: z.literal('read'), key: Key }),
  z.object({ f: z.literal('write'), key: Key, value: z.unknown() }),
  z.object({ f: z.literal('cas'), key: Key, from: z.unknown(), to: z.unknown() }),
  z.object({ f: z.literal('add'), key: Key, element: z.unknown() }),
  z.object({ f: z.literal('noop') }),
]);
export type KvOp = z.infer<typeof KvOpSchema>;
export type ClientOp = Exclude<KvOp, { f: 'noop' }>;

const ReadReq = z.object({ key: Key });
const WriteReq = z.object({ key: Key, value: z.unknown() });
const CasReq = z.object({ key: Key, from: z.unknown(), to: z.unknown() });
const AddReq = z.object({ key: Key, element: z.unknown() });

export type Reply = Record<string, unknown> & { type: string };

export function errorReply(code: number, text: string): Reply {
  return { type: 'error', code, text };
}

/** Turn a client request body into an op, or the error to answer (12 malformed-request). */
export function parseClientRequest(body: Record<string, unknown>): ClientOp | Reply {
  const type = body.type;
  const schema = type === 'read' ? ReadReq : type === 'write' ? WriteReq : type === 'cas' ? CasReq : type === 'add' ? AddReq : undefined;
  if (!schema) return errorReply(10, `unsupported operation ${String(type)}`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return errorReply(12, `malformed ${String(type)}: ${issue.path.join('.')} ${issue.message}`);
  }
  const d = parsed.data as Record<string, unknown>;
  if (type === 'write' && !('value' in body)) return errorReply(12, 'malformed write: no value');
  if (type === 'cas' && (!('from' in body) || !('to' in body))) return errorReply(12, 'malformed cas: needs from and to');
  if (type === 'add' && !('element' in body)) return errorReply(12, 'malformed add: no element');
  return { ...d, f: type } as ClientOp;
}

export function isReply(x: ClientOp | Reply): x is Reply {
  return 'type' in x;
}

/** Map keys keep 1 and "1" apart. */
export function keyId(key: string | number): string {
  return typeof key === 'number' ? `#${key}` : `$${key}`;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

type Entry = { kind: 'register'; value: unknown } | { kind: 'set'; elements: Map<string, unknown> };

export class KvState {
  private readonly data = new Map<string, Entry>();

  apply(op: KvOp): Reply {
    if (op.f === 'noop') return { type: 'noop_ok' };
    const id = keyId(op.key);
    const entry = this.data.get(id);
    switch (op.f) {
      case 'read':
        if (!entry) return errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
        return { type: 'read_ok', value: entry.kind === 'register' ? entry.value : [...entry.elements.values()] };
      case 'write':
        this.data.set(id, { kind: 'register', value: op.value });
        return { type: 'write_ok' };
      case 'cas':
        if (!entry) return errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
        if (entry.kind !== 'register') return errorReply(22, `key ${JSON.stringify(op.key)} holds a set`);
        if (!sameValue(entry.value, op.from)) {
          return errorReply(22, `expected ${JSON.stringify(op.from)}, but had ${JSON.stringify(entry.value)}`);
        }
        entry.value = op.to;
        return { type: 'cas_ok' };
      case 'add': {
        if (entry && entry.kind !== 'set') return errorReply(22, `key ${JSON.stringify(op.key)} holds a register`);
        const set = entry ?? { kind: 'set' as const, elements: new Map<string, unknown>() };
        set.elements.set(JSON.stringify(op.element), op.element);
        if (!entry) this.data.set(id, set);
        return { type: 'add_ok' };
      }
    }
  }

  /** This node's own view of a key, with no coordination. */
  localRead(key: string | number): { value: unknown; exists: boolean } {
    const entry = this.data.get(keyId(key));
    if (!entry) return { value: null, exists: false };
    return { value: entry.kind === 'register' ? entry.value : [...entry.elements.values()], exists: true };
  }
}
