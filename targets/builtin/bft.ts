/**
 * The `bft` configuration: a key-value store replicated by Byzantine-fault-tolerant consensus on n >= 3f+1
 * nodes, after Tendermint (Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus", 2018,
 * Algorithm 1). Each height decides one batch of client requests in rounds of propose, prevote and
 * precommit; a value is decided on 2f+1 precommits, and a node locks on a value it precommitted, so two
 * quorums of 2f+1 always share an honest node and no two honest nodes decide differently at one height.
 *
 * Why it survives nodes that lie:
 * - every node-to-node body carries an HMAC of the key its two ends share (bft-auth.ts), so a message that
 *   claims another sender is dropped; nothing is relayed, so every vote counted came from its signer;
 * - only the first proposal and the first vote of each sender per (height, round, kind) counts, so a replayed
 *   or equivocating message cannot count twice, and a value is named by its SHA-256, so a changed value is a
 *   different value;
 * - clients send each request to every node with their own request id (the BFT client), and an honest node
 *   prevotes for a batch only if it got every request in it, unchanged, from the client itself; requests run
 *   at most once per id, so a replay cannot run one again; the client takes an answer f+1 nodes agree on.
 *
 * A node that lags (it missed messages under partition or loss) is sent the precommits of the heights it
 * lacks, values attached, and decides them from 2f+1 of those. Votes, proposals, the lock and every decided
 * batch are written to the node's data folder before they leave it (bft-storage.ts), so a killed node comes
 * back as the same replica: it re-sends the votes it cast instead of casting new ones, keeps its lock, and
 * rebuilds its store from the batches it decided. Requests waiting in its pool are lost with the process
 * (the clients sent them to every node, and time out on their own).
 *
 * Bug knob `small-quorum`: quorums of 2f instead of 2f+1, which two equivocating quorums no longer
 * intersect in an honest node.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BFT_SECRET_ENV, pairKey, sign, verify } from './bft-auth.js';
import { BftStorage } from './bft-storage.js';
import { errorReply, isReply, KvOpSchema, KvState, parseClientRequest, sameValue, type ClientOp, type Reply } from './kv-state.js';
import type { AnyBody, NodeIO } from './node-io.js';
import type { Message } from '../../harness/sim/protocol.js';

export type BftBug = 'small-quorum';

const MAX_BATCH = 100;
/** Future heights buffered at most this far ahead (a corrupted height must not make us store without end). */
const MAX_AHEAD = 20;
/** At most one catch-up answer per peer and height this often. */
const CATCH_UP_EVERY_MS = 300;
/** A node whose height has not moved for this long re-sends its votes and asks peers what it missed. */
const STALL_MS = 400;
const timeoutPropose = (r: number) => 300 + 150 * Math.min(r, 20);
const timeoutVote = (r: number) => 150 + 100 * Math.min(r, 20);

const ReqSchema = z.object({ id: z.string().min(1).max(200), op: KvOpSchema });
type Req = z.infer<typeof ReqSchema>;
const ValueSchema = z.array(ReqSchema).min(1).max(MAX_BATCH);
type Value = Req[];
const Id = z.string().regex(/^[0-9a-f]{64}$/);
const Head = { height: z.number().int().min(1), round: z.number().int().min(0).max(1_000_000) };
const ProposalSchema = z.object({ ...Head, value: ValueSchema, valid_round: z.number().int().min(-1) });
const VoteSchema = z.object({ ...Head, id: Id.nullable(), value: ValueSchema.optional() });
const SyncSchema = z.object({ height: z.number().int().min(1) });
const DecidedSchema = z.object({ height: z.number().int().min(1), id: Id, value: ValueSchema });

type VoteKind = 'prevote' | 'precommit';
type Step = 'propose' | 'prevote' | 'precommit';

interface Proposal {
  value: Value;
  id: string;
  validRound: number;
}

/** Everything heard at one height: the first proposal of each round's proposer, the first vote of each node. */
class HeightLog {
  readonly proposals = new Map<number, Proposal>();
  readonly votes: Record<VoteKind, Map<number, Map<string, string | null>>> = { prevote: new Map(), precommit: new Map() };
  /** Values seen in proposals or attached to precommits, by id. */
  readonly values = new Map<string, Value>();
  /** Senders heard from per round, for the round-skip rule. */
  readonly senders = new Map<number, Set<string>>();

