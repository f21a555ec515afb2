/**
 * The `lww` configuration (AP): every node answers from its own state at once and gossips its changes to
 * every peer every 100-200 ms. Registers merge last-writer-wins on a version (the host clock + the skew the
 * harness hands us, a per-node counter, the node id), so clock skew really can make a later write lose;
 * sets only grow, so they merge by union. Once the network heals, every node converges.
 *
 * Transactions (Maelstrom's txn workloads) apply here, on this node alone, micro-op by micro-op and with
 * nothing between them: appends add a versioned element to a list (lists merge by union and read in version
 * order, so a late-arriving older append lands in the middle of a list others already read), writes go to
 * a last-writer-wins register. No isolation across nodes: two nodes can both read a key and both append.
 *
 * Gossip is a delta: each peer gets the keys changed since the last change it acknowledged. Acks carry the
 * receiver's incarnation id, so a peer that restarted empty gets everything again. State is appended to
 * `lww.jsonl` in the data folder so a restarted node keeps what it had.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { errorReply, isReply, keyId, parseClientRequest, sameValue, type ClientOp, type MicroOp, type Reply } from './kv-state.js';
import type { AnyBody, NodeIO } from './node-io.js';

export type LwwBug = 'no-merge';

const GOSSIP_MIN_MS = 100;
const GOSSIP_MAX_MS = 200;
const MAX_GOSSIP_ENTRIES = 500;
/** Send an (empty) gossip at least this often, so acks reveal restarted peers. */
const IDLE_GOSSIP_MS = 1000;

const Key = z.union([z.string(), z.number()]);
const Version = z.tuple([z.number(), z.number(), z.string()]);
type Version = z.infer<typeof Version>;
const WireEntry = z.union([
  z.object({ key: Key, kind: z.literal('register'), value: z.unknown(), v: Version }),
  z.object({ key: Key, kind: z.literal('set'), elements: z.array(z.unknown()) }),
  z.object({ key: Key, kind: z.literal('list'), elements: z.array(z.tuple([Version, z.unknown()])) }),
]);
type WireEntry = z.infer<typeof WireEntry>;
const GossipSchema = z.object({ entries: z.array(WireEntry), upto: z.number().int(), boot: z.string() });
const AckSchema = z.object({ upto: z.number().int(), boot: z.string() });

type Entry =
  | { key: string | number; kind: 'register'; value: unknown; v: Version; seq: number }
  | { key: string | number; kind: 'set'; elements: Map<string, unknown>; seq: number }
  /** A list: elements by their version's JSON, read in version order. */
  | { key: string | number; kind: 'list'; elements: Map<string, [Version, unknown]>; seq: number };

function listValues(e: { elements: Map<string, [Version, unknown]> }): unknown[] {
  return [...e.elements.values()].sort((a, b) => (newer(a[0], b[0]) ? 1 : newer(b[0], a[0]) ? -1 : 0)).map((x) => x[1]);
}

/**
 * The node's clock, in milliseconds with nanosecond resolution. It reads the host's monotonic clock, which every
 * node process on this machine shares: with no clock fault the nodes' clocks agree exactly, as NTP would make
 * them at best, so a write acknowledged before another began always carries the smaller timestamp. A whole-
 * millisecond wall clock made two such writes tie within one millisecond, and the tie-break then lost the later
 * one; only the clock nemesis should make clocks disagree.
 */
function clockMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function newer(a: Version, b: Version): boolean {
  if (a[0] !== b[0]) return a[0] > b[0];
  if (a[1] !== b[1]) return a[1] > b[1];
  return a[2] > b[2];
}

interface PeerState {
  acked: number;
  boot: string | undefined;
  lastSent: number;
}

export class LwwNode {
  private readonly data = new Map<string, Entry>();
  private seq = 0;
  private counter = 0;
  private clockOffsetMs = 0;
  private readonly boot = randomUUID();
  private readonly peers = new Map<string, PeerState>();
  private readonly file: string | undefined;

  constructor(
    private readonly io: NodeIO,
    dataDir: string | undefined,
    private readonly bug: LwwBug | undefined,
  ) {
    this.file = dataDir ? join(dataDir, 'lww.jsonl') : undefined;
    for (const type of ['read', 'write', 'cas', 'add', 'txn']) io.on(type, (m) => io.reply(m, this.onClient(m.body)));
    io.on('lww_gossip', (m) => this.onGossip(m.src, m.body));
    io.on('lww_ack', (m) => this.onAck(m.src, m.body));
    io.on('faultline_local_read', (m) => {
      const key = m.body.key;
      if (typeof key !== 'string' && typeof key !== 'number') {
        io.reply(m, errorReply(12, 'faultline_local_read needs a key'));
        return;
      }
      io.reply(m, { type: 'faultline_local_read_ok', ...this.localRead(key) });
    });
    io.on('faultline_clock', (m) => {
      this.clockOffsetMs = Number(m.body.offset_ms) || 0;
      io.reply(m, { type: 'faultline_clock_ok', offset_ms: this.clockOffsetMs });
    });
  }

