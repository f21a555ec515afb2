/**
 * From a raw history to the independent pieces the search checks: client ops paired by process, failed ops
 * dropped (they never happened), nemesis and final-read events ignored, and the rest split by key
 * (P-compositionality: a history is linearizable iff each key's sub-history is).
 */
import type { Key, Op } from '../../histories/op.js';
import { PairingStream, type OpPair } from '../../histories/pairing.js';
import type { ModelOp } from '../models/model.js';

/** An op as the search sees it: its invoke, its `ok` or `info` completion (or none), and their positions. */
export interface OpPairAt extends OpPair {
  /**
   * Shrinking only: an ok op that may be left out, as if it had never happened (if it is kept, it still
   * takes effect between its invoke and its completion).
   */
  maybe?: boolean;
  /**
   * The model op `compilePartition` would make of this pair, made while splitting (see `splitHistory`'s
   * `prepare`); null for a pair that constrains nothing. Absent: not made yet.
   */
  prepared?: ModelOp | null;
  /** Set with `prepared`: the completion is `ok` (so compiling need not read the completion again). */
  ok?: boolean;
}

export interface Partition {
  /** Undefined for ops without a key (or for models that are never split). */
  key: Key | undefined;
  /** In invoke order. */
  pairs: OpPairAt[];
}

export interface SplitStats {
  events: number;
  /** Invoke/completion pairs kept (ok, info, or unanswered). */
  pairs: number;
  failed: number;
  info: number;
  unanswered: number;
  /** Nemesis and final-read events skipped. */
  ignored: number;
}

/** Ops paired between two looks at `stop` (see splitHistory). */
const STOP_EVERY = 1 << 16;

/** Every pair made with the same fields in the same order, so they share one shape. */
const makePair = (invoke: Op, pos: number): OpPairAt => ({ invoke, completion: undefined, invokePos: pos, completePos: Infinity, prepared: undefined, ok: undefined });

/**
 * `stop`, asked every few ten thousand ops while pairing (each op becomes an object), may end the split early
 * with its reason (the memory budget): then `stopped` is set and the partitions are incomplete.
 *
 * `prepare` (the model's, with the check's initial value): merge each kept pair into its model op here, while
 * its invoke and completion are still in the CPU's cache from being paired and keyed. In a big history those op
 * objects lie far apart in memory, and reading them again in `compilePartition` cost two cache misses per op
 * (a fifth of a million-record check).
 */
export function splitHistory(
  ops: readonly Op[],
  byKey: boolean,
  stop?: () => string | undefined,
  prepare?: (invoke: Op, completion: Op | undefined) => ModelOp | null,
): { partitions: Partition[]; stats: SplitStats; stopped?: string } {
  const stats: SplitStats = { events: ops.length, pairs: 0, failed: 0, info: 0, unanswered: 0, ignored: 0 };
  const all: OpPairAt[] = [];
  const stream = new PairingStream<OpPairAt>({ skipFinalReads: true }, makePair);
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos];
    const rec = stream.push(op, pos);
    if (rec && op.type === 'invoke') all.push(rec);
    if (stop !== undefined && (pos & (STOP_EVERY - 1)) === STOP_EVERY - 1) {
      const why = stop();
      if (why !== undefined) return { partitions: [], stats, stopped: why };
    }
  }
  let completions = 0;
  // Numbers and strings apart (1 and "1" are different keys), looked up as they are: building a string per
  // pair to key one map by was a tenth of the split of a million-record history.
  const byNum = new Map<number, Partition>();
  const byStr = new Map<string, Partition>();
  let noKey: Partition | undefined;
  const partitions: Partition[] = [];
  for (const pair of all) {
    const t = pair.completion?.type;
    if (t !== undefined) completions++;
    if (t === 'fail') {
      stats.failed++;
      continue;
    }
    if (t === 'info') stats.info++;
    else if (t === undefined) stats.unanswered++;
    stats.pairs++;
    const key = byKey ? (pair.invoke.key ?? pair.completion?.key) : undefined;
    let part = key === undefined ? noKey : typeof key === 'number' ? byNum.get(key) : byStr.get(key);
    if (!part) {
      part = { key, pairs: [] };
      if (key === undefined) noKey = part;
      else if (typeof key === 'number') byNum.set(key, part);
      else byStr.set(key, part);
      partitions.push(part);
    }
    if (prepare !== undefined) {
      pair.prepared = prepare(pair.invoke, pair.completion);
      pair.ok = t === 'ok';
    }
    part.pairs.push(pair);
  }
  // Every other event was a nemesis or final-read event (a bad client event throws in pairOps).
  stats.ignored = ops.length - all.length - completions;
  return { partitions, stats };
}

export { keyLabel } from '../labels.js';