  addVote(kind: VoteKind, round: number, from: string, id: string | null): boolean {
    let r = this.votes[kind].get(round);
    if (!r) this.votes[kind].set(round, (r = new Map()));
    if (r.has(from)) return false;
    r.set(from, id);
    return true;
  }

  count(kind: VoteKind, round: number, id?: string | null): number {
    const r = this.votes[kind].get(round);
    if (!r) return 0;
    if (id === undefined) return r.size;
    let n = 0;
    for (const v of r.values()) if (v === id) n++;
    return n;
  }

  heard(round: number, from: string): void {
    let s = this.senders.get(round);
    if (!s) this.senders.set(round, (s = new Set()));
    s.add(from);
  }
}

const valueId = (v: Value): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');

export class BftNode {
  private readonly kv = new KvState();
  private keys = new Map<string, Buffer>();
  private nodes: string[] = [];
  private f = 0;
  private quorum = 1;
  // Tendermint's state variables.
  private height = 1;
  private round = 0;
  private step: Step = 'propose';
  private lockedValue: Value | null = null;
  private lockedRound = -1;
  private validValue: Value | null = null;
  private validRound = -1;
  private readonly logs = new Map<number, HeightLog>();
  /** "for the first time" guards of the upon-rules, per height and round. */
  private readonly fired = new Set<string>();
  /** What this node decided at each height: its catch-up answer. */
  private readonly decided = new Map<number, { id: string; value: Value }>();
  /** Peers' claims to have decided a height: f+1 alike include an honest node, so the claim is true. */
  private readonly claims = new Map<number, Map<string, { value: Value; from: Set<string> }>>();
  /** The highest height any peer's authentic message named. */
  private seenHeight = 0;
  private heightSince = performance.now();
  private readonly lastCatchUp = new Map<string, number>();
  /** Requests clients sent us, not yet run, in arrival order. */
  private readonly pool = new Map<string, ClientOp>();
  /** Who waits for each request's answer. */
  private readonly waiting = new Map<string, Message[]>();
  /** Answers of the requests already run, by id: a request runs at most once. */
  private readonly done = new Map<string, Reply>();
  private proposeTimer: NodeJS.Timeout | undefined;
  private readonly stats = { rejectedMac: 0, malformed: 0 };
  private readonly storage: BftStorage;

  constructor(
    private readonly io: NodeIO,
    private readonly bug: BftBug | undefined,
    dataDir?: string,
  ) {
    this.storage = new BftStorage(dataDir);
    for (const type of ['read', 'write', 'cas', 'add']) io.on(type, (m) => this.onClient(m));
    io.on('bft_proposal', (m) => this.onPeer(m, 'proposal'));
    io.on('bft_prevote', (m) => this.onPeer(m, 'prevote'));
    io.on('bft_precommit', (m) => this.onPeer(m, 'precommit'));
    io.on('bft_sync', (m) => this.onSync(m));
    io.on('bft_decided', (m) => this.onDecided(m));
    io.on('faultline_local_read', (m) => {
      const key = m.body.key;
      if (typeof key !== 'string' && typeof key !== 'number') {
        io.reply(m, errorReply(12, 'faultline_local_read needs a key'));
        return;
      }
      io.reply(m, { type: 'faultline_local_read_ok', ...this.kv.localRead(key) });
    });
    io.on('faultline_status', (m) => {
      io.reply(m, { type: 'faultline_status_ok', height: this.height, round: this.round, step: this.step, pool: this.pool.size, ...this.stats });
    });
    // What this node committed, height by height, for the harness's replica-agreement check after the run:
    // the batch ids (a 16-hex-digit prefix of each SHA-256 is plenty to tell two batches apart, and keeps a
    // run of thousands of heights to a few tens of KB), from height `from` on.
    io.on('faultline_committed', (m) => {
      const ids: string[] = [];
      for (let h = 1; h < this.height; h++) ids.push(this.decided.get(h)?.id.slice(0, 16) ?? '');
      io.reply(m, { type: 'faultline_committed_ok', from: 1, ids });
    });
    // Consensus here never reads a clock; acknowledge the skew and carry on.
    io.on('faultline_clock', (m) => io.reply(m, { type: 'faultline_clock_ok', offset_ms: Number(m.body.offset_ms) || 0 }));
  }

