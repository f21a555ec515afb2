/**
 * The check phase: pick the checkers that fit the workload and what the configuration promises, run them
 * all, and compose one verdict from the ones the configuration is held to (false beats unknown beats true).
 */
import type { Op } from '../histories/op.js';
import type { RunConfig } from '../histories/run-record.js';
import { workloadFamily } from './target.js';
import { echoChecker } from '../checkers/echo.js';
import { counterChecker } from '../checkers/counter.js';
import { uniqueIdsChecker } from '../checkers/unique-ids.js';
import type { Validity, CheckResult } from '../checkers/result.js';
import { compose, type ComposedPart } from '../checkers/checker.js';
import { linearizableChecker } from '../checkers/linear/index.js';
import { convergenceChecker } from '../checkers/convergence.js';
import { setChecker } from '../checkers/set.js';
import { registerAnomaliesChecker } from '../checkers/register-anomalies.js';
import { availabilityChecker } from '../checkers/availability.js';
import { capSummary } from '../checkers/cap.js';
import { kafkaChecker } from '../checkers/kafka/index.js';

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
  const cp = o.promise === 'CP';
  const nodes = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
  const parts: ComposedPart[] = [];
  const family = workloadFamily(config.workload);
  switch (family) {
    case 'counter':
      // The counter checker judges the final reads itself: the convergence checker knows registers and sets.
      parts.push({ checker: counterChecker, enforced: true });
      break;
    case 'unique-ids':
      parts.push({ checker: uniqueIdsChecker, enforced: true });
      break;
    case 'echo':
      parts.push({ checker: echoChecker, enforced: true });
      break;
    case 'set':
      parts.push({ checker: setChecker, enforced: true });
      break;
    case 'kafka':
      parts.push({ checker: kafkaChecker, enforced: true });
      break;
    case 'register':
      parts.push({ checker: linearizableChecker('cas-register', null), enforced: cp });
      // Lost and phantom writes break an AP promise too; a CP run is already judged by linearizability.
      parts.push({ checker: registerAnomaliesChecker, enforced: !cp });
      break;
  }
  if (family === 'register' || family === 'set') parts.push({ checker: convergenceChecker, enforced: !cp || o.agreement === true });
  parts.push({ checker: availabilityChecker, enforced: false });

  const { results, enforced, valid: composed } = await compose(parts, ops, { nodes, promise: o.promise, timeoutMs: o.linearTimeoutMs });
  let valid = composed;
  // A run in which no client op succeeded tested nothing, whatever the checkers say of an empty history.
  const okClientOps = ops.filter((op) => typeof op.process === 'number' && op.type === 'ok' && op.f !== 'final-read').length;
  if (okClientOps === 0 && valid === true) valid = 'unknown';
  return { results, enforced, valid, cap: capSummary(results, { promise: o.promise }) };
}
