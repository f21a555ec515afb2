/**
 * The zone test: a read/write register history in which every write writes its own value is decided in
 * O(n log n), without searching orders. This is Gibbons and Korach's result for "verifying linearizability with
 * a read mapping" (Testing Shared Memories, SIAM J. Computing 26(4), 1997), in the zone form of Golab, Li and
 * Shah (Analyzing Consistency Properties for Fun and Profit, PODC 2011).
 *
 * With unique writes, each value's write and the reads that saw it form a cluster, and a linearization orders
 * whole clusters: a value is written once, read, then overwritten for good. A cluster's zone runs from the
 * earliest completion of its ops to the latest invocation. When the earliest completion comes first (a forward
 * zone), the value must be current across the whole zone; otherwise (a backward zone) all its ops overlap one
 * moment and the cluster can be placed there. The history is linearizable iff no read saw a value before its
 * write began or that nobody wrote, no two forward zones overlap, and no backward zone lies inside a forward
 * one. The search needs exponential time on the same histories when many writes overlap (every subset of them
 * is a configuration of its own), which is why this runs first.
 *
 * Anything outside the theorem (a cas or an append, two writes of one value, a write of the start value) makes
 * the key ineligible, and the search decides it as before.
 */
import type { ModelOp, ReadWriteView } from '../models/model.js';
import type { CompiledPartition } from './compile.js';

/** Why a key is not linearizable, as the zone test sees it: compiled op indices and history positions. */
export type ZoneConflict =
  /** A read saw a value no write in the history wrote (and not the start value). */
  | { kind: 'unwritten'; read: number }
  /** A read completed before the write of the value it saw was invoked. */
  | { kind: 'future'; read: number; write: number }
  /**
   * Two values must each stay current over windows that overlap. `a` and `b` give, per value, the op whose
   * completion opens its window and the op whose invocation closes it (-1: the register's start value).
   */
  | { kind: 'overlap'; a: ZoneWindow; b: ZoneWindow }
  /** Every op of value `inner` (its write and reads) falls inside the window where `outer` must stay current. */
  | { kind: 'inside'; outer: ZoneWindow; inner: ZoneCluster };

/** A value's write (-1: the start value) and the ops that span its backward zone: the latest invoked and the
 * earliest completed. */
export interface ZoneCluster {
  value: string;
  write: number;
  /** The op invoked last and the op completed first among the value's write and reads. */
  lastInvoked: number;
  firstCompleted: number;
}

export interface ZoneWindow {
  value: string;
  /** The value's write, -1 for the start value. */
  write: number;
  /** The op whose completion opens the window (-1 for the start value, current from the beginning). */
  from: number;
  /** The op whose invocation closes it. */
  to: number;
}

/** The ops a conflict names: together they are not linearizable either (each zone is spanned by them). */
export function zoneOps(c: ZoneConflict): number[] {
  const ops =
    c.kind === 'unwritten'
      ? [c.read]
      : c.kind === 'future'
        ? [c.read, c.write]
        : c.kind === 'overlap'
          ? [c.a.write, c.a.from, c.a.to, c.b.write, c.b.from, c.b.to]
          : [c.outer.write, c.outer.from, c.outer.to, c.inner.write, c.inner.lastInvoked, c.inner.firstCompleted];
  return [...new Set(ops.filter((i) => i >= 0))].sort((x, y) => x - y);
}

export type ZoneVerdict = { valid: true } | { valid: false; conflict: ZoneConflict };

interface Cluster {
  value: string;
  /** Compiled index of the write, -1 for the start value. */
  write: number;
  reads: number[];
  /** Earliest completion and latest invocation over the cluster's ops, and which ops they are. */
  minRet: number;
  minRetOp: number;
  maxCall: number;
  maxCallOp: number;
}

/**
 * The verdict for one key, or undefined when the key is outside the theorem. Ops whose effect is optional are
 * info or unanswered writes (unknown reads never reach the compiled partition): one that some read saw took
 * effect, with no known end; one that nobody saw may be placed after everything, so it changes nothing.
 */
