/**
 * The reference for tests: the set checker as it was before it streamed (checkers/set.ts up to 93c59d6), which
 * holds a bitset per read and probes every (read, element) pair. Slow and quadratic in memory, but plain: the
 * streaming checker must agree with it. One change: of several adds of one element, the one that speaks for it
 * is the first acknowledged (by completion), else the first invoked, as the streaming checker decides.
 *
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
import type { Key, Op } from '../../histories/op.js';
import type { Anomaly, CheckResult } from '../../checkers/result.js';
import { canon } from '../../histories/canon.js';
import { finalReads } from '../../checkers/final-reads.js';
import { firstFew, keyLabel } from '../../checkers/labels.js';
import { isClientRecord, pairOps, setElements, type OpRecord } from '../../checkers/op-records.js';
import { lowerBound, nsToMs, upperBound } from '../../checkers/percentiles.js';

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
  /** Completion indices of reads that listed the element more than once. */
  duplicatedIn: number[];
  /** Nodes of the last final-read round that lack the element (when some, not all, lack it). */
  missingOn: string[];
}

interface ReadView {
  rec: OpRecord;
  node?: string;
  /** Element ids as read; replaced by `bits` once every id of the key is known. */
  ids?: Int32Array;
  /** Membership bitset over the key's element ids. */
  bits: Uint32Array;
}

/**
 * Stale reads listed per element. A whole-set read that misses recent elements is stale for each of them, so
 * listing every (read, element) pair grows with reads x elements: an unthrottled g-set run made that list
 * longer than an array can be. Counts are kept whole; lists are cut.
 */
const STALE_LISTED = 10;

const has = (r: ReadView, id: number): boolean => (r.bits[id >>> 5] & (1 << (id & 31))) !== 0;

export interface SetAnalysis {
  elements: ElementReport[];
  /** Distinct client reads that were stale for at least one element. */
  staleReads: number;
  clientReads: number;
  finalReads: number;
}

/**
 * One set key. Elements get dense ids (canonical JSON -> id) so every read becomes a bitset: reads of a large
 * set are then cheap to hold and to probe.
 */
class KeyData {
  readonly ids = new Map<string, number>();
  readonly values: unknown[] = [];
  readonly adds = new Map<number, OpRecord>();
  /** Ok client reads, in invoke order. */
  readonly clientReads: ReadView[] = [];
  /** Ok final reads of every round, and of the last round alone. */
  readonly finalReads: ReadView[] = [];
  readonly finalView: ReadView[] = [];
  /** Element id -> completion indices of reads that listed it more than once. */
  readonly dup = new Map<number, number[]>();

  /** Numbers and strings skip the JSON round (the hot path for big reads); 1 and "1" stay distinct. */
  private readonly numIds = new Map<number, number>();
  private readonly strIds = new Map<string, number>();

  id(v: unknown): number {
    const m: Map<unknown, number> = typeof v === 'number' ? this.numIds : typeof v === 'string' ? this.strIds : this.ids;
    const k = typeof v === 'number' || typeof v === 'string' ? v : canon(v);
    let id = m.get(k);
    if (id === undefined) {
      id = this.values.length;
      m.set(k, id);
      this.values.push(v);
    }
    return id;
  }

  view(rec: OpRecord): ReadView {
    const es = setElements(rec.completion!);
    const ids = new Int32Array(es.length);
    es.forEach((e, i) => (ids[i] = this.id(e)));
    return { rec, node: rec.node, ids, bits: new Uint32Array(0) };
  }

  /** Turn every read's id list into a bitset, noting elements listed twice. */
  seal(): void {
    const words = (this.values.length + 31) >>> 5;
    for (const r of [...this.clientReads, ...this.finalReads]) {
      r.bits = new Uint32Array(words);
      for (const id of r.ids!) {
        if (has(r, id)) {
          const l = this.dup.get(id) ?? [];
          if (l.at(-1) !== r.rec.completion!.index) l.push(r.rec.completion!.index);
          this.dup.set(id, l);
        }
        r.bits[id >>> 5] |= 1 << (id & 31);
      }
      r.ids = undefined;
    }
  }
}

