/**
 * Check one independent piece of a history (one key) and, when it is not linearizable, find the longest
 * linearizable prefix and the op that could not be placed after it. Runs the same in a worker thread or
 * in-process, and returns plain data so it can cross a thread boundary.
 */
import type { Key } from '../../histories/op.js';
import type { Validity } from '../result.js';
import type { Model } from '../models/model.js';
import { compilePartition } from './compile.js';
import { decideLinearizable, type SearchLimit } from './search.js';
import type { Partition } from './split.js';

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

function checkPartitionUnguarded(model: Model<unknown>, initial: unknown, part: Partition, budget: PartitionBudget): PartitionVerdict {
  const cp = compilePartition(model, initial, part.pairs);
  const init = model.init(initial);
  const first = decideLinearizable(model, init, cp, budget);
  const verdict: PartitionVerdict = {
    key: part.key,
    valid: first.valid,
    ops: cp.n,
    okOps: first.okOps,
    states: first.states,
    steps: first.steps,
    deepest: first.deepest,
    pruned: first.pruned,
  };
  if (first.reason) verdict.reason = first.reason;
  if (first.limit) verdict.limit = first.limit;
  if (first.valid !== false || first.blocked < 0) return verdict;
  verdict.failure = {
    prefix: (first.prefix ?? []).map((i) => cp.pair[i]),
    blocked: cp.pair[first.blocked],
    prefixState: first.prefix ? model.describeState(first.prefixState) : '',
    deadStates: first.deadStates.map((s) => model.describeState(s)),
  };
  return verdict;
}
