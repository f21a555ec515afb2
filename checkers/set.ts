/**
 * The set checker, after Jepsen's set-full: follows every element of every set key through the reads.
 *
 * For an element e of key k:
 * - known present: from the earlier of its add's acknowledgement and the completion of the first read that
 *   showed it;
 * - stale read: an ok client read of k that began after e was known present and lacks e (final reads are the
 *   convergence checker's business and are not counted here). `staleReads` counts such reads once each, however
 *   many elements they miss; `staleObservations` counts (read, element) pairs;
 * - lost: e was acknowledged or seen, and the final view lacks it: every node of the last final-read round if
 *   there are final reads, else the last client read (only if that read began after e was known present). Reads
 *   lacking e after its last sighting belong to the loss, not to staleness;
 * - never read: acknowledged, never seen, and no read began after the acknowledgement — nothing can be said;
 * - duplicated: e appears more than once in one read; unexpected: a read shows e although no add proposed
 *   it, or its add failed (fail means it certainly did not happen).
 * Valid iff nothing is lost, duplicated or unexpected; with `linearizable: true` a stale read also
 * invalidates (as set-full's `:linearizable? true`). No reads at all: unknown.
 */
import type { Key, Op } from '../histories/op.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker, StreamingCheck } from './checker.js';
import { canon } from '../histories/canon.js';
import { FINAL_READ } from '../histories/conventions.js';
import { PairingStream } from '../histories/pairing.js';
import { finalReads } from './final-reads.js';
import { firstFew, keyLabel } from './labels.js';
import { completeRecord, isClientRecord, openRecord, setElements, type OpRecord } from './op-records.js';
import { lowerBound, nsToMs } from './percentiles.js';

export interface SetOptions {
  /** Treat stale reads as failures, as set-full does with `:linearizable? true`. */
  linearizable?: boolean;
}

export type ElementOutcome = 'stable' | 'stale' | 'lost' | 'never-read' | 'unexpected' | 'not-added';

export interface SeenAt {
  /** Index of the read's completion. */
  op: number;
  time?: number;
}

export interface ElementReport {
  key: Key | undefined;
  element: unknown;
  outcome: ElementOutcome;
  /** Index of the add's invoke, and how the add ended. */
  addOp?: number;
  addOutcome?: OpRecord['outcome'];
  addInvokeTime?: number;
  addAckTime?: number;
  firstSeen?: SeenAt;
  lastSeen?: SeenAt;
  /** Invoke indices of the first stale client reads (at most STALE_LISTED; `staleCount` says how many). */
  staleReads: number[];
  /** Stale client reads of this element, all of them. */
  staleCount: number;
  /** From known present to the start of the latest stale read, in ms; null without times or stale reads. */
  staleWindowMs: number | null;
  /** Completion indices of the first reads (at most 10) that listed the element more than once. */
  duplicatedIn: number[];
  /** Reads that listed it more than once, all of them. */
  duplicatedCount: number;
  /** Nodes of the last final-read round that lack the element (when some, not all, lack it). */
  missingOn: string[];
}

/**
 * Stale reads listed per element. A whole-set read that misses recent elements is stale for each of them, so
 * listing every (read, element) pair grows with reads x elements: an unthrottled g-set run made that list
 * longer than an array can be. Counts are kept whole; lists are cut.
 */
const STALE_LISTED = 10;
/** Elements below this (non-negative integers) get ids through an array, not a hash map: at most 16 MB. */
const DENSE_LIMIT = 1 << 22;
/** Reads listed per duplicated element (`duplicatedCount` says how many). */
const DUP_LISTED = 10;

export interface SetAnalysis {
  elements: ElementReport[];
  /** Distinct client reads that were stale for at least one element. */
  staleReads: number;
  clientReads: number;
  finalReads: number;
}

/** The add that speaks for an element: the first acknowledged one, else the first invoked. */
interface AddInfo {
  invokeIndex: number;
  invokePos: number;
  completePos: number;
  outcome: OpRecord['outcome'];
  invokeTime?: number;
  completeTime?: number;
}

