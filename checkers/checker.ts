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
  /** rw-register: what the run's promise lets the checker assume of each key (`run --sequential-keys`, `--linearizable-keys`). */
  sequentialKeys?: boolean;
  linearizableKeys?: boolean;
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

/** A client read's answer longer than this is dropped from the ops kept for checkers that never look at it. */
const KEPT_READ_VALUE = 64;

/** A client read's answer, if long, replaced by its length (`valueElided`): what is kept of it for checkers that never read it. */
export function elideReadValue(op: Op): Op {
  const v = op.value;
  if (op.type === 'invoke' || op.f !== 'read' || typeof op.process !== 'number' || !Array.isArray(v) || v.length <= KEPT_READ_VALUE) return op;
  return { ...op, value: null, valueElided: v.length };
}

/**
 * `compose` over a history that streams past once: checkers that stream consume each op as it comes; the
 * others get the ops afterwards. When every one of those others declares `clientReadValues: false`, long
 * client-read answers are dropped from what is kept (marked `valueElided` with their length), so a history of
 * whole-set reads is never held whole. The kept ops are returned for what the caller does next (statistics,
 * the report). A streaming checker that throws on an op stops consuming and becomes `unknown`, as in checkSafe.
 */
export async function composeStream(
  parts: readonly ComposedPart[],
  source: AsyncIterable<Op> | Iterable<Op>,
  ctx: CheckContext,
  observers: readonly { push(op: Op): void }[] = [],
): Promise<ComposedResult & { ops: Op[] }> {
  const sinks = parts.map((p) => (p.checker.stream ? { check: p.checker.stream(ctx), error: undefined as unknown } : undefined));
  const elide = parts.every((p, i) => sinks[i] !== undefined || p.checker.clientReadValues === false);
  const ops: Op[] = [];
  for await (const op of source) {
    for (const s of sinks) {
      if (s === undefined || s.error !== undefined) continue;
      try {
        s.check.push(op);
      } catch (e) {
        s.error = e ?? new Error('failed');
      }
    }
    for (const o of observers) o.push(op);
    ops.push(elide ? elideReadValue(op) : op);
  }
  const results: CheckResult[] = [];
  for (let i = 0; i < parts.length; i++) {
    const s = sinks[i];
    const checker = parts[i].checker;
    if (s === undefined) {
      results.push(await checkSafe(checker, ops, ctx));
      continue;
    }
    results.push(
      await checkSafe(
        {
          name: checker.name,
          check: () => {
            if (s.error !== undefined) throw s.error;
            return s.check.finish();
          },
        },
        ops,
        ctx,
      ),
    );
  }
  const enforced = parts.filter((p) => p.enforced).map((p) => p.checker.name);
  const valid = composeValidity(results.filter((_, i) => parts[i].enforced).map((r) => r.valid));
  return { results, enforced, valid, ops };
}

/** Runs every part guarded, and composes the verdict from the enforced ones. */
export async function compose(parts: readonly ComposedPart[], history: readonly Op[], ctx: CheckContext): Promise<ComposedResult> {
  const results: CheckResult[] = [];
  for (const p of parts) results.push(await checkSafe(p.checker, history, ctx));
  const enforced = parts.filter((p) => p.enforced).map((p) => p.checker.name);
  const valid = composeValidity(results.filter((_, i) => parts[i].enforced).map((r) => r.valid));
  return { results, enforced, valid };
}
