/**
 * Pairing invocations with their completions, defined once for every reader of a history (the linearizability
 * split, the AP-side checkers' records, the plain views).
 *
 * Client processes (numbers) are sequential: each must alternate invoke and completion, and breaking that is bad
 * input. A completion of any type closes the op (`ok`, `fail`, `info`); an op the history ends before completing
 * stays open, its completion absent and its completion position Infinity (as good as `info`). The nemesis is
 * never paired: its events stand alone. What else is paired is up to the caller's rules, because readers differ
 * on purpose: the search ignores final reads, the AP checkers need them and the harness' named actors too.
 */
import { FINAL_READ } from './conventions.js';
import { InputError } from './errors.js';
import { NEMESIS, type Op } from './op.js';

/** One op: its invoke and (unless the history ended first) its completion, with their positions in the array. */
export interface OpPair {
  invoke: Op;
  /** Absent when the history ends before the op completed (as good as `info`). */
  completion?: Op;
  /** Position of the invoke in the ops array. */
  invokePos: number;
  /** Position of the completion; Infinity while pending. */
  completePos: number;
}

export interface PairingRules {
  /**
   * Pair the harness' named actors (a process that is a string other than the nemesis) too. A named actor may
   * have several ops open at once (one per node, key, f and round), and a completion of one with no open
   * invoke is a bare event, not an error. Off: every non-numeric process is skipped.
   */
  namedActors?: boolean;
  /** Leave out final reads (`f` = final-read), whatever their process. */
  skipFinalReads?: boolean;
  /** A completion must name the `f` its invoke named. */
  sameF?: boolean;
}

/** The two ways a client process breaks the pairing, worded the same wherever they are found. */
export function invokedTwiceError(op: Op, prior: Op): InputError {
  return new InputError(
    `process ${String(op.process)} invoked op ${op.index} while its op ${prior.index} had not completed (${prior.f}, then ${op.f})`,
    op.index + 1,
  );
}

export function orphanCompletionError(op: Op): InputError {
  return new InputError(`op ${op.index}: process ${String(op.process)} completed ${op.f} (${op.type}) without invoking it`, op.index + 1);
}

/** Client processes below this index an array in PairingStream. */
const SMALL = 1 << 16;

/** Several ops of one named actor may be open at once; they are told apart by what they are about. */
function actorKey(op: Op): string {
  const round = (op as { round?: unknown }).round;
  return JSON.stringify([op.process, op.f, op.key ?? null, op.node ?? null, round ?? null]);
}

function plainPair(invoke: Op, pos: number): OpPair {
  return { invoke, invokePos: pos, completePos: Infinity };
}

/**
 * Pairing one op at a time, for readers that stream a history and never hold it whole. `push` returns the
 * record an invoke opened or a completion closed (the same object, completion set), or undefined for an op the
 * rules skip or a named actor's bare completion; `open` lists the ops still waiting for their completion.
 */
export class PairingStream<T extends OpPair = OpPair> {
  // Numbers and actor keys apart: the numeric one is the hot path of a million-op history. Small non-negative
  // integer processes (nearly all of them) index an array, which costs a fraction of a Map's get/set/delete.
  private readonly openSmall: (T | undefined)[] = [];
  private readonly openNum = new Map<number, T>();
  private readonly openNamed = new Map<string, T>();
  private readonly namedActors: boolean;
  private readonly skipFinalReads: boolean;
  private readonly sameF: boolean;

  constructor(
    rules: PairingRules = {},
    private readonly make: (invoke: Op, pos: number) => T = plainPair as (invoke: Op, pos: number) => T,
  ) {
    this.namedActors = rules.namedActors ?? false;
    this.skipFinalReads = rules.skipFinalReads ?? false;
    this.sameF = rules.sameF ?? false;
  }

  push(op: Op, pos: number): T | undefined {
    const p = op.process;
    const numeric = typeof p === 'number';
    if (!numeric && (!this.namedActors || p === NEMESIS)) return undefined;
    if (this.skipFinalReads && op.f === FINAL_READ) return undefined;
    const small = numeric && p >= 0 && p < SMALL && (p | 0) === p;
    const k = numeric ? '' : actorKey(op);
    const rec = small ? this.openSmall[p] : numeric ? this.openNum.get(p) : this.openNamed.get(k);
    if (op.type === 'invoke') {
      if (rec) throw invokedTwiceError(op, rec.invoke);
      const fresh = this.make(op, pos);
      if (small) {
        // Grow by hand so the array never has holes (holes make it slow for V8).
        while (this.openSmall.length <= p) this.openSmall.push(undefined);
        this.openSmall[p] = fresh;
      } else if (numeric) this.openNum.set(p, fresh);
      else this.openNamed.set(k, fresh);
      return fresh;
    }
    if (!rec) {
      if (numeric) throw orphanCompletionError(op);
      return undefined;
    }
    if (this.sameF && rec.invoke.f !== op.f) {
      throw new InputError(
        `op ${op.index}: process ${String(p)} completed f=${op.f} but had invoked f=${rec.invoke.f} (op ${rec.invoke.index})`,
        op.index + 1,
      );
    }
    rec.completion = op;
    rec.completePos = pos;
    if (small) this.openSmall[p] = undefined;
    else if (numeric) this.openNum.delete(p);
    else this.openNamed.delete(k);
    return rec;
  }

  /** The ops still open (the history ended before they completed): client processes' in invoke order, then named actors'. */
  open(): T[] {
    const numeric = [...this.openSmall.filter((r): r is T => r !== undefined), ...this.openNum.values()].sort((a, b) => a.invokePos - b.invokePos);
    return [...numeric, ...this.openNamed.values()];
  }
}

/**
 * Pair every invoke with its completion, in invoke order. `make` builds the record for an invoke (callers that
 * carry more fields build them in one object); the completion and its position are then set on it here.
 */
export function pairOps(ops: readonly Op[], rules?: PairingRules): OpPair[];
export function pairOps<T extends OpPair>(ops: readonly Op[], rules: PairingRules, make: (invoke: Op, pos: number) => T): T[];
export function pairOps<T extends OpPair>(
  ops: readonly Op[],
  rules: PairingRules = {},
  make: (invoke: Op, pos: number) => T = plainPair as (invoke: Op, pos: number) => T,
): T[] {
  const stream = new PairingStream<T>(rules, make);
  const out: T[] = [];
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos];
    const rec = stream.push(op, pos);
    if (rec && op.type === 'invoke') out.push(rec);
  }
  return out;
}
