/**
 * The shape most non-linearizable register histories have, found without a search: a read returned a value that
 * had already been overwritten. For a read r there is an op X that certainly took effect (ok), left a state in
 * which r does not fit, completed before r began, and began only after every op that could have left a state
 * where r fits had completed. Then in every linearization, whatever the other ops of the key did, the last op
 * before r that changed the state is X or one after it, and none of those leaves a state r fits: {r, X} is not
 * linearizable together with any selection of the other ops (every op that could rescue r is forced before X).
 *
 * The robust shrink (shrink.ts) looks for such sets with searches in which every other op is free to happen or
 * not, and those searches seldom end within the explanation's budget; this needs only the model's `readOnly`,
 * `growth.reset` and `step`, so it applies to models whose state-changing ops each leave a known state
 * (register, cas-register), and finds nothing for any other.
 */
import type { Model, ModelOp } from '../models/model.js';
import type { OpPairAt } from './split.js';

/** Reads tried, nearest the blocked op first: one witness is enough. */
const READS_TRIED = 200;
/** Ops looked at over all tries, at most: the search it explains stays the larger cost on any key. */
const WORK = 2_000_000;

export interface Overwritten {
  /** Indices into the pairs: the read, the op that overwrote, and every op that could have made the read fit. */
  read: number;
  overwriter: number;
  sources: number[];
}

/**
 * A witness among `pairs` (one whole key, in invoke order: a source may be invoked after the search stopped),
 * trying reads invoked before `cut`, nearest `near` first; undefined when there is none.
 */
export function findOverwrittenRead<S>(model: Model<S>, initial: unknown, pairs: readonly OpPairAt[], near: number, cut: number): Overwritten | undefined {
  const reset = model.growth?.reset;
  if (!reset) return undefined;
  const ops: (ModelOp | null | undefined)[] = new Array<ModelOp | null | undefined>(pairs.length);
  const left: (S | undefined)[] = new Array<S | undefined>(pairs.length);
  let refused = false;
  const opAt = (i: number): ModelOp | null => {
    let op = ops[i];
    if (op === undefined) {
      try {
        op = model.prepare(pairs[i].invoke, pairs[i].completion, initial);
      } catch {
        // An op the model refuses: nothing sound can be said (the search reports it).
        op = null;
        refused = true;
      }
      ops[i] = op;
      if (op && !op.readOnly) {
        left[i] = reset(op);
        // A state-changing op whose resulting state is unknown: nothing can be said of what came after it.
        if (left[i] === undefined) refused = true;
      }
    }
    return op;
  };
  const reads: number[] = [];
  for (let i = 0; i < pairs.length && pairs[i].invokePos < cut; i++) if (pairs[i].completion?.type === 'ok') reads.push(i);
  reads.sort((a, b) => Math.abs(a - near) - Math.abs(b - near) || a - b);
  let work = 0;
  for (const r of reads.slice(0, READS_TRIED)) {
    const op = opAt(r);
    if (refused) return undefined;
    if (!op?.readOnly || !op.known) continue;
    const w = witnessFor(model, opAt, left, pairs, r);
    if (refused) return undefined;
    if (w) return w;
    work += pairs.length;
    if (work > WORK) return undefined;
  }
  return undefined;
}

function witnessFor<S>(model: Model<S>, opAt: (i: number) => ModelOp | null, left: readonly (S | undefined)[], pairs: readonly OpPairAt[], r: number): Overwritten | undefined {
  const read = opAt(r)!;
  const rp = pairs[r];
  const sources: number[] = [];
  let lastSourceDone = -Infinity;
  // In invoke order: past the read's completion no op can take effect before it.
  for (let i = 0; i < pairs.length && pairs[i].invokePos < rp.completePos; i++) {
    const op = opAt(i);
    if (i === r || !op || op.readOnly || left[i] === undefined) continue;
    if (model.step(left[i]!, read) === undefined) continue;
    sources.push(i);
    // A source that never completed (info, unanswered) may take effect at any time after its invoke.
    lastSourceDone = Math.max(lastSourceDone, pairs[i].completion?.type === 'ok' ? pairs[i].completePos : Infinity);
  }
  if (lastSourceDone === Infinity) return undefined;
  const isSource = new Set(sources);
  // The overwriter: certainly took effect, leaves no state the read fits, began after every source completed and
  // completed before the read began. The latest such is the one a person would look for first.
  let best = -1;
  for (let i = 0; i < pairs.length && pairs[i].invokePos < rp.invokePos; i++) {
    const p = pairs[i];
    const op = opAt(i);
    if (isSource.has(i) || !op || op.readOnly || p.maybe || p.completion?.type !== 'ok') continue;
    if (!(p.invokePos > lastSourceDone && p.completePos < rp.invokePos)) continue;
    // A plain write reads more simply than a cas, which also needs a state to take effect from (a preference only).
    const rank = (j: number): number => (opAt(j)!.f === 'write' ? 1 : 0);
    if (best < 0 || rank(i) > rank(best) || (rank(i) === rank(best) && p.completePos > pairs[best].completePos)) best = i;
  }
  return best < 0 ? undefined : { read: r, overwriter: best, sources };
}