  start(): void {
    const secret = process.env[BFT_SECRET_ENV];
    if (!secret) {
      this.io.log(`no ${BFT_SECRET_ENV} in the environment: cannot authenticate peers`);
      process.exit(2);
    }
    this.nodes = [...this.io.nodeIds].sort();
    for (const n of this.nodes) if (n !== this.io.nodeId) this.keys.set(n, pairKey(secret, this.io.nodeId, n));
    this.f = Math.floor((this.nodes.length - 1) / 3);
    this.quorum = this.bug === 'small-quorum' ? Math.max(1, 2 * this.f) : 2 * this.f + 1;
    const round = this.restore();
    this.io.log(`bft up: n=${this.nodes.length} f=${this.f} quorum ${this.quorum}, bug ${this.bug ?? 'none'}, height ${this.height} round ${round}`);
    this.startRound(round, this.restoredStep(round));
    setInterval(() => this.onStall(), STALL_MS / 2);
  }

  // ---- clients ----

  private onClient(msg: Message & { body: AnyBody }): void {
    const id = msg.body.req;
    if (typeof id !== 'string' || id === '' || id.length > 200) {
      this.io.reply(msg, errorReply(12, 'bft requests need a "req" id: the BFT client sends each request to every node under one id'));
      return;
    }
    const parsed = parseClientRequest(msg.body);
    if (isReply(parsed)) {
      this.io.reply(msg, parsed);
      return;
    }
    // In the shape a peer's parse of a proposal gives, so the two compare equal field for field.
    const op = KvOpSchema.parse(parsed) as ClientOp;
    const answer = this.done.get(id);
    if (answer) {
      this.io.reply(msg, answer);
      return;
    }
    const known = this.pool.get(id);
    if (known && !sameValue(known, op)) {
      this.io.reply(msg, errorReply(12, `request ${id} was already sent with another operation`));
      return;
    }
    this.pool.set(id, op);
    const w = this.waiting.get(id) ?? [];
    w.push(msg);
    this.waiting.set(id, w);
    this.armProposeTimer();
    this.evaluate();
  }

  // ---- messages between nodes ----

  private onPeer(msg: Message & { body: AnyBody }, kind: 'proposal' | VoteKind): void {
    if (!this.authentic(msg)) return;
    const parsed = (kind === 'proposal' ? ProposalSchema : VoteSchema).safeParse(msg.body);
    if (!parsed.success) {
      this.stats.malformed++;
      return;
    }
    const { height, round } = parsed.data;
    if (height > this.seenHeight) this.seenHeight = height;
    if (height < this.height) {
      this.catchUp(msg.src, height);
      return;
    }
    if (height > this.height + MAX_AHEAD) return;
    const log = this.logFor(height);
    log.heard(round, msg.src);
    if (kind === 'proposal') {
      const p = parsed.data as z.infer<typeof ProposalSchema>;
      if (msg.src !== this.proposer(height, round) || log.proposals.has(round)) return;
      const id = valueId(p.value);
      log.proposals.set(round, { value: p.value, id, validRound: p.valid_round });
      log.values.set(id, p.value);
    } else {
      const v = parsed.data as z.infer<typeof VoteSchema>;
      if (!log.addVote(kind, round, msg.src, v.id)) return;
      if (v.value && v.id !== null && valueId(v.value) === v.id) log.values.set(v.id, v.value);
    }
    if (height === this.height) this.evaluate();
  }

  private send(dest: string, body: Record<string, unknown>): void {
    const key = this.keys.get(dest);
    if (key) this.io.send(dest, sign(key, this.io.nodeId, dest, body));
  }

  /** Send to every peer and count it as received by ourselves. */
  private broadcast(type: 'bft_proposal' | 'bft_prevote' | 'bft_precommit', body: Record<string, unknown>): void {
    for (const n of this.keys.keys()) this.send(n, { type, ...body });
  }

  /** Cast a vote, kept on disk first; a vote this node already cast in this round (before a restart) is re-sent instead. */
  private vote(kind: VoteKind, id: string | null): void {
    const log = this.logFor(this.height);
    const cast = log.votes[kind].get(this.round)?.get(this.io.nodeId);
    if (cast !== undefined) id = cast;
    else {
      this.storage.append({ k: 'vote', h: this.height, r: this.round, kind, id });
      log.addVote(kind, this.round, this.io.nodeId, id);
    }
    this.broadcast(kind === 'prevote' ? 'bft_prevote' : 'bft_precommit', { height: this.height, round: this.round, id });
  }

