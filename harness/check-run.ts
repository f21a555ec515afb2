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
import { compose } from '../checkers/checker.js';
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

export async function checkRun(ops: Op[], config: RunConfig, o: RunCheckOptions): Promise<RunCheck> {
  const nodes = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
  // The workload names its checkers and which the promise enforces; availability is measured for every run,
  // and enforced when the run demands it (--availability).
  const avail = config.availability === undefined ? { checker: availabilityChecker, enforced: false } : { checker: availabilityDemanding(config.availability), enforced: true };
  const parts = [...workloadOf(config.workload).checkers(o.promise, { agreement: o.agreement === true }), avail];
  const { results, enforced, valid: composed } = await compose(parts, ops, {
    nodes,
    promise: o.promise,
    timeoutMs: o.linearTimeoutMs,
    ...(config.consistencyModels ? { consistencyModels: config.consistencyModels } : {}),
  });
  let valid = composed;
  // A run in which no client op succeeded tested nothing, whatever the checkers say of an empty history.
  const okClientOps = ops.filter((op) => typeof op.process === 'number' && op.type === 'ok' && op.f !== FINAL_READ).length;
  if (okClientOps === 0 && valid === true) valid = 'unknown';
  return { results, enforced, valid, cap: capSummary(results, { promise: o.promise }) };
}