  start(): void {
    this.load();
    for (const p of this.io.nodeIds) if (p !== this.io.nodeId) this.peers.set(p, { acked: 0, boot: undefined, lastSent: 0 });
    this.io.log(`lww up: ${this.data.size} keys on disk, bug ${this.bug ?? 'none'}`);
    const loop = (): void => {
      this.gossip();
      setTimeout(loop, GOSSIP_MIN_MS + Math.random() * (GOSSIP_MAX_MS - GOSSIP_MIN_MS));
    };
    setTimeout(loop, GOSSIP_MIN_MS);
  }

  private onClient(body: AnyBody): Reply {
    const op = parseClientRequest(body);
    if (isReply(op)) return op;
    return this.apply(op);
  }

  private apply(op: ClientOp): Reply {
    if (op.f === 'txn') return this.applyTxn(op.txn);
    const id = keyId(op.key);
    const entry = this.data.get(id);
    switch (op.f) {
      case 'read': {
        const r = this.localRead(op.key);
        return r.exists ? { type: 'read_ok', value: r.value } : errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
      }
      case 'write':
        this.writeRegister(op.key, op.value);
        return { type: 'write_ok' };
      case 'cas':
        // Checked against this node's view only: an AP store promises nothing more.
        if (!entry) return errorReply(20, `key ${JSON.stringify(op.key)} does not exist`);
        if (entry.kind !== 'register') return errorReply(22, `key ${JSON.stringify(op.key)} holds a ${entry.kind}`);
        if (!sameValue(entry.value, op.from)) return errorReply(22, `expected ${JSON.stringify(op.from)}, but had ${JSON.stringify(entry.value)}`);
        this.writeRegister(op.key, op.to);
        return { type: 'cas_ok' };
      case 'add':
        if (entry && entry.kind !== 'set') return errorReply(22, `key ${JSON.stringify(op.key)} holds a ${entry.kind}`);
        this.merge({ key: op.key, kind: 'set', elements: [op.element] }, true);
        return { type: 'add_ok' };
    }
  }

  /** A txn against this node's own state only; a key of the other kind refuses it whole (30, definite). */
  private applyTxn(txn: readonly MicroOp[]): Reply {
    for (const [f, k] of txn) {
      const e = this.data.get(keyId(k));
      if (e && f !== 'r' && e.kind !== (f === 'append' ? 'list' : 'register')) return errorReply(30, `key ${JSON.stringify(k)} holds a ${e.kind}`);
    }
    const out = txn.map(([f, k, v]): MicroOp => {
      if (f === 'r') {
        const r = this.localRead(k);
        return ['r', k, r.exists ? r.value : null];
      }
      if (f === 'w') this.writeRegister(k, v);
      else this.merge({ key: k, kind: 'list', elements: [[[clockMs() + this.clockOffsetMs, ++this.counter, this.io.nodeId], v]] }, true);
      return [f, k, v];
    });
    return { type: 'txn_ok', txn: out };
  }

  private writeRegister(key: string | number, value: unknown): void {
    const v: Version = [clockMs() + this.clockOffsetMs, ++this.counter, this.io.nodeId];
    // A local write merges like a remote one: with a clock behind, the write is acknowledged and yet loses
    // to the newer version already here, as in any store that trusts wall clocks.
    this.merge({ key, kind: 'register', value, v }, true);
  }

