/**
 * Maelstrom's services: nodes of the simulated network that the harness itself plays, which a user's nodes
 * call with ordinary RPCs (jepsen-io/maelstrom doc/services.md). Each one answers a request body with a reply
 * body; the router (sim-runtime.ts) only carries the messages.
 *
 * - `lin-kv`: one key-value map, every request applied in arrival order: linearizable.
 * - `seq-kv`: sequentially consistent. The service keeps its last states; a request that changes nothing may be
 *   answered from any state between the last one this client saw and the newest, while a change is applied to the
 *   newest state. Each client so sees a monotonic order, reads go stale, and a failed cas can fail against a
 *   past value, as the doc's example allows.
 * - `lww-kv`: several replicas that answer on their own, with Lamport timestamps, merged pairwise at random
 *   as requests arrive (Maelstrom's "intentionally pathological" last-write-wins store).
 * - `lin-tso`: a linearizable timestamp oracle, `ts` → `ts_ok {ts}` with 0, 1, 2, ...
 *
 * The random choices come from streams seeded by the run's seed and the service's name: the same requests in
 * the same order get the same answers.
 */
import { canon } from '../../checkers/models/canon.js';
import { rngFor, type Rng } from '../rng.js';
import { ErrorCode, errorBody } from './protocol.js';

export type ServiceName = 'lin-kv' | 'seq-kv' | 'lww-kv' | 'lin-tso';
export const SERVICE_NAMES: readonly ServiceName[] = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'];

export type ReplyBody = { type: string } & Record<string, unknown>;

export interface Service {
  readonly name: ServiceName;
  /** Answer one request body from node `src` (without in_reply_to: the router adds it). */
  handle(src: string, body: Record<string, unknown>): ReplyBody;
}

export function isServiceName(id: string): id is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(id);
}

/** A key-value state, never mutated once made: a past state stays as it was. Keys and values in canonical JSON. */
type KvState = ReadonlyMap<string, unknown>;

interface KvOutcome {
  next: KvState;
  reply: ReplyBody;
}

const missing = (): ReplyBody => errorBody(ErrorCode.keyDoesNotExist, 'key does not exist') as ReplyBody;

/** One kv request against one state: the semantics lin-kv, seq-kv and lww-kv share. */
function applyKv(state: KvState, body: Record<string, unknown>): KvOutcome {
  const same = (reply: ReplyBody): KvOutcome => ({ next: state, reply });
  if (!('key' in body)) return same(errorBody(ErrorCode.malformedRequest, `${body.type} needs a key`) as ReplyBody);
  const k = canon(body.key);
  switch (body.type) {
    case 'read':
      return same(state.has(k) ? { type: 'read_ok', value: state.get(k) } : missing());
    case 'write':
      return { next: new Map(state).set(k, body.value ?? null), reply: { type: 'write_ok' } };
    case 'cas': {
      if (!state.has(k)) {
        if (body.create_if_not_exists === true) return { next: new Map(state).set(k, body.to ?? null), reply: { type: 'cas_ok' } };
        return same(missing());
      }
      const current = state.get(k);
      if (canon(current) !== canon(body.from)) {
        return same(errorBody(ErrorCode.preconditionFailed, `current value ${canon(current)} is not ${canon(body.from)}`) as ReplyBody);
      }
      return { next: new Map(state).set(k, body.to ?? null), reply: { type: 'cas_ok' } };
    }
    default:
      return same(errorBody(ErrorCode.notSupported, `the kv services take read, write and cas, not ${String(body.type)}`) as ReplyBody);
  }
}

class LinKv implements Service {
  readonly name = 'lin-kv' as const;
  private state: KvState = new Map();

  handle(_src: string, body: Record<string, unknown>): ReplyBody {
    const { next, reply } = applyKv(this.state, body);
    this.state = next;
    return reply;
  }
}

/** How many past states seq-kv keeps to answer from (Maelstrom keeps 32). */
const SEQ_HISTORY = 32;