/** What is known of one element of one key, built up read by read. Positions are stream positions. */
class Element {
  add?: AddInfo;
  /** Where the element became known present (acknowledged or seen), and when. */
  knownPos = Infinity;
  knownTime?: number;
  /** The first and the latest ok read (client or final) that showed it, by completion. */
  first?: SeenAt & { pos: number };
  last?: SeenAt & { pos: number };
  /**
   * Stale candidates: client reads begun after the element was known that lack it. A candidate begun before the
   * latest sighting so far is confirmed (stale whatever follows); a later one is pending, because if the element
   * turns out lost, reads after its last sighting belong to the loss. A new sighting confirms every pending one
   * (they all began before it completed).
   */
  staleConfirmed = 0;
  stalePending = 0;
  latestConfirmed = -Infinity;
  latestPending = -Infinity;
  /** The earliest candidates by invoke position: [pos, invoke index] pairs, at most STALE_LISTED. */
  earliest?: number[][];
  /** Reads that listed it twice: [final ? 1 : 0, invoke pos, completion index], the earliest DUP_LISTED. */
  dups?: number[][];
  dupCount = 0;
  /** The read (by its stamp) that last counted it as duplicated. */
  dupStamp = 0;
  /** Where it first appeared (as the one-shot checker numbered elements): phase, invoke pos, place in a read. */
  order: [number, number, number];
  constructor(
    readonly value: unknown,
    order: [number, number, number],
  ) {
    this.order = order;
  }
}

const before = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

/** Keep the `cap` smallest entries of `list` (sorted), inserting `e`. */
function keepSmallest(list: number[][], e: number[], cap: number): void {
  if (list.length === cap && !before(e, list[cap - 1])) return;
  let i = list.length;
  while (i > 0 && before(e, list[i - 1])) i--;
  list.splice(i, 0, e);
  if (list.length > cap) list.pop();
}

/** One final-read answer of the latest round so far. */
interface FinalView {
  node: string;
  ids: Int32Array;
}

/**
 * One set key. Elements get dense ids (canonical JSON -> id). Nothing per read is kept but its invoke position
 * and how many known elements it missed: memory grows with elements and reads, never with their product.
 */
class KeyState {
  readonly els: Element[] = [];
  order: [number, number] = [Infinity, Infinity];
  /** Elements in the order they became known, and where: ascending positions. */
  private readonly knownIds: number[] = [];
  private readonly knownAt: number[] = [];
  /** Ok client reads, in completion order: invoke positions and known elements each one lacked. */
  readonly readInvoke: number[] = [];
  readonly readMissing: number[] = [];
  clientReads = 0;
  finalOk = 0;
  lastReadInvoke = -1;
  /** The ok client read that completed last. */
  lastClient?: { invokePos: number; ids: Int32Array };
  finalRound = -1;
  finalView: FinalView[] = [];
  private stamp = 0;
  /** Each element's latest read stamp, by id (the walk over known elements reads only this). */
  private stamps = new Int32Array(1024);
  /** Small integer element -> id + 1 (0: none yet). */
  private dense = new Int32Array(1024);
  private readonly numIds = new Map<number, number>();
  private readonly strIds = new Map<string, number>();
  private readonly objIds = new Map<string, number>();

  /**
   * Numbers and strings skip the JSON round (the hot path for big reads); 1 and "1" stay distinct. The order
   * comes as numbers, not an array: this runs once per element of every read.
   */
  id(v: unknown, phase: number, pos: number, at: number): number {
    // Small non-negative integers (what set workloads add) are looked up by index, not hashed.
    const small = typeof v === 'number' && v >= 0 && v < DENSE_LIMIT && Number.isInteger(v);
    let id: number | undefined;
    if (small) {
      id = v < this.dense.length ? this.dense[v] - 1 : -1;
      if (id < 0) id = undefined;
    } else {
      const m: Map<unknown, number> = typeof v === 'number' ? this.numIds : typeof v === 'string' ? this.strIds : this.objIds;
      id = m.get(typeof v === 'number' || typeof v === 'string' ? v : canon(v));
    }
    if (id === undefined) {
      id = this.els.length;
      if (small) {
        if (v >= this.dense.length) {
          const grown = new Int32Array(Math.min(DENSE_LIMIT, Math.max(v + 1, this.dense.length * 2)));
          grown.set(this.dense);
          this.dense = grown;
        }
        this.dense[v] = id + 1;
      } else {
        const m: Map<unknown, number> = typeof v === 'number' ? this.numIds : typeof v === 'string' ? this.strIds : this.objIds;
        m.set(typeof v === 'number' || typeof v === 'string' ? v : canon(v), id);
      }
      this.els.push(new Element(v, [phase, pos, at]));
      if (id >= this.stamps.length) {
        const grown = new Int32Array(this.stamps.length * 2);
        grown.set(this.stamps);
        this.stamps = grown;
      }
    } else {
      const o = this.els[id].order;
      if (phase < o[0] || (phase === o[0] && (pos < o[1] || (pos === o[1] && at < o[2])))) this.els[id].order = [phase, pos, at];
    }
    return id;
  }

