/**
 * Shared views of a history for the AP-side checkers: client ops paired with their completions (with their
 * positions in file order), fault windows with the partition in force, final-read rounds, and a few numeric
 * helpers (canonical value keys, percentiles).
 *
 * Ordering is by position in the ops array (file order), never by `time`: two events in the same nanosecond
 * still have a definite order, and Jepsen imports may lack `time` entirely. `time` is only used for durations
 * (latencies, stale windows, convergence time), which come out `null` when it is missing.
 */
import { FINAL_READ, FINAL_READS_DONE, HEAL } from '../histories/conventions.js';
import { BareGrudgeSchema, NodesValueSchema, PartitionValueSchema } from '../histories/nemesis-value.js';
import { z } from 'zod';
import { InputError } from '../histories/errors.js';
import { NEMESIS, type Key, type Op, type ProcessId } from '../histories/op.js';
import { pairOps as pairRaw, type OpPair } from '../histories/pairing.js';
import { canon } from '../histories/canon.js';

export type Outcome = 'ok' | 'fail' | 'info' | 'pending';

/** One operation: an invoke and (unless the history ended first) its completion, with what checkers ask of it. */
export interface OpRecord extends OpPair {
  outcome: Outcome;
  process: ProcessId;
  f: string;
  key: Key | undefined;
  /** The node the client contacted: from the invoke, else from the completion. */
  node: string | undefined;
  invokeTime?: number;
  completeTime?: number;
}

export function lineOf(op: Op): number {
  return op.index + 1;
}

function openRecord(op: Op, pos: number): OpRecord {
  return {
    invoke: op,
    invokePos: pos,
    completePos: Infinity,
    outcome: 'pending',
    process: op.process,
    f: op.f,
    key: op.key,
    node: op.node,
    invokeTime: op.time,
  };
}

/**
 * Every op of a client process or a named harness actor (final reads included), paired by histories/pairing.ts:
 * a completion must carry its invoke's `f`; nemesis events, and any completion from a named actor with no open
 * invoke (Jepsen nemeses log bare `info` events too), stand alone and are not returned.
 */
export function pairOps(ops: readonly Op[]): OpRecord[] {
  const out = pairRaw(ops, { namedActors: true, sameF: true }, openRecord);
  for (const rec of out) {
    const c = rec.completion;
    if (!c) continue;
    rec.outcome = c.type as Outcome;
    rec.completeTime = c.time;
    rec.node ??= c.node;
    if (rec.key === undefined) rec.key = c.key;
  }
  return out;
}

export { FINAL_READ };

/** A workload op a client performed (not a final read and not a harness actor's op). */
export function isClientRecord(r: OpRecord): boolean {
  return typeof r.process === 'number' && r.f !== FINAL_READ;
}

/**
 * Maelstrom's definite domain errors: key does not exist, key already exists, precondition failed. A node that
 * answers with one of these was available; it simply said no.
 */
const REFUSAL_CODES = new Set([20, 21, 22]);
const REFUSAL_TEXT = /compare failed|precondition|does not exist|already exists|expected .+ but had/i;

/**
 * A `fail` that is a definite answer about the data (a cas whose expected value did not match, a missing key)
 * rather than a refusal to serve: codes as Maelstrom's `[code, text]` or `{code}`, or the text our etcd and
 * redis clients use ("compare failed").
 */
export function isDefiniteRefusal(r: OpRecord): boolean {
  if (r.outcome !== 'fail') return false;
  const e = r.completion?.error;
  if (Array.isArray(e) && typeof e[0] === 'number') return REFUSAL_CODES.has(e[0]);
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'number') {
    return REFUSAL_CODES.has((e as { code: number }).code);
  }
  return typeof e === 'string' && REFUSAL_TEXT.test(e);
}

// ---------------------------------------------------------------------------------------------------------
// Canonical values: written values are compared as canonical JSON (histories/canon.ts).

export { canon };

