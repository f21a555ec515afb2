/**
 * Register anomalies for workloads whose written values are unique per key: facts a person can check by hand,
 * not a linearizability verdict (that is the linearizable checker's job). "W precedes X" means W completed
 * (ok) before X was invoked, in file order.
 *
 * - stale read: an ok client read R returned the initial value although some acknowledged write W preceded R,
 *   or returned the value of an acknowledged write V although another acknowledged write W satisfies
 *   V precedes W precedes R. R could only have missed the newer W. Age = R's start − W's completion.
 * - phantom: a read (client read, cas, or final read) observed a value no write or cas ever proposed, or one
 *   whose every write failed (fail means it certainly did not happen).
 * - lost write: an acknowledged write W whose value no read ever returned, although some ok read R had to
 *   return it: R began after W completed, no other write that might have come after W (any write that did not
 *   fail and did not precede W) was invoked before R completed. Writes concurrent with W therefore shield it
 *   — the definition never blames a write that was legitimately overwritten. When the history has final
 *   reads, only final reads count as R: a replica that had not yet seen W during the run is a stale read,
 *   and only the state after convergence tells whether W was really lost.
 * - duplicate write: two writes proposed the same value; the uniqueness the above relies on is broken, so an
 *   otherwise clean result becomes unknown.
 * valid: false iff any lost write or phantom; stale reads are counted (the CAP summary uses them) but do not
 * invalidate. No successful read at all: unknown. Keys with `add` ops (sets) are skipped.
 */
import type { Key, Op } from '../histories/op.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker } from './checker.js';
import { canon } from '../histories/canon.js';
import { FINAL_READ } from '../histories/conventions.js';
import { firstFew, keyLabel } from './labels.js';
import { pairOps, type OpRecord } from './op-records.js';
import { lowerBound, nsToMs, upperBound } from './percentiles.js';

export interface RegisterOptions {
  /** The value a register holds before any write; reads of it (or of null/absent) count as initial. */
  initial?: unknown;
}

interface Write {
  rec: OpRecord;
  value: unknown;
  c: string;
}

interface Observation {
  rec: OpRecord;
  value: unknown;
  c: string;
  /** A plain client read (stale reads are judged only for these). */
  clientRead: boolean;
}

export interface StaleRead {
  key: Key | undefined;
  /** Invoke index of the stale read. */
  read: number;
  value: unknown;
  /** Invoke index and value of the newer acknowledged write the read missed. */
  missedWrite: number;
  missedValue: unknown;
  /** From the missed write's completion to the read's start; null without times. */
  staleMs: number | null;
  /** The node the read was sent to, when the history says: the replica that lagged. */
  node?: string;
}

export interface LostWrite {
  key: Key | undefined;
  write: number;
  value: unknown;
  /** Invoke index of a read that had to return the value and did not. */
  witnessRead: number;
  witnessValue: unknown;
}

