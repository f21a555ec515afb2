/**
 * The checker contract: a checker is a value, checkers compose, and each one runs guarded.
 *
 * How a new checker plugs in:
 * 1. Write a pure function over the history in `checkers/<name>.ts` (or a folder for a big one) that returns a
 *    `CheckResult` (result.ts): a three-valued `valid`, anomalies with one plain sentence each, free-form
 *    `stats`, and the typed `facts` it measured (lost, stale, phantoms, converged, ...). Fill facts rather
 *    than teaching cap.ts your checker's name: the CAP summary and the reports sum facts only.
 * 2. Export a `Checker` value beside it: `{ name, check(history, ctx) }`. `ctx` carries what the run knows
 *    (nodes, the promise, budgets); read options from it rather than from globals.
 * 3. Name it in the workload that needs it (harness/workloads/), with whether the promise enforces it.
 * Pictures (timelines, graphs) are returned as data in anomalies; renderers in harness/report/ draw them.
 *
 * `compose` runs a list of checkers one after another (not in parallel: the linearizability search already
 * uses every core) under `checkSafe`, so a checker that throws becomes `unknown` with the reason, and every
 * other verdict is kept, as Jepsen's check-safe does.
 */
import type { Op } from '../histories/op.js';
import { composeValidity, type CheckResult, type Validity } from './result.js';

export interface CheckContext {
  /** Every node of the cluster, n1..nN (for majority sizes and final-read agreement). */
  nodes: string[];
  /** What the configuration promises; checkers that judge differently under CP and AP read it. */
  promise: 'CP' | 'AP';
  /** Wall-clock budget for searches (the linearizability checker); past it the answer is `unknown`. */
  timeoutMs?: number;
  /** What a transactional history is held to (`run --consistency-models`); absent = the checker's own default. */
  consistencyModels?: readonly string[];
}

export interface Checker {
  /** The name results carry (`CheckResult.checker`), and workloads and reports refer to. */
  name: string;
  check(history: readonly Op[], ctx: CheckContext): CheckResult | Promise<CheckResult>;
  /**
   * The same check, fed one op at a time (a history streamed from its file, never held whole). A checker with
   * it can judge histories larger than memory; `check` stays the reference and must agree.
   */
  stream?(ctx: CheckContext): StreamingCheck;
  /**
   * False when the checker never looks at the values of client reads (final reads aside). A streamed history
   * whose other checkers all stream may then be handed to this one with those values dropped: whole-set reads
   * are what makes a set history large.
   */
  clientReadValues?: false;
}

/** A check that consumes a history op by op, in file order. */
export interface StreamingCheck {
  push(op: Op): void;
  finish(): CheckResult | Promise<CheckResult>;
}

/** One checker of a composition, and whether the composed verdict is held to it. */
export interface ComposedPart {
  checker: Checker;
  /** When false the checker reports (its anomalies and facts show) but does not decide the verdict. */
  enforced: boolean;
}

export interface ComposedResult {
  /** Every checker's result, in the order given. */
  results: CheckResult[];
  /** Names of the checkers the verdict is composed from. */
  enforced: string[];
  /** false beats unknown beats true, over the enforced results. */
  valid: Validity;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs one checker; a throw becomes an `unknown` result that says why. */
export async function checkSafe(checker: Checker, history: readonly Op[], ctx: CheckContext): Promise<CheckResult> {
  try {
    return await checker.check(history, ctx);
  } catch (e) {
    return {
      checker: checker.name,
      valid: 'unknown',
      anomalies: [],
      stats: {},
      reason: `the ${checker.name} checker failed: ${message(e)}`,
    };
  }
}

/** Runs every part guarded, and composes the verdict from the enforced ones. */
export async function compose(parts: readonly ComposedPart[], history: readonly Op[], ctx: CheckContext): Promise<ComposedResult> {
  const results: CheckResult[] = [];
  for (const p of parts) results.push(await checkSafe(p.checker, history, ctx));
  const enforced = parts.filter((p) => p.enforced).map((p) => p.checker.name);
  const valid = composeValidity(results.filter((_, i) => parts[i].enforced).map((r) => r.valid));
  return { results, enforced, valid };
}