class SeqKv implements Service {
  readonly name = 'seq-kv' as const;
  /** states[i] is the state of index base + i; the last is the newest. */
  private states: KvState[] = [new Map()];
  private base = 0;
  /** The index of the last state each client interacted with: it never goes back. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly rng: Rng) {}

  handle(src: string, body: Record<string, unknown>): ReplyBody {
    const newest = this.base + this.states.length - 1;
    const from = Math.max(this.seen.get(src) ?? 0, this.base);
    const index = this.rng.int(from, newest);
    const tried = applyKv(this.states[index - this.base], body);
    if (tried.next === this.states[index - this.base]) {
      // Nothing changed: answering from this past state keeps the client's order and the total order.
      this.seen.set(src, index);
      return tried.reply;
    }
    // A change goes after every state there is, so the total order stays one line.
    const { next, reply } = applyKv(this.states[this.states.length - 1], body);
    if (next !== this.states[this.states.length - 1]) {
      this.states.push(next);
      if (this.states.length > SEQ_HISTORY) {
        this.states.shift();
        this.base++;
      }
    }
    this.seen.set(src, this.base + this.states.length - 1);
    return reply;
  }
}

interface LwwReplica {
  clock: number;
  /** key → value with the Lamport time of the write that made it */
  values: ReadonlyMap<string, { ts: number; value: unknown }>;
}

/** How many independent replicas lww-kv simulates (Maelstrom's default). */
const LWW_REPLICAS = 5;

class LwwKv implements Service {
  readonly name = 'lww-kv' as const;
  private readonly replicas: LwwReplica[] = Array.from({ length: LWW_REPLICAS }, () => ({ clock: 0, values: new Map() }));

  constructor(private readonly rng: Rng) {}

  handle(_src: string, body: Record<string, unknown>): ReplyBody {
    // Gossip: one random replica merges another into itself, then a random replica answers alone.
    const src = this.replicas[this.rng.int(0, LWW_REPLICAS - 1)];
    const destIndex = this.rng.int(0, LWW_REPLICAS - 1);
    this.replicas[destIndex] = merge(this.replicas[destIndex], src);
    const i = this.rng.int(0, LWW_REPLICAS - 1);
    const replica = this.replicas[i];
    const view: KvState = new Map([...replica.values].map(([k, v]) => [k, v.value]));
    const { next, reply } = applyKv(view, body);
    if (next !== view) {
      const values = new Map(replica.values);
      for (const [k, v] of next) if (!view.has(k) || view.get(k) !== v) values.set(k, { ts: replica.clock, value: v });
      this.replicas[i] = { clock: replica.clock + 1, values };
    }
    return reply;
  }
}

function merge(a: LwwReplica, b: LwwReplica): LwwReplica {
  const values = new Map(a.values);
  for (const [k, v] of b.values) {
    const mine = values.get(k);
    // Higher timestamp wins; on a tie, the larger value in canonical order, so every replica picks the same.
    if (mine === undefined || v.ts > mine.ts || (v.ts === mine.ts && canon(v.value) > canon(mine.value))) values.set(k, v);
  }
  return { clock: Math.max(a.clock, b.clock), values };
}

class LinTso implements Service {
  readonly name = 'lin-tso' as const;
  private next = 0;

  handle(_src: string, body: Record<string, unknown>): ReplyBody {
    if (body.type !== 'ts') return errorBody(ErrorCode.notSupported, `lin-tso takes ts, not ${String(body.type)}`) as ReplyBody;
    return { type: 'ts_ok', ts: this.next++ };
  }
}

/** The four services of a run, each with its own seeded stream. */
export function makeServices(seed: string): Map<ServiceName, Service> {
  return new Map<ServiceName, Service>([
    ['lin-kv', new LinKv()],
    ['seq-kv', new SeqKv(rngFor(seed, 'service/seq-kv'))],
    ['lww-kv', new LwwKv(rngFor(seed, 'service/lww-kv'))],
    ['lin-tso', new LinTso()],
  ]);
}