/** Per-element facts for every set key; `checkSet` judges them. */
export function analyzeSet(ops: readonly Op[]): SetAnalysis {
  const records = pairOps(ops);
  const data = new Map<Key | undefined, KeyData>();
  const of = (k: Key | undefined): KeyData => {
    let d = data.get(k);
    if (!d) data.set(k, (d = new KeyData()));
    return d;
  };

  for (const r of records) {
    if (!isClientRecord(r)) continue;
    if (r.f === 'add') {
      const d = of(r.key);
      const id = d.id(r.invoke.value);
      // The first acknowledged add speaks for the element; without one, the first invoked.
      const prior = d.adds.get(id);
      const better = !prior || (r.outcome === 'ok' ? prior.outcome !== 'ok' || r.completePos < prior.completePos : false);
      if (better) d.adds.set(id, r);
    } else if (r.f === 'read' && r.outcome === 'ok') {
      const d = of(r.key);
      d.clientReads.push(d.view(r));
    }
  }
  const frs = finalReads(records).filter((f) => f.ok);
  const lastRound = new Map<Key | undefined, number>();
  for (const f of frs) lastRound.set(f.key, Math.max(lastRound.get(f.key) ?? 0, f.round));
  for (const f of frs) {
    const d = of(f.key);
    const v = d.view(f.rec);
    d.finalReads.push(v);
    if (f.round === lastRound.get(f.key)) d.finalView.push(v);
  }

  const elements: ElementReport[] = [];
  let nClient = 0;
  let staleReadCount = 0;
  for (const [k, d] of data) {
    d.seal();
    const cReads = d.clientReads;
    /** Which client reads of this key were stale for some element (counted once each). */
    const staleMark = new Uint8Array(cReads.length);
    nClient += cReads.length;
    const cInvoke = cReads.map((r) => r.rec.invokePos);
    const byCompletion = [...cReads, ...d.finalReads].sort((a, b) => a.rec.completePos - b.rec.completePos);
    const lastReadInvoke = byCompletion.reduce((m, r) => Math.max(m, r.rec.invokePos), -1);
    const lastClient = cReads.reduce<ReadView | undefined>((a, r) => (!a || r.rec.completePos > a.rec.completePos ? r : a), undefined);

    for (let id = 0; id < d.values.length; id++) {
      const element = d.values[id];
      const add = d.adds.get(id);
      const first = byCompletion.find((r) => has(r, id));
      let lastSeen: ReadView | undefined;
      for (let i = byCompletion.length - 1; i >= 0 && first; i--) {
        if (has(byCompletion[i], id)) {
          lastSeen = byCompletion[i];
          break;
        }
      }
      const ackPos = add?.outcome === 'ok' ? add.completePos : Infinity;
      const firstPos = first?.rec.completePos ?? Infinity;
      const knownPos = Math.min(ackPos, firstPos);
      const knownTime = ackPos <= firstPos ? add?.completeTime : first?.rec.completeTime;
      const known = knownPos !== Infinity;

      let lost = false;
      const missingOn: string[] = [];
      if (known && d.finalView.length > 0) {
        const lacking = d.finalView.filter((r) => !has(r, id));
        if (lacking.length === d.finalView.length) lost = true;
        else missingOn.push(...lacking.map((r) => r.node ?? '?'));
      } else if (known && lastClient && lastClient.rec.invokePos > knownPos && !has(lastClient, id)) {
        lost = true;
      }

      // Stale candidates: client reads begun after it was known present (up to its last sighting, if lost).
      const stale: number[] = [];
      let staleCount = 0;
      let latest = -Infinity;
      if (known) {
        const lo = upperBound(cInvoke, knownPos);
        const hi = !lost ? cReads.length : lastSeen ? lowerBound(cInvoke, lastSeen.rec.completePos) : lo;
        for (let i = lo; i < hi; i++) {
          const r = cReads[i];
          if (has(r, id)) continue;
          staleCount++;
          if (!staleMark[i]) {
            staleMark[i] = 1;
            staleReadCount++;
          }
          if (stale.length < STALE_LISTED) stale.push(r.rec.invoke.index);
          if (r.rec.invokeTime !== undefined && r.rec.invokeTime > latest) latest = r.rec.invokeTime;
        }
      }
      let staleWindowMs: number | null = null;
      if (staleCount > 0 && knownTime !== undefined && latest !== -Infinity) staleWindowMs = nsToMs(latest - knownTime);

      let outcome: ElementOutcome;
      if (!add || (add.outcome === 'fail' && first)) outcome = 'unexpected';
      else if (lost) outcome = 'lost';
      else if (add.outcome === 'ok' && !first && !(lastReadInvoke > ackPos)) outcome = 'never-read';
      else if (staleCount > 0) outcome = 'stale';
      else if (known) outcome = 'stable';
      else outcome = 'not-added';

      const at = (r: ReadView | undefined): SeenAt | undefined =>
        r ? { op: r.rec.completion!.index, time: r.rec.completeTime } : undefined;
      elements.push({
        key: k,
        element,
        outcome,
        addOp: add?.invoke.index,
        addOutcome: add?.outcome,
        addInvokeTime: add?.invokeTime,
        addAckTime: add?.outcome === 'ok' ? add.completeTime : undefined,
        firstSeen: at(first),
        lastSeen: at(lastSeen),
        staleReads: stale,
        staleCount,
        staleWindowMs,
        duplicatedIn: d.dup.get(id) ?? [],
        missingOn,
      });
    }
  }
  return { elements, staleReads: staleReadCount, clientReads: nClient, finalReads: frs.length };
}

const label = (e: ElementReport): string => `${keyLabel(e.key)}:${canon(e.element)}`;

export function checkSet(ops: readonly Op[], opts: SetOptions = {}): CheckResult {
  const a = analyzeSet(ops);
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

