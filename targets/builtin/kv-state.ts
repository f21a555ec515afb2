/**
 * The key-value state machine both built-in configurations serve: registers (read / write / cas),
 * grow-only sets (add; a read of a set key returns its elements), and Maelstrom's transactions (`txn`: a list
 * of `["r", k, null]`, `["append", k, v]` to a list, `["w", k, v]` to a register, applied whole). Raft applies
 * committed log entries to it; the operation bodies are Maelstrom lin-kv's and txn-list-append's.
 */
import { z } from 'zod';

const Key = z.union([z.string(), z.number()]);
/** One micro-op of a transaction, as Maelstrom's txn workloads send it. */
export const MicroOpSchema = z.tuple([z.enum(['r', 'append', 'w']), Key, z.unknown()]);
export type MicroOp = z.infer<typeof MicroOpSchema>;
const TxnSchema = z.array(MicroOpSchema).min(1).max(10_000);
export const KvOpSchema = z.discriminatedUnion('f', [
  z.object({ f: z.literal('read'), key: Key }),
  z.object({ f: z.literal('write'), key: Key, value: z.unknown() }),
  z.object({ f: z.literal('cas'), key: Key, from: z.unknown(), to: z.unknown() }),
  z.object({ f: z.literal('add'), key: Key, element: z.unknown() }),
  z.object({ f: z.literal('txn'), txn: TxnSchema }),
  z.object({ f: z.literal('noop') }),
]);
export type KvOp = z.infer<typeof KvOpSchema>;
export type ClientOp = Exclude<KvOp, { f: 'noop' }>;

const ReadReq = z.object({ key: Key });
const WriteReq = z.object({ key: Key, value: z.unknown() });
const CasReq = z.object({ key: Key, from: z.unknown(), to: z.unknown() });
const AddReq = z.object({ key: Key, element: z.unknown() });
const TxnReq = z.object({ txn: TxnSchema });

export type Reply = Record<string, unknown> & { type: string };

export function errorReply(code: number, text: string): Reply {
  return { type: 'error', code, text };
}

/** Turn a client request body into an op, or the error to answer (12 malformed-request). */
export function parseClientRequest(body: Record<string, unknown>): ClientOp | Reply {
  const type = body.type;
  const schema = type === 'read' ? ReadReq : type === 'write' ? WriteReq : type === 'cas' ? CasReq : type === 'add' ? AddReq : type === 'txn' ? TxnReq : undefined;
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

type Entry = { kind: 'register'; value: unknown } | { kind: 'set'; elements: Map<string, unknown> } | { kind: 'list'; values: unknown[] };

/** What a read micro-op returns for an entry: a list's elements (a copy), a register's value, nil when absent. */
function txnRead(e: Entry | undefined): unknown {
  if (!e) return null;
  return e.kind === 'list' ? [...e.values] : e.kind === 'register' ? e.value : [...e.elements.values()];
}

/**
 * Transaction bugs the state machine itself can have (the configs' other bugs live in their nodes):
 * `unseen-own-writes` serves a txn's reads from the state as it was before the txn, so a txn that wrote a key
 * and then reads it misses its own write.
 */
export type TxnBug = 'unseen-own-writes';

export class KvState {
  private readonly data = new Map<string, Entry>();

  constructor(private readonly txnBug?: TxnBug) {}

  /**
   * A whole transaction against this state, in order, with nothing between its micro-ops. A micro-op whose key
   * holds the other kind (an append to a register, a write over a list) refuses the whole txn first, with
   * Maelstrom's definite 30 (txn-conflict), so nothing of it applies.
   */
  /**
   * What `txn` would return against this state now, its reads seeing its own earlier writes, without applying
   * anything (raft's txn-local-reads bug answers reads this way, outside the log).
   */
  simulateTxn(txn: readonly MicroOp[]): MicroOp[] {
    const view = new Map<string, unknown>();
    const get = (k: string | number): unknown => {
      const id = keyId(k);
      if (!view.has(id)) view.set(id, txnRead(this.data.get(id)));
      return view.get(id);
    };
    return txn.map(([f, k, v]): MicroOp => {
      const cur = get(k);
      if (f === 'r') return ['r', k, Array.isArray(cur) ? [...(cur as unknown[])] : cur];
      view.set(keyId(k), f === 'append' ? [...((cur as unknown[] | null) ?? []), v] : v);
      return [f, k, v];
    });
  }

  applyTxn(txn: readonly MicroOp[]): Reply {
    for (const [f, k] of txn) {
      const e = this.data.get(keyId(k));
      if (e && f === 'append' && e.kind !== 'list') return errorReply(30, `key ${JSON.stringify(k)} is not a list`);
      if (e && f === 'w' && e.kind !== 'register') return errorReply(30, `key ${JSON.stringify(k)} is not a register`);
    }
    // unseen-own-writes: reads answer from what the txn's keys held before it began.
    const before = this.txnBug === 'unseen-own-writes' ? new Map(txn.map(([, k]) => [keyId(k), txnRead(this.data.get(keyId(k)))])) : undefined;
    const out: MicroOp[] = txn.map(([f, k, v]) => {
      const id = keyId(k);
      if (f === 'r') return ['r', k, before ? before.get(id) : txnRead(this.data.get(id))];
      if (f === 'append') {
        const e = this.data.get(id);
        if (e?.kind === 'list') e.values.push(v);
        else this.data.set(id, { kind: 'list', values: [v] });
      } else this.data.set(id, { kind: 'register', value: v });
      return [f, k, v];
    });
    return { type: 'txn_ok', txn: out };
  }

  apply(op: KvOp): Reply {
    if (op.f === 'noop') return { type: 'noop_ok' };
    if (op.f === 'txn') return this.applyTxn(op.txn);
    const id = keyId(op.key);
    const entry = this.data.get(id);
    switch (op.f) {
      case 'read':
        if (!entry) return errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
        return { type: 'read_ok', value: txnRead(entry) };
      case 'write':
        this.data.set(id, { kind: 'register', value: op.value });
        return { type: 'write_ok' };
      case 'cas':
        if (!entry) return errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
        if (entry.kind !== 'register') return errorReply(22, `key ${JSON.stringify(op.key)} holds a ${entry.kind}`);
        if (!sameValue(entry.value, op.from)) {
          return errorReply(22, `expected ${JSON.stringify(op.from)}, but had ${JSON.stringify(entry.value)}`);
        }
        entry.value = op.to;
        return { type: 'cas_ok' };
      case 'add': {
        if (entry && entry.kind !== 'set') return errorReply(22, `key ${JSON.stringify(op.key)} holds a ${entry.kind}`);
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
    return { value: txnRead(entry), exists: true };
  }
}
