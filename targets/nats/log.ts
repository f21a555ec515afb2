/**
 * The kafka workload on NATS JetStream: each log key is its own stream (`LOG_<key>`, subject `log.<key>`,
 * replicated to every node), as a Kafka topic partition is its own replicated log. A message's offset is its
 * stream sequence, so the kafka checker (checkers/kafka) judges what JetStream stored and served:
 *
 * - `send` publishes the message and takes the PubAck's sequence as its offset;
 * - `poll` reads each followed stream by sequence from the client's position (a batch of gets, stopping at
 *   the first sequence that holds nothing), then commits the highest sequence it read;
 * - `assign` follows another set of keys, each from its committed offset + 1 (or the start);
 * - a node's final read is its own replica's whole stream, by direct get on a connection to that node.
 *   NATS cannot be asked for one replica by name: direct get is a queue group over the replicas, and a
 *   server hands a request to its own member when it has one (a replica serving direct gets), else to
 *   another server's. So the read is checked against what the node's own store says it holds (`/jsz` on
 *   its monitoring port: first and last sequence, message count); an answer that does not match is not
 *   that replica's and the read fails, saying so.
 *
 * Committed offsets live in a second KV bucket (one consumer group for all clients), written after polls and
 * read on assign, as Maelstrom's kafka nodes keep them. Reads follow the config: `leader` asks the stream
 * leader, `direct` lets a replica answer from its own store. Outcomes as in client.ts: a timeout on publish is
 * `info`, a refusal `fail`, and a poll or assign (no effect on the logs) that cannot finish is `fail`.
 */
import type { JetStreamClient, JetStreamManager, KV, NatsConnection, StoredMsg } from 'nats';
import { z } from 'zod';
import type { Key } from '../../histories/op.js';
import type { Client, ClientOp, ClientResult } from '../../harness/target.js';
import { errorOutcome, within, type ReadMode } from './client.js';

/** The consumer group's committed offsets (key → highest sequence processed). */
export const OFFSETS_BUCKET = 'faultline-offsets';
/** Sequences asked for at once by a poll, per key (a batch of gets in flight together). */
const POLL_BATCH = 16;
/** Sequences asked for at once by a final read. */
const FINAL_BATCH = 64;
/** A final read gives up past this many messages of one log, so it stays bounded. */
const FINAL_MAX = 1_000_000;

export function logStream(key: Key): string {
  return `LOG_${String(key)}`;
}

export function logSubject(key: Key): string {
  return `log.${String(key)}`;
}

/** Create (or find) the log streams for keys 0..keys-1, each replicated to every node. */
export async function ensureLogStreams(nc: NatsConnection, jsm: JetStreamManager, keys: number, replicas: number): Promise<void> {
  for (let k = 0; k < keys; k++) {
    const name = logStream(k);
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams.add({ name, subjects: [logSubject(k)], num_replicas: replicas, allow_direct: true });
    }
  }
  await nc.jetstream().views.kv(OFFSETS_BUCKET, { replicas, history: 1, timeout: 3000 });
}

function notFound(err: unknown): boolean {
  const e = err as { api_error?: { code?: number }; code?: unknown; message?: unknown };
  return e?.api_error?.code === 404 || e?.code === '404' || /no message found/i.test(String(e?.message ?? ''));
}

type Getter = (stream: string, q: { seq: number }) => Promise<StoredMsg>;

function getter(jsm: JetStreamManager, mode: ReadMode): Getter {
  if (mode === 'leader') return (s, q) => jsm.streams.getMessage(s, q);
  // nats.js has direct get on the manager but leaves it out of the exported interface.
  const d = (jsm as unknown as { direct?: { getMessage: Getter } }).direct;
  if (!d) throw new Error('this nats client library has no direct get');
  return (s, q) => d.getMessage(s, q);
}

function decodeMsg(m: StoredMsg): unknown {
  const text = new TextDecoder().decode(m.data);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Untrusted: whatever a node stored is reported as the text it holds.
    return text;
  }
}

/**
 * Up to `max` messages of `key`'s log from sequence `from`, in order, stopping before the first sequence
 * that holds nothing. `batch` gets are in flight at once.
 */