  private becomeKnown(id: number, pos: number, time: number | undefined): void {
    const e = this.els[id];
    if (e.knownPos !== Infinity) return;
    e.knownPos = pos;
    e.knownTime = time;
    this.knownIds.push(id);
    this.knownAt.push(pos);
  }

  add(rec: OpRecord): void {
    const id = this.id(rec.invoke.value, 0, rec.invokePos, 0);
    const e = this.els[id];
    const a = e.add;
    const ok = rec.outcome === 'ok';
    if (a && (a.outcome === 'ok' || (!ok && a.invokePos < rec.invokePos))) return;
    e.add = {
      invokeIndex: rec.invoke.index,
      invokePos: rec.invokePos,
      completePos: rec.completePos,
      outcome: rec.outcome,
      invokeTime: rec.invokeTime,
      completeTime: rec.completeTime,
    };
    if (ok) this.becomeKnown(id, rec.completePos, rec.completeTime);
  }

  /** An ok read (client or final) at its completion: sightings, duplicates, and (client) stale candidates. */
  read(rec: OpRecord, final: boolean): Int32Array {
    const values = setElements(rec.completion!);
    const stamp = ++this.stamp;
    const pos = rec.completePos;
    const ids = new Int32Array(values.length);
    const phase = final ? 1 : 0;
    const completion = rec.completion!;
    // One sighting record per read, shared by its elements.
    const at = { op: completion.index, time: rec.completeTime, pos };
    for (let i = 0; i < values.length; i++) {
      const id = this.id(values[i], phase, rec.invokePos, i);
      ids[i] = id;
      const e = this.els[id];
      if (this.stamps[id] === stamp) {
        // Counted once per read, however many times it repeats there.
        if (e.dupStamp !== stamp) {
          e.dupStamp = stamp;
          e.dupCount++;
          keepSmallest((e.dups ??= []), [phase, rec.invokePos, completion.index], DUP_LISTED);
        }
        continue;
      }
      this.stamps[id] = stamp;
      e.first ??= at;
      e.last = at;
      this.becomeKnown(id, pos, rec.completeTime);
      if (e.stalePending > 0) {
        e.staleConfirmed += e.stalePending;
        e.stalePending = 0;
        if (e.latestPending > e.latestConfirmed) e.latestConfirmed = e.latestPending;
        e.latestPending = -Infinity;
      }
    }
    if (rec.invokePos > this.lastReadInvoke) this.lastReadInvoke = rec.invokePos;
    if (final) {
      this.finalOk++;
      return ids;
    }
    // Every element known before the read began and not in it: one stale candidate each.
    this.clientReads++;
    const known = lowerBound(this.knownAt, rec.invokePos);
    let missing = 0;
    const t = rec.invokeTime;
    const stamps = this.stamps;
    const knownIds = this.knownIds;
    for (let j = 0; j < known; j++) {
      const id = knownIds[j];
      if (stamps[id] === stamp) continue;
      const e = this.els[id];
      missing++;
      if (e.last !== undefined && rec.invokePos < e.last.pos) {
        e.staleConfirmed++;
        if (t !== undefined && t > e.latestConfirmed) e.latestConfirmed = t;
      } else {
        e.stalePending++;
        if (t !== undefined && t > e.latestPending) e.latestPending = t;
      }
      if (e.earliest === undefined || e.earliest.length < STALE_LISTED || rec.invokePos < e.earliest[STALE_LISTED - 1][0]) {
        keepSmallest((e.earliest ??= []), [rec.invokePos, rec.invoke.index], STALE_LISTED);
      }
    }
    this.readInvoke.push(rec.invokePos);
    this.readMissing.push(missing);
    this.lastClient = { invokePos: rec.invokePos, ids };
    return ids;
  }

