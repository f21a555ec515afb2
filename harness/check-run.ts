/**
 * The check phase: run the checkers the workload names (harness/workloads/) for what the configuration
 * promises, each guarded, and compose one verdict from the ones the promise enforces (false beats unknown
 * beats true). The run itself and `faultline check RUN` both come here, so a stored run is re-checked by
 * the same checkers that judged it.
 */
import { FINAL_READ } from '../histories/conventions.js';
import type { Op } from '../histories/op.js';
import type { RunConfig } from '../histories/run-record.js';
import type { CheckResult, Validity } from '../checkers/result.js';
import { compose, composeStream, type CheckContext, type ComposedPart } from '../checkers/checker.js';
import { availabilityChecker, availabilityDemanding } from '../checkers/availability.js';
import { capSummary } from '../checkers/cap.js';
import { workloadOf } from './workloads/index.js';

export interface RunCheck {
  results: CheckResult[];
  /** Checker names the verdict is composed from. */
  enforced: string[];
  valid: Validity;
  cap: ReturnType<typeof capSummary>;
}

export interface RunCheckOptions {
  promise: 'CP' | 'AP';
  /** Hold a CP run to convergence too: its replicas promise to end in the same state (see Target.agreeing). */
  agreement?: boolean;
  /** Budget for the linearizability search. */
  linearTimeoutMs?: number;
}

function partsOf(config: RunConfig, o: RunCheckOptions): { parts: ComposedPart[]; ctx: CheckContext } {
  const nodes = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
  // The workload names its checkers and which the promise enforces; availability is measured for every run,
  // and enforced when the run demands it (--availability).
  const avail = config.availability === undefined ? { checker: availabilityChecker, enforced: false } : { checker: availabilityDemanding(config.availability), enforced: true };
  const parts = [...workloadOf(config.workload).checkers(o.promise, { agreement: o.agreement === true }), avail];
  const ctx: CheckContext = {
    nodes,
    promise: o.promise,
    timeoutMs: o.linearTimeoutMs,
    ...(config.consistencyModels ? { consistencyModels: config.consistencyModels } : {}),
    ...(config.sequentialKeys ? { sequentialKeys: true } : {}),
    ...(config.linearizableKeys ? { linearizableKeys: true } : {}),
  };
  return { parts, ctx };
}

export async function checkRun(ops: Op[], config: RunConfig, o: RunCheckOptions): Promise<RunCheck> {
  const { parts, ctx } = partsOf(config, o);
  const { results, enforced, valid } = await compose(parts, ops, ctx);
  return finishCheck(ops, o, results, enforced, valid);
}

/**
 * The same check over a history that streams past once (a stored run's file): checkers that stream consume it
 * op by op, and the ops kept for the others (and returned, for statistics and the report) lose the long read
 * answers none of those others look at. `observers` see every op whole as it passes.
 */
export async function checkRunStream(
  source: AsyncIterable<Op> | Iterable<Op>,
  config: RunConfig,
  o: RunCheckOptions,
  observers: readonly { push(op: Op): void }[] = [],
): Promise<RunCheck & { ops: Op[] }> {
  const { parts, ctx } = partsOf(config, o);
  const { results, enforced, valid, ops } = await composeStream(parts, source, ctx, observers);
  return { ...finishCheck(ops, o, results, enforced, valid), ops };
}

function finishCheck(ops: readonly Op[], o: RunCheckOptions, results: CheckResult[], enforced: string[], composed: Validity): RunCheck {
  let valid = composed;
  // A run in which no client op succeeded tested nothing, whatever the checkers say of an empty history.
  const okClientOps = ops.filter((op) => typeof op.process === 'number' && op.type === 'ok' && op.f !== FINAL_READ).length;
  if (okClientOps === 0 && valid === true) valid = 'unknown';
  return { results, enforced, valid, cap: capSummary(results, { promise: o.promise }) };
}
