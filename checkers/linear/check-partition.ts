/**
 * Check one independent piece of a history (one key) and, when it is not linearizable, find the longest
 * linearizable prefix and the op that could not be placed after it. Runs the same in a worker thread or
 * in-process, and returns plain data so it can cross a thread boundary.
 */
import type { Key } from '../../histories/op.js';
import type { Validity } from '../result.js';
import type { Model } from '../models/model.js';
import { compilePartition, okCount } from './compile.js';
import { decideLinearizable, type SearchLimit } from './search.js';
import type { Partition } from './split.js';
import { mapZoneOps, zoneCheck, type ZoneConflict } from './zones.js';

export interface PartitionBudget {
  deadline: number;
  maxStates: number;
  /** Approximate bytes the search of this key may hold (see SearchLimits.maxBytes). */
  maxBytes?: number;
  /** Resident bytes the whole process may hold (see SearchLimits.maxRss). */
  maxRss?: number;
  /** False: no growth pruning (see SearchLimits.prune), for the small checks that word an explanation. */
  prune?: boolean;
  /** In-process only (a function cannot cross to a worker thread): states explored so far on this key. */
  onTick?: (states: number) => void;
}

export interface PrefixFailure {
  /** Pair indices (into the partition's pairs) in the order they were linearized. */
  prefix: number[];
  /** Pair index of the op that could not be placed after the prefix. */
  blocked: number;
  /** Model state after the prefix (described). */
  prefixState: string;
  /** Every distinct state (described) the search reached in front of the blocked op. */
  deadStates: string[];
}

export interface PartitionVerdict {
  key: Key | undefined;
  valid: Validity;
  reason?: string;
  /** With `unknown`: the budget that ran out ('engine' for a JS engine limit). */
  limit?: SearchLimit | 'engine';
  /** Ops that take part in the search (failed ops and unknown reads are already dropped). */
  ops: number;
  okOps: number;
  states: number;
  steps: number;
  /** Most ok ops linearized at once. */
  deepest: number;
  /** Growth pruning was on in the search (see SearchLimits.prune). */
  pruned?: boolean;
  /** Set when the zone test decided the key (see zones.ts); the search then ran, if at all, only to explain. */
  decidedBy?: 'zones';
  /** What the zone test found wrong, as indices into the partition's pairs. */
  zone?: ZoneConflict;
  failure?: PrefixFailure;
}

/**
 * A JS engine limit reached inside the search (a Map past 2^24 entries, an array past 2^32, a string past its
 * maximum length) is a resource limit like any other: the key is undecided, never a crash.
 */
function engineLimit(err: unknown): string | undefined {
  if (err instanceof RangeError) return `a resource limit of the JS engine was reached (${err.message})`;
  return undefined;
}

export function checkPartition(model: Model<unknown>, initial: unknown, part: Partition, budget: PartitionBudget): PartitionVerdict {
  try {
    return checkPartitionUnguarded(model, initial, part, budget);
  } catch (err) {
    const reason = engineLimit(err);
    if (reason === undefined) throw err;
    return { key: part.key, valid: 'unknown', reason, limit: 'engine', ops: part.pairs.length, okOps: 0, states: 0, steps: 0, deepest: 0 };
  }
}

/**
 * When the zone test has already found a key not linearizable, the search runs only to find the prefix a person
 * reads, and gets this much of it (the test itself is exact, so the verdict does not wait on the search).
 */
const ZONE_EXPLAIN_STATES = 100_000;
const ZONE_EXPLAIN_MS = 500;
/** Past this many ops the search is not tried at all: on such keys it cannot get far in that budget. */
const ZONE_EXPLAIN_MAX_OPS = 2_000;

function checkPartitionUnguarded(model: Model<unknown>, initial: unknown, part: Partition, budget: PartitionBudget): PartitionVerdict {
  const cp = compilePartition(model, initial, part.pairs);
  const init = model.init(initial);
  const zones = model.readWrite === undefined ? undefined : zoneCheck(cp, model.readWrite, init);
  if (zones?.valid === true) {
    const okOps = okCount(cp);
    return { key: part.key, valid: true, ops: cp.n, okOps, states: 0, steps: 0, deepest: okOps, decidedBy: 'zones' };
  }
  if (zones !== undefined && cp.n > ZONE_EXPLAIN_MAX_OPS) {
    return { key: part.key, valid: false, ops: cp.n, okOps: okCount(cp), states: 0, steps: 0, deepest: 0, decidedBy: 'zones', zone: mapZoneOps(zones.conflict, (i) => cp.pair[i]) };
  }
  const first = decideLinearizable(
    model,
    init,
    cp,
    zones === undefined ? budget : { ...budget, maxStates: Math.min(budget.maxStates, ZONE_EXPLAIN_STATES), deadline: Math.min(budget.deadline, Date.now() + ZONE_EXPLAIN_MS) },
  );
  if (zones !== undefined && first.valid === true) {
    // Two exact procedures disagreeing is a bug here, and a bug must not pass for a verdict.
    return { key: part.key, valid: 'unknown', reason: 'the zone test and the search disagree on this key (a faultline bug: please report it)', ops: cp.n, okOps: first.okOps, states: first.states, steps: first.steps, deepest: first.deepest };
  }
  const verdict: PartitionVerdict = {
    key: part.key,
    valid: zones === undefined ? first.valid : false,
    ...(zones === undefined ? {} : { decidedBy: 'zones' as const, zone: mapZoneOps(zones.conflict, (i) => cp.pair[i]) }),
    ops: cp.n,
    okOps: first.okOps,
    states: first.states,
    steps: first.steps,
    deepest: first.deepest,
    pruned: first.pruned,
  };
  if (first.reason && zones === undefined) verdict.reason = first.reason;
  if (first.limit && zones === undefined) verdict.limit = first.limit;
  if (first.valid !== false || first.blocked < 0) return verdict;
  verdict.failure = {
    prefix: (first.prefix ?? []).map((i) => cp.pair[i]),
    blocked: cp.pair[first.blocked],
    prefixState: first.prefix ? model.describeState(first.prefixState) : '',
    deadStates: first.deadStates.map((s) => model.describeState(s)),
  };
  return verdict;
}