  finalRead(rec: OpRecord, round: number, node: string): void {
    const ids = this.read(rec, true);
    if (round > this.finalRound) {
      this.finalRound = round;
      this.finalView = [];
    }
    if (round === this.finalRound) this.finalView.push({ node, ids });
  }
}

const membership = (n: number, ids: Int32Array): Uint8Array => {
  const m = new Uint8Array(n);
  for (const id of ids) m[id] = 1;
  return m;
};

/**
 * The set checker's one pass: push every op of a history in order (as they stream from a file), then `finish`.
 * Holds per element a summary (its add, where it became known, first and last sightings, stale counts) and per
 * read two numbers, so a history of whole-set reads is checked in memory that grows with elements plus reads,
 * and time that grows with the total read size plus the (read, element) misses it counts.
 */
export class SetSummary {
  private readonly keys = new Map<Key | undefined, KeyState>();
  private readonly pairing = new PairingStream<OpRecord>({ namedActors: true, sameF: true }, openRecord);
  private pos = 0;

  private of(k: Key | undefined, order: [number, number]): KeyState {
    let d = this.keys.get(k);
    if (!d) this.keys.set(k, (d = new KeyState()));
    if (before(order, d.order)) d.order = order;
    return d;
  }

  push(op: Op): void {
    const pos = this.pos++;
    const rec = this.pairing.push(op, pos);
    if (!rec || op.type === 'invoke') return;
    completeRecord(rec);
    this.complete(rec);
  }

  private complete(rec: OpRecord): void {
    if (rec.f === FINAL_READ) {
      // The same checks (round, node) the one-shot reader makes of every final read.
      const [fr] = finalReads([rec]);
      if (fr.ok) this.of(fr.key, [1, rec.invokePos]).finalRead(rec, fr.round, fr.node);
      return;
    }
    if (!isClientRecord(rec)) return;
    if (rec.f === 'add') this.of(rec.key, [0, rec.invokePos]).add(rec);
    else if (rec.f === 'read' && rec.outcome === 'ok') this.of(rec.key, [0, rec.invokePos]).read(rec, false);
  }