function append<T>(m: Map<string, T[]>, k: string, v: T): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function analyseKey(
  key: Key | undefined,
  records: readonly OpRecord[],
  initialC: string,
): { stale: StaleRead[]; lost: LostWrite[]; anomalies: Anomaly[]; phantoms: number; duplicates: number; reads: number; writes: number; acked: number } {
  const writes: Write[] = [];
  const obs: Observation[] = [];
  for (const r of records) {
    if (r.f === 'write') writes.push({ rec: r, value: r.invoke.value, c: canon(r.invoke.value) });
    else if (r.f === 'cas' && Array.isArray(r.invoke.value) && r.invoke.value.length === 2) {
      writes.push({ rec: r, value: r.invoke.value[1], c: canon(r.invoke.value[1]) });
      if (r.outcome === 'ok') obs.push({ rec: r, value: r.invoke.value[0], c: canon(r.invoke.value[0]), clientRead: false });
    } else if ((r.f === 'read' || r.f === FINAL_READ) && r.outcome === 'ok') {
      const v = r.completion!.value ?? null;
      obs.push({ rec: r, value: v, c: canon(v), clientRead: r.f === 'read' && typeof r.process === 'number' });
    }
  }
  const anomalies: Anomaly[] = [];
  const byValue = new Map<string, Write[]>();
  for (const w of writes) append(byValue, w.c, w);

  let duplicates = 0;
  for (const [c, ws] of byValue) {
    if (ws.length < 2) continue;
    duplicates++;
    anomalies.push({
      kind: 'duplicate-write',
      key,
      value: ws[0].value,
      ops: ws.map((w) => w.rec.invoke.index),
      message: `${keyLabel(key)}: value ${c} was written ${ws.length} times (ops ${firstFew(ws.map((w) => String(w.rec.invoke.index)))}); values must be unique`,
    });
  }

  // Phantoms: observed values nobody (successfully) proposed.
  let phantoms = 0;
  const observedBy = new Map<string, Observation[]>();
  for (const o of obs) append(observedBy, o.c, o);
  for (const [c, os] of observedBy) {
    if (c === initialC) continue;
    const ws = byValue.get(c);
    if (ws && ws.some((w) => w.rec.outcome !== 'fail')) continue;
    phantoms++;
    const readOps = os.map((o) => o.rec.invoke.index);
    anomalies.push({
      kind: ws ? 'failed-write-visible' : 'phantom',
      key,
      value: os[0].value,
      reads: readOps.slice(0, 20),
      ...(ws ? { write: ws[0].rec.invoke.index } : {}),
      message: ws
        ? `${keyLabel(key)}: reads (ops ${firstFew(readOps.map(String))}) returned ${c}, whose write (op ${ws[0].rec.invoke.index}) failed`
        : `${keyLabel(key)}: reads (ops ${firstFew(readOps.map(String))}) returned ${c}, which no write proposed`,
    });
  }

  // Stale reads: prefix over acknowledged writes ordered by completion, tracking the latest-begun one.
  const okWrites = writes.filter((w) => w.rec.outcome === 'ok').sort((a, b) => a.rec.completePos - b.rec.completePos);
  const okComplete = okWrites.map((w) => w.rec.completePos);
  const prefixArg: number[] = [];
  okWrites.forEach((w, i) => {
    const prev = i > 0 ? prefixArg[i - 1] : -1;
    prefixArg.push(prev >= 0 && okWrites[prev].rec.invokePos > w.rec.invokePos ? prev : i);
  });
  const stale: StaleRead[] = [];
  for (const o of obs) {
    if (!o.clientRead) continue;
    const n = lowerBound(okComplete, o.rec.invokePos);
    if (n === 0) continue;
    const missed = okWrites[prefixArg[n - 1]];
    let isStale: boolean;
    if (o.c === initialC) isStale = true;
    else {
      const own = (byValue.get(o.c) ?? []).filter((w) => w.rec.outcome === 'ok');
      if (own.length === 0) continue;
      const ownDone = Math.min(...own.map((w) => w.rec.completePos));
      isStale = missed.rec.invokePos > ownDone;
    }
    if (!isStale) continue;
    const t0 = missed.rec.completeTime;
    const t1 = o.rec.invokeTime;
    stale.push({
      key,
      read: o.rec.invoke.index,
      value: o.value,
      missedWrite: missed.rec.invoke.index,
      missedValue: missed.value,
      staleMs: t0 !== undefined && t1 !== undefined ? nsToMs(t1 - t0) : null,
      ...(o.rec.invoke.node !== undefined ? { node: o.rec.invoke.node } : {}),
    });
  }

  // Lost writes.
  const observed = new Set(obs.map((o) => o.c));
  const live = writes.filter((w) => w.rec.outcome !== 'fail');
  const liveInvoke = live.map((w) => w.rec.invokePos).sort((a, b) => a - b);
  // When the run ended with final reads, only they may convict a write of being lost: a client read during
  // the run that missed W may simply have asked a replica W had not reached yet (that is a stale read, counted
  // above), while the final reads show what the system kept once it had every chance to converge.
  const finals = obs.filter((o) => o.rec.f === FINAL_READ);
  const witnesses = (finals.length > 0 ? finals : [...obs]).sort((a, b) => a.rec.invokePos - b.rec.invokePos);
  const witnessInvoke = witnesses.map((o) => o.rec.invokePos);
  // suffixMin[i]: the witness (from i on) that completed first.
  const suffixMin: number[] = new Array(witnesses.length + 1).fill(-1);
  for (let i = witnesses.length - 1; i >= 0; i--) {
    const j = suffixMin[i + 1];
    suffixMin[i] = j >= 0 && witnesses[j].rec.completePos < witnesses[i].rec.completePos ? j : i;
  }
  const lost: LostWrite[] = [];
  for (const w of okWrites) {
    if (observed.has(w.c)) continue;
    const invokedBeforeDone = lowerBound(liveInvoke, w.rec.completePos);
    const precedingW = lowerBound(okComplete, w.rec.invokePos);
    if (invokedBeforeDone - precedingW - 1 > 0) continue; // a concurrent write may have overwritten it
    const nextWrite = liveInvoke[upperBound(liveInvoke, w.rec.completePos)] ?? Infinity;
    const from = upperBound(witnessInvoke, w.rec.completePos);
    const j = suffixMin[from];
    if (j < 0 || witnesses[j].rec.completePos >= nextWrite) continue;
    lost.push({ key, write: w.rec.invoke.index, value: w.value, witnessRead: witnesses[j].rec.invoke.index, witnessValue: witnesses[j].value });
  }

  return {
    stale,
    lost,
    anomalies,
    phantoms,
    duplicates,
    reads: obs.length,
    writes: writes.length,
    acked: okWrites.length,
  };
}