export async function readLog(get: Getter, key: Key, from: number, max: number, batch: number): Promise<[number, unknown][]> {
  const out: [number, unknown][] = [];
  let next = from;
  while (out.length < max) {
    const n = Math.min(batch, max - out.length);
    const seqs = Array.from({ length: n }, (_, i) => next + i);
    const got = await Promise.all(seqs.map((seq) => get(logStream(key), { seq }).then((m) => m, (err: unknown) => (notFound(err) ? null : Promise.reject(err)))));
    for (let i = 0; i < got.length; i++) {
      const m = got[i];
      if (m === null) return out;
      out.push([seqs[i], decodeMsg(m)]);
    }
    next += n;
  }
  return out;
}

/** What one server's own replica of a stream holds, from its monitoring endpoint. */
export interface ReplicaState {
  messages: number;
  firstSeq: number;
  lastSeq: number;
}

const JszSchema = z.looseObject({
  account_details: z
    .array(
      z.looseObject({
        stream_detail: z
          .array(z.looseObject({ name: z.string(), state: z.looseObject({ messages: z.number(), first_seq: z.number(), last_seq: z.number() }) }))
          .optional(),
      }),
    )
    .optional(),
});

/** Every stream the server at `url` (its monitoring port) holds a replica of, with that replica's state. */
export async function replicaStates(url: string, timeoutMs: number): Promise<Map<string, ReplicaState>> {
  const res = await fetch(`${url}/jsz?acc=%24G&streams=true`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`monitoring endpoint answered HTTP ${res.status}`);
  const parsed = JszSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error(`monitoring endpoint's /jsz is not what nats-server 2.9 sends: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const out = new Map<string, ReplicaState>();
  for (const acc of parsed.data.account_details ?? []) {
    for (const st of acc.stream_detail ?? []) out.set(st.name, { messages: st.state.messages, firstSeq: st.state.first_seq, lastSeq: st.state.last_seq });
  }
  return out;
}

/** Why `pairs` is not a whole read of a replica in `state` (logs here never delete), or null when it is. */
export function replicaMismatch(pairs: readonly [number, unknown][], state: ReplicaState | undefined, node: string, key: Key): string | null {
  const stream = logStream(key);
  if (!state) return `${node} holds no replica of ${stream}`;
  const first = pairs.length > 0 ? pairs[0][0] : 0;
  const last = pairs.length > 0 ? pairs[pairs.length - 1][0] : 0;
  const holds = state.messages === 0 ? 0 : state.lastSeq;
  if (pairs.length === state.messages && (pairs.length === 0 || (first === state.firstSeq && last === state.lastSeq))) return null;
  const own = state.messages === 0 ? 'nothing' : `sequences ${state.firstSeq}–${holds} (${state.messages} messages)`;
  const got = pairs.length === 0 ? 'nothing' : `${first}–${last} (${pairs.length} messages)`;
  return `the direct get on ${node} was not answered by ${node}'s own replica of ${stream}: its store holds ${own}, the answer held ${got}`;
}

/** A final read answered by another replica than the node's own: the message, and what its own store holds. */
export class ReplicaMismatch extends Error {
  constructor(
    message: string,
    readonly state: ReplicaState | undefined,
  ) {
    super(message);
  }

  /** The node's own extent, as final reads record it for the log-replicas checker (absent: no replica at all). */
  extent(): { first: number; last: number; count: number } | undefined {
    return this.state ? { first: this.state.firstSeq, last: this.state.lastSeq, count: this.state.messages } : undefined;
  }
}

/**
 * One node's own replica of `key`'s log, whole: direct get on a connection to that node, checked against the
 * node's own store state (see the header).
 */
export async function finalLog(jsm: JetStreamManager, key: Key, own: () => Promise<Map<string, ReplicaState>>, node: string): Promise<[number, unknown][]> {
  const pairs = await readLog(getter(jsm, 'direct'), key, 1, FINAL_MAX, FINAL_BATCH);
  const state = (await own()).get(logStream(key));
  const why = replicaMismatch(pairs, state, node, key);
  if (why) throw new ReplicaMismatch(why, state);
  return pairs;
}

/** An op's answer, and the change to the consumer's position it makes once it is recorded as done. */
interface Outcome {
  result: ClientResult;
  apply?: () => void;
}

export class NatsLogClient implements Client {
  /**
   * key → next sequence to poll; undefined until the committed offset is read. Changed only by an op that
   * completes within its time: an op given up on may still finish in the background (its gets, its commit),
   * and must then leave the position alone, or the next recorded poll would start after messages no recorded
   * poll returned (a false poll-skip). So `perform` computes the change and `invoke` applies it only when the
   * op is answered in time, in the same tick as it is recorded.
   */
  private readonly next = new Map<string, number | undefined>();
  private readonly get: Getter;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    jsm: JetStreamManager,
    private readonly offsets: KV,
    mode: ReadMode,
    keys: number,
  ) {
    this.get = getter(jsm, mode);
    for (let k = 0; k < keys; k++) this.next.set(String(k), undefined);
  }

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    if (this.nc.isClosed()) return { type: 'fail', error: 'connection closed' };
    try {
      const o = await within(this.perform(op), timeoutMs);
      o.apply?.();
      return o.result;
    } catch (err) {
      return errorOutcome(err, op.f !== 'send');
    }
  }

  private async perform(op: ClientOp): Promise<Outcome> {
    switch (op.f) {
      case 'send': {
        const ack = await this.js.publish(logSubject(op.key ?? 0), JSON.stringify(op.value));
        if (ack.duplicate) return { result: { type: 'info', error: `publish acknowledged as a duplicate at sequence ${ack.seq}` } };
        return { result: { type: 'ok', value: ack.seq } };
      }
      case 'poll':
        return this.poll();
      case 'assign': {
        // Nothing changes until the committed offsets are in: a failed assign leaves the old assignment.
        const keys = Array.isArray(op.value) ? [...new Set(op.value.map(String))] : [];
        const starts = await this.committedStarts(keys);
        return {
          result: { type: 'ok', value: starts },
          apply: () => {
            this.next.clear();
            for (const k of keys) this.next.set(k, starts[k]);
          },
        };
      }
    }
    return { result: { type: 'fail', error: `the nats log client has no operation "${op.f}"` } };
  }

  private async poll(): Promise<Outcome> {
    const unknown = [...this.next].filter(([, v]) => v === undefined).map(([k]) => k);
    const starts = unknown.length > 0 ? await this.committedStarts(unknown) : {};
    const keys = [...this.next.keys()];
    const from = (k: string): number => this.next.get(k) ?? starts[k] ?? 1;
    const logs = await Promise.all(keys.map((k) => readLog(this.get, k, from(k), POLL_BATCH, POLL_BATCH)));
    const msgs: Record<string, [number, unknown][]> = {};
    const moves = new Map<string, number>(Object.entries(starts));
    const commits: Promise<unknown>[] = [];
    keys.forEach((k, i) => {
      const pairs = logs[i];
      if (pairs.length === 0) return;
      msgs[k] = pairs;
      const last = pairs[pairs.length - 1][0];
      moves.set(k, last + 1);
      // Commit what was processed; a failed commit leaves the poll standing (the next one commits again).
      commits.push(this.offsets.put(k, String(last)).catch(() => undefined));
    });
    await Promise.all(commits);
    return {
      result: { type: 'ok', value: msgs },
      apply: () => {
        for (const [k, n] of moves) if (this.next.has(k)) this.next.set(k, n);
      },
    };
  }

  /** Where each key starts: after its committed offset, or at sequence 1. */
  private async committedStarts(keys: string[]): Promise<Record<string, number>> {
    const entries = await Promise.all(keys.map((k) => this.offsets.get(k)));
    const out: Record<string, number> = {};
    keys.forEach((k, i) => {
      const e = entries[i];
      const committed = e && e.operation === 'PUT' ? Number(e.string()) : NaN;
      out[k] = Number.isInteger(committed) && committed >= 0 ? committed + 1 : 1;
    });
    return out;
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}
