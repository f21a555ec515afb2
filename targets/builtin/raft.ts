/**
 * The `raft` configuration (CP): a small Raft after Figure 2 of the paper. Leader election with randomised
 * timeouts, log replication, majority commit of current-term entries only (a new leader commits a no-op
 * first), and every client op, reads included, goes through the log, so no node ever answers from stale
 * state. A leader that cannot hear from a majority steps down (check-quorum), and a node with no leader
 * answers 11 temporarily-unavailable, so a minority side answers fast and never with a stale value.
 *
 * Peer messages are one-way (no msg_id): a vote or an append is answered with its own message type, and a
 * lost one is covered by the next heartbeat or election. Duplicates are harmless: appends are idempotent
 * and match indexes only grow.
 *
 * A transaction (`txn`) is one log entry, applied whole, so the store is strict-serializable. The txn bugs each
 * break that in one place: `txn-local-reads` answers a txn's reads from the receiving node's applied state
 * at arrival and sends only its writes through the log; `split-txn` has the leader put each micro-op in its
 * own entry, proposing the next once the last committed, so other txns interleave; `unseen-own-writes`
 * serves a txn's reads from the state before the txn (kv-state.ts). `stale-reads` answers read-only txns on
 * followers from local state too; `early-ack` concerns writes and adds only.
 */
import { errorReply, isReply, KvState, parseClientRequest, type ClientOp, type KvOp, type MicroOp, type Reply } from './kv-state.js';
import type { AnyBody, NodeIO } from './node-io.js';
import { RaftStorage, type LogEntry } from './raft-storage.js';
import type { Message } from '../../harness/sim/protocol.js';

const TICK_MS = 25;
const HEARTBEAT_MS = 100;
const ELECTION_MIN_MS = 500;
const ELECTION_MAX_MS = 1000;
/** A leader steps down when it has heard from no majority for this long. */
const QUORUM_WINDOW_MS = 1000;
const FORWARD_TIMEOUT_MS = 1000;
const MAX_BATCH = 200;

export type RaftBug = 'stale-reads' | 'early-ack' | 'txn-local-reads' | 'split-txn' | 'unseen-own-writes';

type Role = 'follower' | 'candidate' | 'leader';
type Done = (reply: Reply) => void;

interface PendingOp {
  term: number;
  done: Done;
  /** early-ack: the client already has its answer. */
  acked: boolean;
}

const now = (): number => performance.now();

export class RaftNode {
  private readonly kv: KvState;
  private readonly store: RaftStorage;
  private role: Role = 'follower';
  private leader: string | null = null;
  private commitIndex = 0;
  private lastApplied = 0;
  private electionDeadline = 0;
  private lastHeartbeat = 0;
  private votes = new Set<string>();
  private readonly nextIndex = new Map<string, number>();
  private readonly matchIndex = new Map<string, number>();
  private readonly lastAck = new Map<string, number>();
  private readonly inflight = new Set<string>();
  private readonly pending = new Map<number, PendingOp>();
  private replicateScheduled = false;
  private peers: string[] = [];
  private clockOffsetMs = 0;

  constructor(
    private readonly io: NodeIO,
    dataDir: string | undefined,
    private readonly bug: RaftBug | undefined,
  ) {
    this.kv = new KvState(bug === 'unseen-own-writes' ? 'unseen-own-writes' : undefined);
    this.store = new RaftStorage(dataDir, (m) => io.log(m));
    for (const type of ['read', 'write', 'cas', 'add', 'txn']) io.on(type, (m) => this.onClient(m));
    io.on('raft_forward', (m) => this.onForward(m));
    io.on('request_vote', (m) => this.onRequestVote(m.src, m.body));
    io.on('vote', (m) => this.onVote(m.src, m.body));
    io.on('append', (m) => this.onAppend(m.src, m.body));
    io.on('append_resp', (m) => this.onAppendResp(m.src, m.body));
    io.on('faultline_local_read', (m) => {
      const key = m.body.key;
      if (typeof key !== 'string' && typeof key !== 'number') {
        io.reply(m, errorReply(12, 'faultline_local_read needs a key'));
        return;
      }
      io.reply(m, { type: 'faultline_local_read_ok', ...this.kv.localRead(key) });
    });
    io.on('faultline_status', (m) => {
      io.reply(m, {
        type: 'faultline_status_ok',
        role: this.role,
        term: this.store.term,
        leader: this.leader,
        commit: this.commitIndex,
        last_index: this.store.lastIndex,
      });
    });
    io.on('faultline_clock', (m) => {
      // Raft's safety does not rest on clocks, and its timeouts use the monotonic clock: remember and ack.
      this.clockOffsetMs = Number(m.body.offset_ms) || 0;
      io.reply(m, { type: 'faultline_clock_ok', offset_ms: this.clockOffsetMs });
    });
  }

