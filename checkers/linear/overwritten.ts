/**
 * The shape most non-linearizable register histories have, found without a search: an op saw a value that had
 * already been overwritten. For an ok op r whose outcome depends on the state (a read, a successful cas) there is
 * an op X that certainly took effect (ok), after which the state is one r does not fit, that completed before r
 * began and began only after every op that could have left a state where r fits had completed. Then in every
 * linearization, whatever the other ops of the key did, the last op before r that changed the state is X, or one
 * after X's point, or (when X is a read) one before it that left the state X saw; none of those leaves a state r
 * fits: {r, X} is not linearizable together with any selection of the other ops (every op that could rescue r
 * is forced before X).
 *
 * X is first looked for among the ops that change the state (a write or cas that overwrote the value: the
 * simplest story), and only then among reads, whose every possible state is one r does not fit (a read of
 * another value, taken between the last write r could have seen and r itself).
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
  /**
   * Indices into the pairs: the op that saw an overwritten value (a read, or a cas that succeeded on it), the op
   * that overwrote it or showed it overwritten, and every op that could have made the read fit.
   */
  read: number;
  overwriter: number;
  sources: number[];
  /** When the overwriter is a read: every state it could have seen (none of them one the read fits). */
  seen?: unknown[];
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
  const ctx: WitnessContext<S> = { model, pairs, opAt, left, states: undefined, work: 0, init: model.init(initial) };
  const reads: number[] = [];
  for (let i = 0; i < pairs.length && pairs[i].invokePos < cut; i++) if (pairs[i].completion?.type === 'ok') reads.push(i);
  reads.sort((a, b) => Math.abs(a - near) - Math.abs(b - near) || a - b);
  const tried = reads.slice(0, READS_TRIED);
  // First reads overwritten by a write or cas; then, where none is, any op that needed a state (a cas too) and
  // overwriters that only showed the state (a read of another value).
  for (const wide of [false, true]) {
    for (const r of tried) {
      const op = opAt(r);
      if (refused) return undefined;
      if (!op?.known || (!wide && !op.readOnly)) continue;
      const w = witnessFor(ctx, r, wide);
      if (refused || w === null) return undefined;
      if (w) return w;
      ctx.work += pairs.length;
      if (ctx.work > WORK) return undefined;
    }
  }
  return undefined;
}

interface WitnessContext<S> {
  model: Model<S>;
  pairs: readonly OpPairAt[];
  opAt: (i: number) => ModelOp | null;
  left: readonly (S | undefined)[];
  /** Every state the key can be in: the start state and each state-changing op's (made on first need). */
  states: S[] | undefined;
  work: number;
  init: S;
}

/** The start state and every state an op of the key leaves, once each; null when one leaves a state not known. */
function possibleStates<S>(ctx: WitnessContext<S>): S[] | null {
  if (ctx.states) return ctx.states;
  const seen = new Set<string | number>([ctx.model.hash(ctx.init)]);
  const out: S[] = [ctx.init];
  for (let i = 0; i < ctx.pairs.length; i++) {
    const op = ctx.opAt(i);
    // No op (a read with an unknown result) changes nothing; a refused one is caught by the caller.
    if (!op || op.readOnly) continue;
    const s = ctx.left[i];
    if (s === undefined) return null;
    const h = ctx.model.hash(s);
    if (!seen.has(h)) {
      seen.add(h);
      out.push(s);
    }
  }
  ctx.work += ctx.pairs.length;
  return (ctx.states = out);
}

/**
 * A witness for op r, or undefined; null when the key has an op the model refuses. `wide` also takes reads as
 * overwriters (a read shows the state at its point as surely as a write sets it).
 */
function witnessFor<S>(ctx: WitnessContext<S>, r: number, wide: boolean): Overwritten | undefined | null {
  const { model, pairs, opAt, left } = ctx;
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
  // The overwriter: certainly took effect, leaves (or found) no state the read fits, began after every source
  // completed and completed before the read began. A plain write reads more simply than a cas, which also needs a
  // state to take effect from, and either more simply than a read that only shows the value was gone; among
  // equals the latest is the one a person would look for first.
  const rank = (j: number): number => (opAt(j)!.readOnly ? -1 : opAt(j)!.f === 'write' ? 1 : 0);
  let best = -1;
  let bestSeen: S[] | undefined;
  for (let i = 0; i < pairs.length && pairs[i].invokePos < rp.invokePos; i++) {
    const p = pairs[i];
    const op = opAt(i);
    if (i === r || isSource.has(i) || !op || p.maybe || p.completion?.type !== 'ok') continue;
    if (!(p.invokePos > lastSourceDone && p.completePos < rp.invokePos)) continue;
    if (best >= 0 && (rank(i) < rank(best) || (rank(i) === rank(best) && p.completePos < pairs[best].completePos))) continue;
    let seen: S[] | undefined;
    if (op.readOnly) {
      if (!wide || !op.known) continue;
      const all = possibleStates(ctx);
      if (all === null) return null;
      ctx.work += all.length;
      // Every state this read could have seen must be one the other read does not fit (and there must be one:
      // a read that fits no state at all is a different failure).
      seen = all.filter((s) => model.step(s, op) !== undefined);
      if (seen.length === 0 || seen.some((s) => model.step(s, read) !== undefined)) continue;
    }
    best = i;
    bestSeen = seen;
  }
  if (best < 0) return undefined;
  return bestSeen ? { read: r, overwriter: best, sources, seen: bestSeen } : { read: r, overwriter: best, sources };
}