export function checkRegisterAnomalies(ops: readonly Op[], opts: RegisterOptions = {}): CheckResult {
  const records = pairOps(ops);
  const setKeys = new Set(records.filter((r) => r.f === 'add').map((r) => r.key));
  const byKey = new Map<Key | undefined, OpRecord[]>();
  for (const r of records) {
    if (setKeys.has(r.key)) continue;
    if (!['read', 'write', 'cas', FINAL_READ].includes(r.f)) continue;
    const l = byKey.get(r.key) ?? [];
    l.push(r);
    byKey.set(r.key, l);
  }
  const initialC = canon(opts.initial ?? null);
  const stale: StaleRead[] = [];
  const lost: LostWrite[] = [];
  const anomalies: Anomaly[] = [];
  let phantoms = 0;
  let duplicates = 0;
  let reads = 0;
  let writes = 0;
  let acked = 0;
  for (const [k, recs] of byKey) {
    const r = analyseKey(k, recs, initialC);
    stale.push(...r.stale);
    lost.push(...r.lost);
    anomalies.push(...r.anomalies);
    phantoms += r.phantoms;
    duplicates += r.duplicates;
    reads += r.reads;
    writes += r.writes;
    acked += r.acked;
  }

  const worstStale = [...stale].sort((a, b) => (b.staleMs ?? -1) - (a.staleMs ?? -1)).slice(0, 10);
  // Which replicas served the stale reads: a replica that lags (a standby, a follower read locally) is named.
  const staleByNode: Record<string, number> = {};
  for (const r of stale) if (r.node !== undefined) staleByNode[r.node] = (staleByNode[r.node] ?? 0) + 1;
  const byNodeText = Object.entries(staleByNode).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, c]) => `${n} ${c}`).join(', ');
  if (lost.length > 0) {
    anomalies.push({
      kind: 'lost-write',
      count: lost.length,
      writes: lost.slice(0, 20),
      message:
        `${lost.length} acknowledged write(s) never read although a later read had to see them: ` +
        firstFew(lost.map((l) => `${keyLabel(l.key)}:${canon(l.value)} (op ${l.write}; read op ${l.witnessRead} returned ${canon(l.witnessValue)})`), 3),
    });
  }
  if (stale.length > 0) {
    const w = worstStale[0];
    anomalies.push({
      kind: 'stale-read',
      count: stale.length,
      worst: worstStale,
      message:
        `${stale.length} stale read(s); worst: read op ${w.read} of ${keyLabel(w.key)} returned ${canon(w.value)} ` +
        (w.staleMs !== null ? `${w.staleMs.toFixed(1)} ms ` : '') +
        `after write op ${w.missedWrite} of ${canon(w.missedValue)} completed` +
        (byNodeText ? `; stale reads by the node that answered: ${byNodeText}` : ''),
    });
  }

  const result: CheckResult = {
    checker: 'register-anomalies',
    valid: true,
    anomalies,
    stats: {
      keys: byKey.size,
      writes,
      acknowledgedWrites: acked,
      reads,
      staleReads: stale.length,
      lostWrites: lost.length,
      phantoms,
      duplicateWrites: duplicates,
      worstStale,
      staleByNode,
    },
    facts: { staleReads: stale.length, lostWrites: lost.length, phantoms, ...(byNodeText ? { staleReadsByNode: staleByNode } : {}) },
  };
  if (lost.length > 0 || phantoms > 0) result.valid = false;
  else if (duplicates > 0) {
    result.valid = 'unknown';
    result.reason = 'some values were written more than once, so reads cannot be tied to one write';
  } else if (reads === 0) {
    result.valid = 'unknown';
    result.reason = 'the history has no successful reads';
  }
  return result;
}

export const registerAnomaliesChecker: Checker = { name: 'register-anomalies', check: (h) => checkRegisterAnomalies(h) };