  /** A peer is behind: tell it what we decided at that height, value attached. */
  private catchUp(peer: string, height: number): void {
    const d = this.decided.get(height);
    if (!d) return;
    const k = `${peer}/${height}`;
    const t = performance.now();
    if (t - (this.lastCatchUp.get(k) ?? -Infinity) < CATCH_UP_EVERY_MS) return;
    this.lastCatchUp.set(k, t);
    this.send(peer, { type: 'bft_decided', height, id: d.id, value: d.value });
  }

  private authentic(msg: Message & { body: AnyBody }): boolean {
    const key = this.keys.get(msg.src);
    if (key && verify(key, msg.src, this.io.nodeId, msg.body)) return true;
    this.stats.rejectedMac++;
    return false;
  }

  private onSync(msg: Message & { body: AnyBody }): void {
    const p = SyncSchema.safeParse(msg.body);
    if (this.authentic(msg) && p.success) this.catchUp(msg.src, p.data.height);
  }

  private onDecided(msg: Message & { body: AnyBody }): void {
    if (!this.authentic(msg)) return;
    const p = DecidedSchema.safeParse(msg.body);
    if (!p.success || p.data.height < this.height || p.data.height > this.height + MAX_AHEAD || valueId(p.data.value) !== p.data.id) return;
    let byId = this.claims.get(p.data.height);
    if (!byId) this.claims.set(p.data.height, (byId = new Map()));
    let c = byId.get(p.data.id);
    if (!c) byId.set(p.data.id, (c = { value: p.data.value, from: new Set() }));
    c.from.add(msg.src);
    this.evaluate();
  }

  /**
   * Messages from honest nodes all arrive, but a traitor's may not say what they should, so a node can wait
   * for votes that never come. While its height stands still it re-sends its own votes of this round (peers
   * count only a sender's first, so this is harmless) and, when peers are already further, asks them what
   * they decided.
   */
  private onStall(): void {
    if (performance.now() - this.heightSince < STALL_MS) return;
    const log = this.logFor(this.height);
    const h = this.height;
    const r = this.round;
    const p = log.proposals.get(r);
    if (p && this.proposer(h, r) === this.io.nodeId) this.broadcast('bft_proposal', { height: h, round: r, value: p.value, valid_round: p.validRound });
    for (const kind of ['prevote', 'precommit'] as const) {
      const mine = log.votes[kind].get(r)?.get(this.io.nodeId);
      if (mine !== undefined) this.broadcast(kind === 'prevote' ? 'bft_prevote' : 'bft_precommit', { height: h, round: r, id: mine });
    }
    if (this.seenHeight > h) for (const n of this.keys.keys()) this.send(n, { type: 'bft_sync', height: h });
  }

  // ---- consensus ----

  private proposer(height: number, round: number): string {
    return this.nodes[(height + round) % this.nodes.length];
  }

  private logFor(height: number): HeightLog {
    let l = this.logs.get(height);
    if (!l) this.logs.set(height, (l = new HeightLog()));
    return l;
  }

  private once(rule: string): boolean {
    const k = `${this.height}/${this.round}/${rule}`;
    if (this.fired.has(k)) return false;
    this.fired.add(k);
    return true;
  }

  private startRound(round: number, step: Step = 'propose'): void {
    this.round = round;
    this.step = step;
    clearTimeout(this.proposeTimer);
    this.proposeTimer = undefined;
    if (this.proposer(this.height, round) === this.io.nodeId) this.tryPropose();
    else this.armProposeTimer();
    this.evaluate();
  }

  /** The proposer proposes once it has something to propose (an idle cluster does not spin through rounds). */
  private tryPropose(): void {
    if (this.step !== 'propose' || this.proposer(this.height, this.round) !== this.io.nodeId) return;
    if (!this.once('propose')) return;
    const log = this.logFor(this.height);
    // A proposal made before a restart is made again, never another one.
    const made = log.proposals.get(this.round);
    if (made) {
      this.broadcast('bft_proposal', { height: this.height, round: this.round, value: made.value, valid_round: made.validRound });
      return;
    }
    const value = this.validValue ?? this.fresh();
    if (!value) {
      this.fired.delete(`${this.height}/${this.round}/propose`);
      return;
    }
    const id = valueId(value);
    this.storage.append({ k: 'prop', h: this.height, r: this.round, value, vr: this.validRound });
    log.proposals.set(this.round, { value, id, validRound: this.validRound });
    log.values.set(id, value);
    this.broadcast('bft_proposal', { height: this.height, round: this.round, value, valid_round: this.validRound });
  }

