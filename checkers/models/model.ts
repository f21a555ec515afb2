/**
 * The contract between the linearizability search and a datatype model. The search never looks inside states
 * or ops: it asks the model to merge an invoke with its completion once (`prepare`), then to step states.
 */
import { InputError } from '../../histories/errors.js';
import type { Op } from '../../histories/op.js';

/** One operation as the model sees it: the invoke's arguments merged with the completion's observations. */
export interface ModelOp {
  /** Normalised op name (e.g. `get` becomes `read`). */
  f: string;
  /** Merged value in readable form (for messages, and for `step` when `arg` is absent). */
  value: unknown;
  /** True when the completion was `ok`, so outputs (read values) were observed; false for `info` or no reply. */
  known: boolean;
  /** Model-private precomputed step input (canonical strings etc.), filled by `prepare` so stepping is cheap. */
  arg?: unknown;
  /**
   * True when the op never changes any state it can step from (a read). The search uses it to take such ops
   * as soon as they fit, without trying alternatives; leave it unset when unsure.
   */
  readOnly?: boolean;
}

export interface Model<S> {
  name: string;
  /** Start state; `initial` is the user's `--initial` value (undefined when not given). */
  init(initial: unknown): S;
  /**
   * Merge an invoke with its completion (`ok`, `info`, or none when the history ended first). Returns null when
   * the op cannot constrain anything (a read whose result is unknown). Throws InputError for malformed values.
   * `initial` is the same value `init` gets: register models need it to read a nil read the way Knossos does.
   */
  prepare(invoke: Op, completion: Op | undefined, initial?: unknown): ModelOp | null;
  /** The state after `op`, or undefined when `op` is impossible in `state`. Must not mutate `state`. */
  step(state: S, op: ModelOp): S | undefined;
  /** An injective key for `state`: equal keys mean equal states (the memo table relies on it). */
  hash(state: S): string | number;
  describeOp(op: ModelOp): string;
  describeState(state: S): string;
  /**
   * False when one op may touch several keys (multi-register): then the history is checked as one piece.
   * Otherwise ops are split by `key` and each key is checked on its own.
   */
  splitByKey: boolean;
}

/** Where an op came from, for error messages. */
export function opWhere(op: Op): string {
  return `op ${op.index} (process ${String(op.process)}, ${op.f})`;
}

export function badInitial(model: string, what: string): InputError {
  return new InputError(`model ${model}: bad initial value: ${what}`);
}

export function badOp(model: string, op: Op, what: string): InputError {
  return new InputError(`model ${model}: ${opWhere(op)}: ${what}`);
}

/** The value an op carries: the invoke's, unless it left it out and the completion has one. */
export function invokeValue(invoke: Op, completion: Op | undefined): unknown {
  if (invoke.value !== undefined && invoke.value !== null) return invoke.value;
  return completion?.value ?? invoke.value;
}