  /** Merge one entry; true when it changed our state. */
  private merge(w: WireEntry, persist: boolean): boolean {
    const id = keyId(w.key);
    const cur = this.data.get(id);
    if (w.kind === 'register') {
      if (cur && cur.kind !== 'register') return false; // a key is a set (or list) once anyone added to it
      if (cur && !newer(w.v, cur.v)) return false;
      this.data.set(id, { key: w.key, kind: 'register', value: w.value, v: w.v, seq: ++this.seq });
      if (persist) this.persist(w);
      return true;
    }
    if (w.kind === 'list') {
      if (cur && cur.kind !== 'list') return false;
      const list = cur ?? { key: w.key, kind: 'list' as const, elements: new Map<string, [Version, unknown]>(), seq: 0 };
      const added: [Version, unknown][] = [];
      for (const el of w.elements) {
        const k = JSON.stringify(el[0]);
        if (!list.elements.has(k)) {
          list.elements.set(k, el);
          added.push(el);
        }
      }
      if (added.length === 0 && cur) return false;
      list.seq = ++this.seq;
      this.data.set(id, list);
      if (persist) this.persist({ key: w.key, kind: 'list', elements: added });
      return true;
    }
    if (cur?.kind === 'list') return false;
    const set = cur?.kind === 'set' ? cur : { key: w.key, kind: 'set' as const, elements: new Map<string, unknown>(), seq: 0 };
    const added: unknown[] = [];
    for (const el of w.elements) {
      const k = JSON.stringify(el);
      if (!set.elements.has(k)) {
        set.elements.set(k, el);
        added.push(el);
      }
    }
    if (added.length === 0 && cur?.kind === 'set') return false;
    set.seq = ++this.seq;
    this.data.set(id, set);
    if (persist) this.persist({ key: w.key, kind: 'set', elements: added });
    return true;
  }

  private localRead(key: string | number): { value: unknown; exists: boolean } {
    const e = this.data.get(keyId(key));
    if (!e) return { value: null, exists: false };
    return { value: e.kind === 'register' ? e.value : e.kind === 'list' ? listValues(e) : [...e.elements.values()], exists: true };
  }

  private gossip(): void {
    const t = performance.now();
    for (const [peer, st] of this.peers) {
      if (st.acked >= this.seq && t - st.lastSent < IDLE_GOSSIP_MS) continue;
      const changed: Entry[] = [];
      for (const e of this.data.values()) if (e.seq > st.acked) changed.push(e);
      changed.sort((a, b) => a.seq - b.seq);
      const batch = changed.slice(0, MAX_GOSSIP_ENTRIES);
      const upto = batch.length < changed.length ? batch[batch.length - 1].seq : this.seq;
      const entries = batch.map((e): WireEntry =>
        e.kind === 'register'
          ? { key: e.key, kind: 'register', value: e.value, v: e.v }
          : e.kind === 'list'
            ? { key: e.key, kind: 'list', elements: [...e.elements.values()] }
            : { key: e.key, kind: 'set', elements: [...e.elements.values()] },
      );
      st.lastSent = t;
      this.io.send(peer, { type: 'lww_gossip', entries, upto, boot: this.boot });
    }
  }

  private onGossip(from: string, body: AnyBody): void {
    const parsed = GossipSchema.safeParse(body);
    if (!parsed.success) {
      this.io.log(`malformed gossip from ${from}: ${parsed.error.issues[0].message}`);
      return;
    }
    // The bug: the gossip arrives and is acknowledged, but nothing of it is ever merged.
    if (this.bug !== 'no-merge') for (const e of parsed.data.entries) this.merge(e, true);
    this.io.send(from, { type: 'lww_ack', upto: parsed.data.upto, boot: this.boot });
  }

  private onAck(from: string, body: AnyBody): void {
    const parsed = AckSchema.safeParse(body);
    const st = this.peers.get(from);
    if (!parsed.success || !st) return;
    if (st.boot !== undefined && st.boot !== parsed.data.boot) {
      // The peer restarted: what it acknowledged before may be gone, so start over.
      st.acked = 0;
      st.boot = parsed.data.boot;
      return;
    }
    st.boot = parsed.data.boot;
    if (parsed.data.upto > st.acked) st.acked = parsed.data.upto;
  }

  private persist(w: WireEntry): void {
    if (this.file) appendFileSync(this.file, JSON.stringify(w) + '\n');
  }

  private load(): void {
    if (!this.file || !existsSync(this.file)) return;
    const lines = readFileSync(this.file, 'utf8').split('\n');
    for (let n = 0; n < lines.length; n++) {
      if (lines[n] === '') continue;
      try {
        const w = WireEntry.parse(JSON.parse(lines[n]));
        if (w.kind === 'register') {
          // Replay in file order: the last record of a key is the state we had.
          this.data.set(keyId(w.key), { key: w.key, kind: 'register', value: w.value, v: w.v, seq: ++this.seq });
          if (w.v[2] === this.io.nodeId && w.v[1] > this.counter) this.counter = w.v[1];
        } else {
          this.merge(w, false);
        }
      } catch (err) {
        this.io.log(`lww storage ${this.file}:${n + 1}: unreadable record ignored (${(err as Error).message.slice(0, 120)})`);
      }
    }
  }
}
