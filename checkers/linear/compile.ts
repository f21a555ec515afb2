/**
 * Turn one partition's op pairs into the flat arrays the search runs on: each pair merged into a model op
 * once, the ops numbered in invoke order, with the positions of their invoke and completion.
 */
import type { Op } from '../../histories/op.js';
import type { Model, ModelOp } from '../models/model.js';
import type { OpPairAt } from './split.js';

export interface CompiledPartition {
  n: number;
  ops: ModelOp[];
  /** 1 for ops that may take effect or not (info, or no completion before the history ended). */
  optional: Uint8Array;
  /**
   * History positions of the invoke and of the ok completion: the op takes effect before it, if at all.
   * Infinity for info and unanswered ops.
   */
  call: Float64Array;
  ret: Float64Array;
  /** Index of the op's pair in the partition's pair list. */
  pair: Int32Array;
}

/** Ops of a compiled partition that certainly took effect (ok, and not left free by shrinking). */
export function okCount(cp: Pick<CompiledPartition, 'n' | 'optional'>): number {
  let ok = 0;
  for (let i = 0; i < cp.n; i++) ok += 1 - cp.optional[i];
  return ok;
}

/**
 * Shrinking compiles the same pairs hundreds of times: the merged op of an (invoke, completion) pair is kept
 * per invoke event, for the model and initial value it was made for. Model ops are never changed after
 * `prepare`, so sharing them between searches is safe.
 */
interface Prepared {
  model: Model<unknown>;
  initial: unknown;
  completion: Op | undefined;
  op: ModelOp | null;
}
const prepared = new WeakMap<Op, Prepared>();

function prepareOnce(model: Model<unknown>, initial: unknown, p: OpPairAt): ModelOp | null {
  const hit = prepared.get(p.invoke);
  if (hit && hit.model === model && hit.initial === initial && hit.completion === p.completion) return hit.op;
  const op = model.prepare(p.invoke, p.completion, initial);
  prepared.set(p.invoke, { model, initial, completion: p.completion, op });
  return op;
}

/** `reuse`: keep and reuse merged ops (for shrinking; a one-off check would only pay for the cache). */
export function compilePartition(model: Model<unknown>, initial: unknown, pairs: readonly OpPairAt[], reuse = false): CompiledPartition {
  // One pass, into arrays sized for every pair (a million-record history compiles ~450k pairs: no second pass,
  // no growing lists); cut to the ops kept when some pairs constrain nothing (unknown reads).
  const m = pairs.length;
  const ops: ModelOp[] = new Array<ModelOp>(m);
  const optional = new Uint8Array(m);
  const call = new Float64Array(m);
  const ret = new Float64Array(m);
  const pair = new Int32Array(m);
  let n = 0;
  for (let i = 0; i < m; i++) {
    const p = pairs[i];
    // `prepared` was made by the split for this same model and initial value (see splitHistory).
    const op = reuse ? prepareOnce(model, initial, p) : p.prepared !== undefined ? p.prepared : model.prepare(p.invoke, p.completion, initial);
    if (!op) continue;
    const ok = p.ok ?? p.completion?.type === 'ok';
    ops[n] = op;
    optional[n] = ok && !p.maybe ? 0 : 1;
    call[n] = p.invokePos;
    ret[n] = ok ? p.completePos : Infinity;
    pair[n] = i;
    n++;
  }
  if (n === m) return { n, ops, optional, call, ret, pair };
  ops.length = n;
  return { n, ops, optional: optional.slice(0, n), call: call.slice(0, n), ret: ret.slice(0, n), pair: pair.slice(0, n) };
}