  /** Called once `init` told us who we are and who the peers are. */
  start(): void {
    this.peers = this.io.nodeIds.filter((n) => n !== this.io.nodeId);
    this.resetElectionDeadline();
    this.io.log(`raft up: term ${this.store.term}, ${this.store.lastIndex} log entries on disk, bug ${this.bug ?? 'none'}`);
    setInterval(() => this.tick(), TICK_MS);
  }

  private get majority(): number {
    return Math.floor((this.peers.length + 1) / 2) + 1;
  }

  // ---- clients ----

  private onClient(msg: Message & { body: AnyBody }): void {
    const parsed = parseClientRequest(msg.body);
    if (isReply(parsed)) {
      this.io.reply(msg, parsed);
      return;
    }
    let op = parsed;
    let answer: Done = (r) => this.io.reply(msg, r);
    if (this.bug === 'txn-local-reads' && op.f === 'txn') {
      // The bug: the reads are answered now, from what this node has applied; only the writes are ordered.
      const reads = this.kv.simulateTxn(op.txn);
      const writes = op.txn.filter((m) => m[0] !== 'r');
      if (writes.length === 0) {
        answer({ type: 'txn_ok', txn: reads });
        return;
      }
      const reply = answer;
      answer = (r) => reply(r.type === 'txn_ok' ? { type: 'txn_ok', txn: reads } : r);
      op = { f: 'txn', txn: writes };
    }
    const readOnly = op.f === 'read' || (op.f === 'txn' && op.txn.every((m) => m[0] === 'r'));
    if (this.bug === 'stale-reads' && readOnly && this.role !== 'leader') {
      // The bug: a follower answers from whatever it has applied, which may be arbitrarily old.
      answer(this.kv.apply(op));
      return;
    }
    if (this.role === 'leader') {
      this.propose(op, answer);
      return;
    }
    const leader = this.leader;
    if (leader === null) {
      answer(errorReply(11, `${this.io.nodeId} knows no leader (term ${this.store.term})`));
      return;
    }
    this.io.rpc(
      leader,
      { type: 'raft_forward', op },
      FORWARD_TIMEOUT_MS,
      (reply) => {
        const { msg_id: _m, in_reply_to: _r, ...rest } = reply;
        answer(rest as Reply);
      },
      () =>
        // A read that timed out had no effect either way; an update may still commit, so it is indefinite.
        answer(
          op.f === 'read'
            ? errorReply(11, `leader ${leader} did not answer the forwarded read`)
            : errorReply(0, `leader ${leader} did not answer in ${FORWARD_TIMEOUT_MS} ms; the ${op.f} may or may not happen`),
        ),
    );
  }

  private onForward(msg: Message & { body: AnyBody }): void {
    const op = msg.body.op as ClientOp;
    if (this.role !== 'leader') {
      // Not appended anywhere by us, so certainly not done; forwards are not forwarded again.
      this.io.reply(msg, errorReply(11, `${this.io.nodeId} is no longer the leader`));
      return;
    }
    this.propose(op, (r) => this.io.reply(msg, r));
  }

  private propose(op: KvOp, done: Done | undefined): void {
    if (this.bug === 'split-txn' && op.f === 'txn' && op.txn.length > 1 && done) {
      this.proposeSplit(op.txn, [], done);
      return;
    }
    const index = this.store.lastIndex + 1;
    this.store.writeEntries(index, [{ term: this.store.term, op }]);
    this.matchIndex.set(this.io.nodeId, index);
    if (done) {
      const early = this.bug === 'early-ack' && (op.f === 'write' || op.f === 'add');
      this.pending.set(index, { term: this.store.term, done, acked: early });
      // The bug: acknowledged once in the local log, before any majority holds it.
      if (early) done({ type: `${op.f}_ok` });
    }
    this.advanceCommit();
    this.scheduleReplicate();
  }

