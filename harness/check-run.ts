/**
 * The check phase: pick the checkers that fit the workload and what the configuration promises, run them
 * all, and compose one verdict from the ones the configuration is held to (false beats unknown beats true).
 */
import type { Op } from '../histories/op.js';
import type { RunConfig } from '../histories/run-record.js';
import { workloadFamily } from './target.js';
import { checkEcho } from '../checkers/echo.js';
import { checkCounter } from '../checkers/counter.js';
import { checkUniqueIds } from '../checkers/unique-ids.js';
import { composeValidity, type CheckResult, type Validity } from '../checkers/result.js';
import { checkLinearizable } from '../checkers/linear/index.js';
import { checkConvergence } from '../checkers/convergence.js';
import { checkSet } from '../checkers/set.js';
import { checkRegisterAnomalies } from '../checkers/register-anomalies.js';
import { availability } from '../checkers/availability.js';
import { capSummary } from '../checkers/cap.js';

export interface RunCheck {
  results: CheckResult[];
  /** Checker names the verdict is composed from. */
  enforced: string[];
  valid: Validity;
  cap: ReturnType<typeof capSummary>;
}

export interface RunCheckOptions {
  promise: 'CP' | 'AP';
  /** Budget for the linearizability search. */
  linearTimeoutMs?: number;
}

export async function checkRun(ops: Op[], config: RunConfig, o: RunCheckOptions): Promise<RunCheck> {
  const results: CheckResult[] = [];
  const enforced: string[] = [];
  const cp = o.promise === 'CP';
  const nodes = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);

  const family = workloadFamily(config.workload);
  switch (family) {
    case 'counter':
      // The counter checker judges the final reads itself: the convergence checker knows registers and sets.
      results.push(checkCounter(ops, { strictReads: cp }));
      break;
    case 'unique-ids':
      results.push(checkUniqueIds(ops));
      break;
    case 'echo':
      results.push(checkEcho(ops));
      break;
    case 'set':
      results.push(checkSet(ops, { linearizable: cp }));
      break;
    case 'register':
      results.push(
        await checkLinearizable(ops, { model: 'cas-register', initial: null, timeoutMs: o.linearTimeoutMs ?? 120_000 }),
      );
      if (cp) enforced.push('linearizable');
      results.push(checkRegisterAnomalies(ops));
      // Lost and phantom writes break an AP promise too; a CP run is already judged by linearizability.
      if (!cp) enforced.push('register-anomalies');
      break;
  }
  // Every other family's own checker is its verdict.
  if (family !== 'register') enforced.push(results[0].checker);
  if (family === 'register' || family === 'set') {
    results.push(checkConvergence(ops, { nodes }));
    if (!cp) enforced.push('convergence');
  }
  results.push(availability(ops, { nodes }));

  let valid = composeValidity(results.filter((r) => enforced.includes(r.checker)).map((r) => r.valid));
  // A run in which no client op succeeded tested nothing, whatever the checkers say of an empty history.
  const okClientOps = ops.filter((op) => typeof op.process === 'number' && op.type === 'ok' && op.f !== 'final-read').length;
  if (okClientOps === 0 && valid === true) valid = 'unknown';
  return { results, enforced, valid, cap: capSummary(results, { promise: o.promise }) };
}
