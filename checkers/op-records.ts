/**
 * A history's ops as the AP-side checkers read them: each invoke with its completion (paired once, in
 * histories/pairing.ts), its outcome, timing and node, and the questions every checker asks of one op.
 *
 * Ordering is by position in the ops array (file order), never by `time`: two events in the same nanosecond
 * still have a definite order, and Jepsen imports may lack `time` entirely. `time` is only used for durations
 * (latencies, stale windows, convergence time), which come out `null` when it is missing.
 */
import { canon } from '../histories/canon.js';
import { FINAL_READ } from '../histories/conventions.js';
import { InputError } from '../histories/errors.js';
import type { Key, Op, ProcessId } from '../histories/op.js';
import { pairOps as pairRaw, type OpPair } from '../histories/pairing.js';

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

/** The record an invoke opens (for PairingStream, and for pairOps below). */
export function openRecord(op: Op, pos: number): OpRecord {
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
  for (const rec of out) completeRecord(rec);
  return out;
}

/** Fill what a record takes from its completion (outcome, time, and node or key the invoke lacked). */
export function completeRecord(rec: OpRecord): void {
  const c = rec.completion;
  if (!c) return;
  rec.outcome = c.type as Outcome;
  rec.completeTime = c.time;
  rec.node ??= c.node;
  if (rec.key === undefined) rec.key = c.key;
}

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

/** A set read's value as an array (null or absent means empty); anything else is bad input. */
export function setElements(op: Op): unknown[] {
  const v = op.value;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) {
    throw new InputError(`op ${op.index}: ${op.f} of set key ${String(op.key)} returned ${canon(v)}, expected an array`, lineOf(op));
  }
  return v;
}