/** A set read's value as an array (null or absent means empty); anything else is bad input. */
export function setElements(op: Op): unknown[] {
  const v = op.value;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) {
    throw new InputError(`op ${op.index}: ${op.f} of set key ${String(op.key)} returned ${canon(v)}, expected an array`, lineOf(op));
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Durations and percentiles

export function nsToMs(ns: number): number {
  return ns / 1e6;
}

export function latencyNs(r: OpRecord): number | undefined {
  if (r.invokeTime === undefined || r.completeTime === undefined) return undefined;
  return r.completeTime - r.invokeTime;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% of values ≤ it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** First index in an ascending array whose value is > x (i.e. the count of values ≤ x). */
export function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in an ascending array whose value is ≥ x (i.e. the count of values < x). */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------
// Faults

export interface PartitionInfo {
  shape?: string;
  grudge?: Record<string, string[]>;
  components?: string[][];
}

export interface FaultWindow {
  /** `partition`, `kill`, `pause`, `latency`, … (the `f` without `start-`). */
  kind: string;
  start: Op;
  startPos: number;
  /** Position of the stop (or heal) event; Infinity if the history ends with the fault active. */
  endPos: number;
  startTime?: number;
  endTime?: number;
  value: unknown;
  /** Nodes a node-targeted fault (kill, pause, …) applies to. */
  nodes?: string[];
  partition?: PartitionInfo;
}

function parsePartition(op: Op): PartitionInfo {
  const v = op.value;
  const full = PartitionValueSchema.safeParse(v);
  if (full.success && (full.data.grudge || full.data.components)) {
    return { shape: full.data.shape, grudge: full.data.grudge, components: full.data.components };
  }
  const bare = BareGrudgeSchema.safeParse(v);
  if (bare.success && Object.keys(bare.data).length > 0) return { grudge: bare.data };
  throw new InputError(
    `op ${op.index}: ${op.f} value must be {"grudge": {node: [nodes]}, "components": [[nodes]]} (or a bare grudge), got ${canon(v)}`,
    lineOf(op),
  );
}

function parseNodes(op: Op): string[] | undefined {
  const r = NodesValueSchema.safeParse(op.value);
  return r.success ? r.data.nodes : undefined;
}

function sameNodes(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a || !b) return false;
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

/** The nemesis' own events (`info` records; Jepsen-style nemesis invokes are skipped). */
export function nemesisEvents(ops: readonly Op[]): { op: Op; pos: number }[] {
  const out: { op: Op; pos: number }[] = [];
  ops.forEach((op, pos) => {
    if (op.process === NEMESIS && op.type !== 'invoke') out.push({ op, pos });
  });
  return out;
}

/**
 * Fault windows from start-/stop- events (a start carrying an `error` was never applied). A new partition replaces the one in force (as `Runtime.partition`
 * does); a stop closes the open window of its kind naming the same nodes, else the oldest one of its kind;
 * `heal` closes everything.
 */
export function faultWindows(ops: readonly Op[]): FaultWindow[] {
  const all: FaultWindow[] = [];
  const open: FaultWindow[] = [];
  const close = (w: FaultWindow, pos: number, time: number | undefined): void => {
    w.endPos = pos;
    w.endTime = time;
    open.splice(open.indexOf(w), 1);
  };
  for (const { op, pos } of nemesisEvents(ops)) {
    if (op.f === HEAL) {
      for (const w of [...open]) close(w, pos, op.time);
      continue;
    }
    if (op.f.startsWith('start-')) {
      // The nemesis records a start it could not carry out with an `error`: no fault was in force.
      if (op.error !== undefined && op.error !== null) continue;
      const kind = op.f.slice('start-'.length);
      const w: FaultWindow = { kind, start: op, startPos: pos, endPos: Infinity, startTime: op.time, value: op.value };
      if (kind === 'partition') {
        w.partition = parsePartition(op);
        for (const o of open.filter((x) => x.kind === 'partition')) close(o, pos, op.time);
      } else {
        w.nodes = parseNodes(op);
      }
      open.push(w);
      all.push(w);
    } else if (op.f.startsWith('stop-')) {
      const kind = op.f.slice('stop-'.length);
      const candidates = open.filter((x) => x.kind === kind);
      if (candidates.length === 0) continue;
      const nodes = parseNodes(op);
      const match = candidates.find((x) => sameNodes(x.nodes, nodes)) ?? candidates[0];
      close(match, pos, op.time);
    }
  }
  return all;
}

/** Windows in force at an event position (started before it, not yet stopped). */
export function activeAt(windows: readonly FaultWindow[], pos: number): FaultWindow[] {
  return windows.filter((w) => w.startPos < pos && pos < w.endPos);
}

/** Every node name a history mentions (contacted nodes, final reads, fault values), sorted. */
export function nodesOf(ops: readonly Op[], windows: readonly FaultWindow[]): string[] {
  const s = new Set<string>();
  for (const op of ops) if (op.node) s.add(op.node);
  for (const w of windows) {
    for (const n of w.nodes ?? []) s.add(n);
    for (const [n, ns] of Object.entries(w.partition?.grudge ?? {})) {
      s.add(n);
      ns.forEach((x) => s.add(x));
    }
    for (const c of w.partition?.components ?? []) c.forEach((x) => s.add(x));
  }
  return [...s].sort();
}

export type Side = 'majority' | 'minority' | 'unknown';

/**
 * Which side of a partition a node is on. With components: the node's component (the largest, if it sits
 * in several, as in a bridge) is a majority when it holds more than half of the cluster. Without them
 * (one-way shapes): the node is on the majority side when it exchanges messages in both directions with
 * more than half of the cluster, itself included.
 */
export function sideOf(p: PartitionInfo, node: string | undefined, allNodes: readonly string[]): Side {
  if (node === undefined) return 'unknown';
  if (p.components && p.components.length > 0) {
    const size = Math.max(allNodes.length, new Set(p.components.flat()).size);
    const mine = p.components.filter((c) => c.includes(node));
    if (mine.length === 0) return 'unknown';
    const biggest = Math.max(...mine.map((c) => new Set(c).size));
    return biggest * 2 > size ? 'majority' : 'minority';
  }
  const grudge = p.grudge ?? {};
  if (!allNodes.includes(node)) return 'unknown';
  let reach = 0;
  for (const m of allNodes) {
    if (m === node) reach++;
    else if (!(grudge[node] ?? []).includes(m) && !(grudge[m] ?? []).includes(node)) reach++;
  }
  return reach * 2 > allNodes.length ? 'majority' : 'minority';
}

// ---------------------------------------------------------------------------------------------------------
// Final reads and the markers around them

export interface FinalReadRecord {
  rec: OpRecord;
  round: number;
  node: string;
  key: Key | undefined;
  ok: boolean;
  value: unknown;
}

export function finalReads(records: readonly OpRecord[]): FinalReadRecord[] {
  const out: FinalReadRecord[] = [];
  for (const rec of records) {
    if (rec.f !== FINAL_READ) continue;
    const src = rec.completion ?? rec.invoke;
    const round = (src as { round?: unknown }).round ?? (rec.invoke as { round?: unknown }).round ?? 0;
    if (typeof round !== 'number' || !Number.isInteger(round) || round < 0) {
      throw new InputError(`op ${src.index}: final-read round must be a non-negative integer, got ${canon(round)}`, lineOf(src));
    }
    if (rec.node === undefined) {
      throw new InputError(`op ${src.index}: final-read has no "node"`, lineOf(src));
    }
    out.push({ rec, round, node: rec.node, key: rec.key, ok: rec.outcome === 'ok', value: rec.completion?.value });
  }
  return out;
}

const FinalReadsDoneSchema = z.looseObject({
  converged: z.boolean(),
  rounds: z.number().int().nonnegative().optional(),
  boundMs: z.number().nonnegative().optional(),
});
export type FinalReadsDone = z.infer<typeof FinalReadsDoneSchema> & { op: Op };

export function finalReadsDone(ops: readonly Op[]): FinalReadsDone | undefined {
  const ev = nemesisEvents(ops).find((e) => e.op.f === FINAL_READS_DONE);
  if (!ev) return undefined;
  const r = FinalReadsDoneSchema.safeParse(ev.op.value);
  if (!r.success) {
    throw new InputError(
      `op ${ev.op.index}: final-reads-done value must be {"converged": bool, "rounds": n, "boundMs": ms}, got ${canon(ev.op.value)}`,
      lineOf(ev.op),
    );
  }
  return { ...r.data, op: ev.op };
}

/** The `heal` event that ends the main phase (the last one, if the harness logged several). */
export function healEvent(ops: readonly Op[]): Op | undefined {
  const heals = nemesisEvents(ops).filter((e) => e.op.f === HEAL);
  return heals.at(-1)?.op;
}

export function keyLabel(k: Key | undefined): string {
  return k === undefined ? '(no key)' : String(k);
}

/** At most `n` items of a list, for messages. */
export function firstFew<T>(xs: readonly T[], n = 5): string {
  const shown = xs.slice(0, n).map((x) => (typeof x === 'string' ? x : canon(x)));
  return xs.length > n ? `${shown.join(', ')}, … (${xs.length} in all)` : shown.join(', ');
}