  private fresh(): Value | undefined {
    const value: Value = [];
    for (const [id, op] of this.pool) {
      if (value.length >= MAX_BATCH) break;
      value.push({ id, op });
    }
    return value.length > 0 ? value : undefined;
  }

  /** Waiting for a proposal is timed only while there is work; the timer is per (height, round). */
  private armProposeTimer(): void {
    if (this.proposeTimer || this.pool.size === 0 || this.step !== 'propose') {
      if (this.step === 'propose') this.tryPropose();
      return;
    }
    const [h, r] = [this.height, this.round];
    this.proposeTimer = setTimeout(() => {
      if (this.height === h && this.round === r && this.step === 'propose') {
        this.vote('prevote', null);
        this.step = 'prevote';
        this.evaluate();
      }
    }, timeoutPropose(r));
    this.tryPropose();
  }

  /** Well formed, every request as a client sent it to us, none run before. */
  private acceptable(v: Value): boolean {
    const ids = new Set<string>();
    for (const r of v) {
      if (ids.has(r.id) || this.done.has(r.id)) return false;
      ids.add(r.id);
      const mine = this.pool.get(r.id);
      if (mine === undefined || !sameValue(mine, r.op)) return false;
    }
    return true;
  }

  private schedule(ms: number, rule: () => void): void {
    const [h, r] = [this.height, this.round];
    setTimeout(() => {
      if (this.height === h && this.round === r) rule();
    }, ms);
  }

  /** Tendermint's upon-rules, tried after every event until none applies. */
  private evaluate(): void {
    for (let guard = 0; guard < 100; guard++) if (!this.evaluateOnce()) return;
  }

  private evaluateOnce(): boolean {
    const h = this.height;
    const r = this.round;
    const log = this.logFor(h);
    const q = this.quorum;
    const p = log.proposals.get(r);

    // f+1 peers say they decided this height with the same value: at least one is honest.
    for (const [id, c] of this.claims.get(h) ?? []) {
      if (c.from.size >= this.f + 1) {
        this.decide(id, c.value);
        return true;
      }
    }

    // Decide: 2f+1 precommits for a value of some round, the value in hand.
    for (const votes of log.votes.precommit.values()) {
      const tally = new Map<string, number>();
      for (const id of votes.values()) if (id !== null) tally.set(id, (tally.get(id) ?? 0) + 1);
      for (const [id, n] of tally) {
        const value = log.values.get(id);
        if (n >= q && value) {
          this.decide(id, value);
          return true;
        }
      }
    }

    if (this.step === 'propose' && p) {
      if (p.validRound === -1) {
        const ok = this.acceptable(p.value) && (this.lockedRound === -1 || this.lockedValue === null || valueId(this.lockedValue) === p.id);
        if (ok || !this.awaitingRequests(p.value)) {
          this.vote('prevote', ok ? p.id : null);
          this.step = 'prevote';
          return true;
        }
      } else if (p.validRound < r && log.count('prevote', p.validRound, p.id) >= q) {
        const ok = this.acceptable(p.value) && (this.lockedRound <= p.validRound || (this.lockedValue !== null && valueId(this.lockedValue) === p.id));
        if (ok || !this.awaitingRequests(p.value)) {
          this.vote('prevote', ok ? p.id : null);
          this.step = 'prevote';
          return true;
        }
      }
    }

    if (this.step === 'prevote' && log.count('prevote', r) >= q && this.once('prevote-timeout')) {
      this.schedule(timeoutVote(r), () => {
        if (this.step === 'prevote') {
          this.vote('precommit', null);
          this.step = 'precommit';
          this.evaluate();
        }
      });
    }

    if (p && this.step !== 'propose' && log.count('prevote', r, p.id) >= q && this.once('polka')) {
      if (this.step === 'prevote') {
        this.lockedValue = p.value;
        this.lockedRound = r;
      }
      this.validValue = p.value;
      this.validRound = r;
      this.storage.append({ k: 'lock', h, lockedRound: this.lockedRound, lockedValue: this.lockedValue, validRound: r, validValue: p.value });
      if (this.step === 'prevote') {
        this.vote('precommit', p.id);
        this.step = 'precommit';
      }
      return true;
    }

    if (this.step === 'prevote' && log.count('prevote', r, null) >= q) {
      this.vote('precommit', null);
      this.step = 'precommit';
      return true;
    }

    if (log.count('precommit', r) >= q && this.once('precommit-timeout')) {
      this.schedule(timeoutVote(r), () => this.startRound(this.round + 1));
    }

    // f+1 nodes are already in a later round: join the lowest such round.
    for (const [round, senders] of [...log.senders].sort((a, b) => a[0] - b[0])) {
      if (round > r && senders.size >= this.f + 1) {
        this.startRound(round);
        return true;
      }
    }
    return false;
  }

