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
   * Optional knowledge that lets the search drop hopeless configurations early (see `Growth`). Sound only if
   * both functions are exact or err towards "yes".
   */
  growth?: Growth<S>;
  /**
   * For register models: each op as a plain read or write of one value. With it, a key whose writes all write
   * values of their own is decided by the zone test (see linear/zones.ts) before any search.
   */
  readWrite?: ReadWriteView<S>;
  /**
   * False when one op may touch several keys (multi-register): then the history is checked as one piece.
   * Otherwise ops are split by `key` and each key is checked on its own.
   */
  splitByKey: boolean;
}

/**
 * An order on states in which some ops only ever go up: appends to a string or list, adds to a set, adds of a
 * non-negative amount to a counter, and reads (which change nothing). When every op that could still take
 * effect before a pending read grows, the state when that read takes effect is at or above the current one;
 * if no state there fits the read, the configuration is dead and the search can drop it at once instead of
 * trying every order of the growing ops first. This is what keeps histories with many concurrent appends of
 * unique values (and ops that hang until the end) from exploding.
 */
export interface Growth<S> {
  /** True when `op` never moves any state down in the order (a read that fits leaves it as it is). */
  grows(op: ModelOp): boolean;
  /** False only when no sequence of growing ops takes `state` to one in which the read-only `read` fits. */
  canReach(state: S, read: ModelOp): boolean;
  /**
   * For an op that does not grow: the state it leaves, when that is the same whatever state it stepped from
   * (a write, a cas's new value); undefined otherwise. Such ops only restart the growth from a known state,
   * so the search can keep pruning while they are pending (a write that hangs until the end, say).
   */
  reset?(op: ModelOp): S | undefined;
}

/** A register model's ops and states as values (their canonical texts), for the zone test. */
export interface ReadWriteView<S> {
  /** The op as a read or a write of one value, or undefined for anything else (a cas, an append). */
  op(op: ModelOp): { write: boolean; value: string } | undefined;
  /** The value a state holds. */
  state(state: S): string;
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
