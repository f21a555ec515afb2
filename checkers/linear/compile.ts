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
  const ops: ModelOp[] = [];
  const idx: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    const op = reuse ? prepareOnce(model, initial, p) : model.prepare(p.invoke, p.completion, initial);
    if (op) {
      ops.push(op);
      idx.push(i);
    }
  }
  const n = ops.length;
  const out: CompiledPartition = {
    n,
    ops,
    optional: new Uint8Array(n),
    call: new Float64Array(n),
    ret: new Float64Array(n),
    pair: Int32Array.from(idx),
  };
  for (let j = 0; j < n; j++) {
    const p = pairs[idx[j]];
    const ok = p.completion?.type === 'ok';
    out.optional[j] = ok && !p.maybe ? 0 : 1;
    out.call[j] = p.invokePos;
    out.ret[j] = ok ? p.completePos : Infinity;
  }
  return out;
}