  finish(): SetAnalysis {
    for (const rec of this.pairing.open()) this.complete(rec);
    const elements: ElementReport[] = [];
    let nClient = 0;
    let nFinal = 0;
    let staleReadCount = 0;
    const keys = [...this.keys].sort((a, b) => (before(a[1].order, b[1].order) ? -1 : before(b[1].order, a[1].order) ? 1 : 0));
    for (const [k, d] of keys) {
      nClient += d.clientReads;
      nFinal += d.finalOk;
      const n = d.els.length;
      const inLast = d.lastClient ? membership(n, d.lastClient.ids) : undefined;
      const views = d.finalView.map((v) => ({ node: v.node, has: membership(n, v.ids) }));
      /** Where each lost element's stale candidates stop counting: reads begun after it are part of the loss. */
      const lostFrom: number[] = [];
      const ids = [...d.els.keys()].sort((a, b) => (before(d.els[a].order, d.els[b].order) ? -1 : 1));
      for (const id of ids) {
        const e = d.els[id];
        const add = e.add;
        const known = e.knownPos !== Infinity;
        let lost = false;
        const missingOn: string[] = [];
        if (known && views.length > 0) {
          const lacking = views.filter((v) => !v.has[id]);
          if (lacking.length === views.length) lost = true;
          else missingOn.push(...lacking.map((v) => v.node));
        } else if (known && d.lastClient && d.lastClient.invokePos > e.knownPos && !inLast![id]) {
          lost = true;
        }
        if (lost) lostFrom.push(e.last?.pos ?? e.knownPos);
        const staleCount = lost ? e.staleConfirmed : e.staleConfirmed + e.stalePending;
        const latest = lost ? e.latestConfirmed : Math.max(e.latestConfirmed, e.latestPending);
        const limit = lost ? (e.last?.pos ?? -Infinity) : Infinity;
        const stale = (e.earliest ?? []).filter((c) => c[0] < limit).map((c) => c[1]);
        let staleWindowMs: number | null = null;
        if (staleCount > 0 && e.knownTime !== undefined && latest !== -Infinity) staleWindowMs = nsToMs(latest - e.knownTime);

        const ackPos = add?.outcome === 'ok' ? add.completePos : Infinity;
        let outcome: ElementOutcome;
        if (!add || (add.outcome === 'fail' && e.first)) outcome = 'unexpected';
        else if (lost) outcome = 'lost';
        else if (add.outcome === 'ok' && !e.first && !(d.lastReadInvoke > ackPos)) outcome = 'never-read';
        else if (staleCount > 0) outcome = 'stale';
        else if (known) outcome = 'stable';
        else outcome = 'not-added';

        const seen = (s: (SeenAt & { pos: number }) | undefined): SeenAt | undefined => (s ? { op: s.op, time: s.time } : undefined);
        elements.push({
          key: k,
          element: e.value,
          outcome,
          addOp: add?.invokeIndex,
          addOutcome: add?.outcome,
          addInvokeTime: add?.invokeTime,
          addAckTime: add?.outcome === 'ok' ? add.completeTime : undefined,
          firstSeen: seen(e.first),
          lastSeen: seen(e.last),
          staleReads: stale,
          staleCount,
          staleWindowMs,
          duplicatedIn: (e.dups ?? []).map((x) => x[2]),
          duplicatedCount: e.dupCount,
          missingOn,
        });
      }
      // A read is stale if it missed some element it should have seen: its misses less those that belong to a
      // loss (lost elements whose last sighting completed before the read began).
      lostFrom.sort((a, b) => a - b);
      for (let i = 0; i < d.readInvoke.length; i++) {
        if (d.readMissing[i] > lowerBound(lostFrom, d.readInvoke[i])) staleReadCount++;
      }
    }
    return { elements, staleReads: staleReadCount, clientReads: nClient, finalReads: nFinal };
  }
}

/** Per-element facts for every set key; `checkSet` judges them. */
export function analyzeSet(ops: Iterable<Op>): SetAnalysis {
  const s = new SetSummary();
  for (const op of ops) s.push(op);
  return s.finish();
}

const label = (e: ElementReport): string => `${keyLabel(e.key)}:${canon(e.element)}`;

export function checkSet(ops: Iterable<Op>, opts: SetOptions = {}): CheckResult {
  return judgeSet(analyzeSet(ops), opts);
}