  /** Run a decided batch on the store: each request once, answering whoever waits for it. */
  private applyDecided(h: number, id: string, value: Value): void {
    this.decided.set(h, { id, value });
    for (const req of value) {
      if (this.done.has(req.id)) continue;
      const parsed = KvOpSchema.safeParse(req.op);
      const answer: Reply = parsed.success && parsed.data.f !== 'noop' ? this.kv.apply(parsed.data) : errorReply(12, 'not an operation');
      this.done.set(req.id, answer);
      this.pool.delete(req.id);
      for (const m of this.waiting.get(req.id) ?? []) this.io.reply(m, answer);
      this.waiting.delete(req.id);
    }
  }

  /**
   * Come back from the data folder after a kill: replay the decided batches in height order, then take up
   * the current height where it was left (own proposals and votes, lock). Returns the round to resume in.
   */
  private restore(): number {
    const recs = this.storage.load((m) => this.io.log(m));
    for (const r of recs) {
      if (r.k !== 'decide' || r.h !== this.height) continue;
      const v = ValueSchema.safeParse(r.value);
      if (!v.success || valueId(v.data) !== r.id) {
        this.io.log(`bft storage: the batch of height ${r.h} does not match its id; replay stops there`);
        break;
      }
      this.applyDecided(r.h, r.id, v.data);
      this.height = r.h + 1;
    }
    let round = 0;
    const log = this.logFor(this.height);
    for (const r of recs) {
      if (r.h !== this.height) continue;
      if (r.k === 'vote') {
        log.addVote(r.kind, r.r, this.io.nodeId, r.id);
        round = Math.max(round, r.r);
      } else if (r.k === 'prop') {
        const v = ValueSchema.safeParse(r.value);
        if (!v.success) continue;
        const id = valueId(v.data);
        log.proposals.set(r.r, { value: v.data, id, validRound: r.vr });
        log.values.set(id, v.data);
        round = Math.max(round, r.r);
      } else if (r.k === 'lock') {
        const locked = r.lockedValue === null ? null : ValueSchema.safeParse(r.lockedValue);
        const valid = r.validValue === null ? null : ValueSchema.safeParse(r.validValue);
        if ((locked && !locked.success) || (valid && !valid.success)) continue;
        this.lockedValue = locked ? locked.data! : null;
        this.lockedRound = r.lockedRound;
        this.validValue = valid ? valid.data! : null;
        this.validRound = r.validRound;
      }
    }
    if (recs.length > 0) this.io.log(`bft restored from disk: ${this.height - 1} decided heights, resuming height ${this.height} round ${round}`);
    return round;
  }

  /** The step a restored node is in at a round: past every vote it already cast there. */
  private restoredStep(round: number): Step {
    const log = this.logFor(this.height);
    if (log.votes.precommit.get(round)?.has(this.io.nodeId)) return 'precommit';
    if (log.votes.prevote.get(round)?.has(this.io.nodeId)) return 'prevote';
    return 'propose';
  }

  /** True while some request of the value has not reached us from its client yet (it may still come). */
  private awaitingRequests(v: Value): boolean {
    return v.some((req) => !this.done.has(req.id) && !this.pool.has(req.id));
  }

  private decide(id: string, value: Value): void {
    const h = this.height;
    this.storage.append({ k: 'decide', h, id, value });
    this.applyDecided(h, id, value);
    this.claims.delete(h);
    this.heightSince = performance.now();
    this.logs.delete(h);
    for (const k of this.fired) if (k.startsWith(`${h}/`)) this.fired.delete(k);
    this.height = h + 1;
    this.lockedValue = null;
    this.lockedRound = -1;
    this.validValue = null;
    this.validRound = -1;
    this.startRound(0);
  }
}