  /**
   * The split-txn bug: one micro-op per entry, each proposed once the one before it applied, so other txns'
   * entries land between them. A step that fails ends the txn with that error, its earlier steps still applied.
   */
  private proposeSplit(rest: readonly MicroOp[], done: MicroOp[], answer: Done): void {
    if (rest.length === 0) {
      answer({ type: 'txn_ok', txn: done });
      return;
    }
    if (this.role !== 'leader') {
      answer(errorReply(11, `${this.io.nodeId} lost the leadership in the middle of a txn`));
      return;
    }
    this.propose({ f: 'txn', txn: [rest[0]] }, (r) => {
      if (r.type !== 'txn_ok') answer(r);
      else this.proposeSplit(rest.slice(1), [...done, ...(r.txn as MicroOp[])], answer);
    });
  }

  // ---- elections ----

  private tick(): void {
    const t = now();
    if (this.role === 'leader') {
      if (t - this.lastHeartbeat >= HEARTBEAT_MS) {
        this.lastHeartbeat = t;
        for (const p of this.peers) this.sendAppend(p);
      }
      this.checkQuorum(t);
    } else if (t >= this.electionDeadline) {
      this.startElection();
    }
  }

  private checkQuorum(t: number): void {
    let heard = 1;
    for (const p of this.peers) if (t - (this.lastAck.get(p) ?? 0) < QUORUM_WINDOW_MS) heard++;
    if (heard >= this.majority) return;
    this.io.log(`leader of term ${this.store.term} heard from only ${heard} of ${this.peers.length + 1}; stepping down`);
    this.role = 'follower';
    this.leader = null;
    this.resetElectionDeadline();
  }

  private resetElectionDeadline(): void {
    this.electionDeadline = now() + ELECTION_MIN_MS + Math.random() * (ELECTION_MAX_MS - ELECTION_MIN_MS);
  }