/** The verdict and findings from a set analysis (of a whole history, or of one streamed op by op). */
export function judgeSet(a: SetAnalysis, opts: SetOptions = {}): CheckResult {
  const by = (o: ElementOutcome): ElementReport[] => a.elements.filter((e) => e.outcome === o);
  const lost = by('lost');
  // An element whose add ended `info` but that a read saw is lost just the same (it was visible); the
  // acknowledged ones are the broken promise a client was told about.
  const lostAcked = lost.filter((e) => e.addOutcome === 'ok').length;
  const unexpected = by('unexpected');
  const neverRead = by('never-read');
  const stale = a.elements.filter((e) => e.staleCount > 0);
  const duplicated = a.elements.filter((e) => e.duplicatedIn.length > 0);
  // A read missing ten known elements is one stale read (ten stale observations).
  const staleObservations = stale.reduce((n, e) => n + e.staleCount, 0);
  const staleReads = a.staleReads;
  const staleByWindow = [...stale].sort((x, y) => (y.staleWindowMs ?? -1) - (x.staleWindowMs ?? -1));
  const worstStale = staleByWindow
    .slice(0, 10)
    .map((e) => ({ key: e.key, element: e.element, staleWindowMs: e.staleWindowMs, staleReads: e.staleReads }));

  const anomalies: Anomaly[] = [];
  const examples = (es: ElementReport[]): unknown[] =>
    es.slice(0, 20).map((e) => ({ key: e.key, element: e.element, addOp: e.addOp, lastSeen: e.lastSeen }));
  if (lost.length > 0) {
    anomalies.push({
      kind: 'lost',
      count: lost.length,
      elements: examples(lost),
      acknowledged: lostAcked,
      message:
        `${lost.length} element(s) acknowledged or seen, then absent from the final view` +
        ` (${lostAcked} of them acknowledged ok, ${lost.length - lostAcked} only seen by a read): ${firstFew(lost.map(label))}`,
    });
  }
  if (duplicated.length > 0) {
    anomalies.push({
      kind: 'duplicated',
      count: duplicated.length,
      elements: duplicated.slice(0, 20).map((e) => ({ key: e.key, element: e.element, reads: e.duplicatedIn.slice(0, 10) })),
      message: `${duplicated.length} element(s) listed twice in one read: ${firstFew(duplicated.map(label))}`,
    });
  }
  if (unexpected.length > 0) {
    anomalies.push({
      kind: 'unexpected',
      count: unexpected.length,
      elements: examples(unexpected),
      message: `${unexpected.length} element(s) read although never added (or their add failed): ${firstFew(unexpected.map(label))}`,
    });
  }
  if (stale.length > 0) {
    const w = staleByWindow[0];
    anomalies.push({
      kind: 'stale',
      count: stale.length,
      reads: staleReads,
      observations: staleObservations,
      worst: worstStale,
      message:
        `${staleReads} stale read(s) missing ${stale.length} element(s) that were known present before the read began` +
        (w.staleWindowMs !== null ? `; worst: ${label(w)} invisible for ${w.staleWindowMs.toFixed(1)} ms` : ''),
    });
  }
  if (neverRead.length > 0) {
    anomalies.push({
      kind: 'never-read',
      count: neverRead.length,
      elements: examples(neverRead),
      message: `${neverRead.length} acknowledged element(s) had no read after their add, so their fate is unknown: ${firstFew(neverRead.map(label))}`,
    });
  }

  const stats = {
    attempted: a.elements.filter((e) => e.addOp !== undefined).length,
    acknowledged: a.elements.filter((e) => e.addOutcome === 'ok').length,
    stable: by('stable').length,
    lost: lost.length,
    lostAcknowledged: lostAcked,
    stale: stale.length,
    staleReads,
    staleObservations,
    neverRead: neverRead.length,
    duplicated: duplicated.length,
    unexpected: unexpected.length,
    clientReads: a.clientReads,
    finalReads: a.finalReads,
    linearizable: opts.linearizable ?? false,
    worstStale,
  };
  const facts = { staleReads, lostWrites: lost.length, phantoms: unexpected.length };
  const result: CheckResult = { checker: 'set', valid: true, anomalies, stats, facts };
  if (lost.length > 0 || duplicated.length > 0 || unexpected.length > 0 || (opts.linearizable && stale.length > 0)) {
    result.valid = false;
  } else if (a.clientReads + a.finalReads === 0) {
    result.valid = 'unknown';
    result.reason = a.elements.length === 0 ? 'the history has no set operations' : 'the history has no successful reads of any set';
  }
  // In linearizable mode a clean set history is itself the evidence of consistency (no search runs).
  if (opts.linearizable && result.valid === true) result.facts = { ...facts, consistent: true };
  return result;
}

/** A CP promise checks the set in linearizable mode: a stale read breaks it too. */
export const setChecker: Checker = {
  name: 'set',
  check: (h, ctx) => checkSet(h, { linearizable: ctx.promise === 'CP' }),
  stream: (ctx) => setStream({ linearizable: ctx.promise === 'CP' }),
};

/** The set check, streamed: push ops in file order, then finish. */
export function setStream(opts: SetOptions = {}): StreamingCheck {
  const s = new SetSummary();
  return { push: (op) => s.push(op), finish: () => judgeSet(s.finish(), opts) };
}