export function zoneCheck(cp: CompiledPartition, view: ReadWriteView<unknown>, init: unknown): ZoneVerdict | undefined {
  const start = view.state(init);
  const byValue = new Map<string, Cluster>();
  const reads: { i: number; value: string }[] = [];
  for (let i = 0; i < cp.n; i++) {
    const rw = view.op(cp.ops[i] as ModelOp);
    if (rw === undefined) return undefined;
    // An ok op that shrinking may leave out is outside the theorem (it is used by the search's callers only).
    if (cp.optional[i] === 1 && cp.ret[i] !== Infinity) return undefined;
    if (!rw.write) {
      reads.push({ i, value: rw.value });
      continue;
    }
    if (rw.value === start || byValue.has(rw.value)) return undefined;
    byValue.set(rw.value, { value: rw.value, write: i, reads: [], minRet: Infinity, minRetOp: -1, maxCall: -Infinity, maxCallOp: -1 });
  }
  const initialCluster: Cluster = { value: start, write: -1, reads: [], minRet: -Infinity, minRetOp: -1, maxCall: -Infinity, maxCallOp: -1 };
  for (const r of reads) {
    const c = r.value === start ? initialCluster : byValue.get(r.value);
    if (c === undefined) return { valid: false, conflict: { kind: 'unwritten', read: r.i } };
    if (c.write >= 0 && cp.ret[r.i] < cp.call[c.write]) return { valid: false, conflict: { kind: 'future', read: r.i, write: c.write } };
    c.reads.push(r.i);
  }

  const clusters: Cluster[] = [];
  if (initialCluster.reads.length > 0) clusters.push(initialCluster);
  for (const c of byValue.values()) {
    // A write nobody saw that may never have happened: placed after everything, it constrains nothing.
    if (cp.optional[c.write] === 1 && c.reads.length === 0) continue;
    clusters.push(c);
  }
  const span = (c: Cluster, i: number): void => {
    if (cp.ret[i] < c.minRet) {
      c.minRet = cp.ret[i];
      c.minRetOp = i;
    }
    if (cp.call[i] > c.maxCall) {
      c.maxCall = cp.call[i];
      c.maxCallOp = i;
    }
  };
  for (const c of clusters) {
    if (c.write >= 0) span(c, c.write);
    for (const i of c.reads) span(c, i);
  }

  // Forward zones [minRet, maxCall]: the value is current throughout. History positions are distinct, so no
  // two bounds tie except at the start value's -Infinity, which only one cluster has.
  const forward = clusters.filter((c) => c.minRet < c.maxCall).sort((x, y) => x.minRet - y.minRet);
  const window = (c: Cluster): ZoneWindow => ({ value: c.value, write: c.write, from: c.minRetOp, to: c.maxCallOp });
  for (let k = 1; k < forward.length; k++) {
    // Sorted by start: a zone overlaps an earlier one iff it starts before that one's end; with no overlap so
    // far, the zones are disjoint and the one just before reaches furthest.
    if (forward[k].minRet < forward[k - 1].maxCall) return { valid: false, conflict: { kind: 'overlap', a: window(forward[k - 1]), b: window(forward[k]) } };
  }
  // Backward zones [maxCall, minRet]: all the cluster's ops overlap that span. Inside a forward zone, the value
  // would have to be written and read while the other must stay current.
  for (const c of clusters) {
    if (c.minRet < c.maxCall) continue;
    const outer = lastStartingBefore(forward, c.maxCall);
    if (outer !== undefined && c.minRet < outer.maxCall) {
      return { valid: false, conflict: { kind: 'inside', outer: window(outer), inner: { value: c.value, write: c.write, lastInvoked: c.maxCallOp, firstCompleted: c.minRetOp } } };
    }
  }
  return { valid: true };
}

/** The same conflict with every op index passed through `f` (compiled indices to the partition's pairs). */
export function mapZoneOps(c: ZoneConflict, f: (i: number) => number): ZoneConflict {
  const g = (i: number): number => (i < 0 ? i : f(i));
  const w = (x: ZoneWindow): ZoneWindow => ({ value: x.value, write: g(x.write), from: g(x.from), to: g(x.to) });
  switch (c.kind) {
    case 'unwritten':
      return { kind: c.kind, read: g(c.read) };
    case 'future':
      return { kind: c.kind, read: g(c.read), write: g(c.write) };
    case 'overlap':
      return { kind: c.kind, a: w(c.a), b: w(c.b) };
    case 'inside':
      return { kind: c.kind, outer: w(c.outer), inner: { value: c.inner.value, write: g(c.inner.write), lastInvoked: g(c.inner.lastInvoked), firstCompleted: g(c.inner.firstCompleted) } };
  }
}

/** The forward zone (disjoint, sorted by start) that starts last before `pos`. */
function lastStartingBefore(zones: readonly Cluster[], pos: number): Cluster | undefined {
  let lo = 0;
  let hi = zones.length - 1;
  let found: Cluster | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (zones[mid].minRet < pos) {
      found = zones[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