  private startElection(): void {
    this.store.saveHardState(this.store.term + 1, this.io.nodeId);
    this.role = 'candidate';
    this.leader = null;
    this.votes = new Set([this.io.nodeId]);
    this.resetElectionDeadline();
    const last = this.store.lastIndex;
    const body = { type: 'request_vote', term: this.store.term, last_log_index: last, last_log_term: this.store.log[last].term };
    for (const p of this.peers) this.io.send(p, body);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private onRequestVote(from: string, body: AnyBody): void {
    const term = Number(body.term);
    if (term > this.store.term) this.stepDown(term);
    const last = this.store.lastIndex;
    const lastTerm = this.store.log[last].term;
    const upToDate =
      Number(body.last_log_term) > lastTerm || (Number(body.last_log_term) === lastTerm && Number(body.last_log_index) >= last);
    const granted = term === this.store.term && (this.store.vote === null || this.store.vote === from) && upToDate;
    if (granted) {
      if (this.store.vote !== from) this.store.saveHardState(this.store.term, from);
      this.resetElectionDeadline();
    }
    this.io.send(from, { type: 'vote', term: this.store.term, granted });
  }

  private onVote(from: string, body: AnyBody): void {
    const term = Number(body.term);
    if (term > this.store.term) {
      this.stepDown(term);
      return;
    }
    if (this.role !== 'candidate' || term !== this.store.term || body.granted !== true) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.io.nodeId;
    const t = now();
    for (const p of this.peers) {
      this.nextIndex.set(p, this.store.lastIndex + 1);
      this.matchIndex.set(p, 0);
      this.lastAck.set(p, t); // a grace period before check-quorum may judge us
    }
    this.inflight.clear();
    this.io.log(`leader of term ${this.store.term}`);
    // Entries of earlier terms commit only under one of ours (Figure 8): a no-op gets us there at once.
    this.propose({ f: 'noop' }, undefined);
    this.lastHeartbeat = t;
    for (const p of this.peers) this.sendAppend(p);
  }

  /** Adopt a newer term as a follower. */
  private stepDown(term: number): void {
    const wasLeader = this.role === 'leader';
    if (term > this.store.term) this.store.saveHardState(term, null);
    this.role = 'follower';
    this.leader = null;
    if (wasLeader) this.resetElectionDeadline();
  }

  // ---- replication ----

  private scheduleReplicate(): void {
    if (this.replicateScheduled) return;
    this.replicateScheduled = true;
    setImmediate(() => {
      this.replicateScheduled = false;
      if (this.role !== 'leader') return;
      for (const p of this.peers) if (!this.inflight.has(p)) this.sendAppend(p);
    });
  }

  private sendAppend(peer: string): void {
    const next = this.nextIndex.get(peer) ?? this.store.lastIndex + 1;
    const prev = next - 1;
    const end = Math.min(this.store.lastIndex, prev + MAX_BATCH);
    const entries: LogEntry[] = this.store.log.slice(next, end + 1);
    if (entries.length > 0) this.inflight.add(peer);
    this.io.send(peer, {
      type: 'append',
      term: this.store.term,
      prev_index: prev,
      prev_term: this.store.log[prev]?.term ?? 0,
      entries,
      commit: this.commitIndex,
    });
  }

  private onAppend(from: string, body: AnyBody): void {
    const term = Number(body.term);
    if (term < this.store.term) {
      this.io.send(from, { type: 'append_resp', term: this.store.term, success: false, next: 0 });
      return;
    }
    if (term > this.store.term || this.role !== 'follower') {
      if (this.role === 'leader' && term === this.store.term) {
        this.io.log(`two leaders in term ${term}: ${from} and me; ignoring its append`);
        return;
      }
      this.stepDown(term);
    }
    this.leader = from;
    this.resetElectionDeadline();

    const prev = Number(body.prev_index);
    const prevTerm = Number(body.prev_term);
    const log = this.store.log;
    if (prev > this.store.lastIndex) {
      this.io.send(from, { type: 'append_resp', term: this.store.term, success: false, next: this.store.lastIndex + 1 });
      return;
    }
    if (log[prev].term !== prevTerm) {
      // Skip back over the whole conflicting term in one round trip.
      const bad = log[prev].term;
      let first = prev;
      while (first > 1 && log[first - 1].term === bad) first--;
      this.io.send(from, { type: 'append_resp', term: this.store.term, success: false, next: first });
      return;
    }
    const entries = (Array.isArray(body.entries) ? body.entries : []) as LogEntry[];
    // Figure 2, rule 3: truncate only at a real conflict; a stale or duplicated append must not cut entries.
    let j = 0;
    while (j < entries.length && prev + 1 + j <= this.store.lastIndex && log[prev + 1 + j].term === entries[j].term) j++;
    if (j < entries.length) this.store.writeEntries(prev + 1 + j, entries.slice(j));
    const match = prev + entries.length;
    const leaderCommit = Number(body.commit);
    if (leaderCommit > this.commitIndex) {
      this.commitIndex = Math.min(leaderCommit, match);
      this.applyCommitted();
    }
    this.io.send(from, { type: 'append_resp', term: this.store.term, success: true, match });
  }

  private onAppendResp(from: string, body: AnyBody): void {
    const term = Number(body.term);
    if (term > this.store.term) {
      this.stepDown(term);
      return;
    }
    if (this.role !== 'leader' || term !== this.store.term) return;
    this.lastAck.set(from, now());
    this.inflight.delete(from);
    const matched = this.matchIndex.get(from) ?? 0;
    if (body.success === true) {
      const match = Number(body.match);
      if (match > matched) this.matchIndex.set(from, match);
      if (match + 1 > (this.nextIndex.get(from) ?? 0)) this.nextIndex.set(from, match + 1);
      this.advanceCommit();
    } else {
      const hint = Number(body.next);
      const current = this.nextIndex.get(from) ?? this.store.lastIndex + 1;
      this.nextIndex.set(from, Math.max(matched + 1, Math.min(hint, current - 1), 1));
    }
    if ((this.nextIndex.get(from) ?? 0) <= this.store.lastIndex) this.sendAppend(from);
  }

  /** Figure 2: the highest N held by a majority whose entry is of the current term. */
  private advanceCommit(): void {
    if (this.role !== 'leader') return;
    this.matchIndex.set(this.io.nodeId, this.store.lastIndex);
    const matches = [this.store.lastIndex, ...this.peers.map((p) => this.matchIndex.get(p) ?? 0)].sort((a, b) => b - a);
    const n = matches[this.majority - 1];
    if (n > this.commitIndex && this.store.log[n].term === this.store.term) {
      this.commitIndex = n;
      this.applyCommitted();
    }
  }

  private applyCommitted(): void {
    const log = this.store.log;
    while (this.lastApplied < this.commitIndex) {
      const index = ++this.lastApplied;
      const entry = log[index];
      const result = this.kv.apply(entry.op);
      const p = this.pending.get(index);
      if (!p) continue;
      this.pending.delete(index);
      if (p.acked) continue;
      if (p.term === entry.term) p.done(result);
      // Another leader's entry committed at this index, so ours (unique by index and term) never will.
      else p.done(errorReply(11, `superseded by the entry of term ${entry.term} at index ${index}`));
    }
  }
}
