/**
 * Counter checker (Maelstrom's g-counter and pn-counter; Jepsen's counter checker extended to negative
 * deltas). An `add` carries its delta as the op's value; a `read` returns the count.
 *
 * A read must fall between two bounds. The lower bound counts every add that completed ok before the read
 * began, plus every negative delta that might have taken effect by the time the read ended (added, not
 * failed, before its completion); the upper bound counts the same definite adds plus every positive delta
 * that might have. Each bound comes to two prefix sums over the history in file order, so the check is
 * linear in the history.
 *
 * Final reads (after the heal) must agree across nodes and fall between the sum of the acknowledged adds
 * and the sum with every uncertain add counted as well. Maelstrom's counters are eventually consistent, so a
 * node may lag behind the bounds while partitioned: reads during the run are reported when they break the
 * bounds, and only the final state decides (`strictReads` makes every read count, for a linearizable counter).
 */
import { canon } from '../histories/canon.js';
import { finalReads } from './final-reads.js';
import { isClientRecord, pairOps, type OpRecord } from './op-records.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker } from './checker.js';
import type { Op } from '../histories/op.js';

function delta(r: OpRecord): number | undefined {
  const v = r.invoke.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface CounterOptions {
  /** Report out-of-bounds reads during the run as failures too (a linearizable counter). Default false. */
  strictReads?: boolean;
}

export function checkCounter(ops: readonly Op[], opts: CounterOptions = {}): CheckResult {
  const records = pairOps(ops);
  const adds = records.filter((r) => isClientRecord(r) && r.f === 'add');
  const reads = records.filter((r) => isClientRecord(r) && r.f === 'read' && r.outcome === 'ok');
  const bad = adds.filter((r) => delta(r) === undefined);
  if (bad.length > 0) {
    return {
      checker: 'counter',
      valid: 'unknown',
      anomalies: [],
      stats: { adds: adds.length },
      reason: `${bad.length} add op(s) carry no numeric delta (first: op ${bad[0].invoke.index}, value ${canon(bad[0].invoke.value)})`,
    };
  }

  // Running sums over the history in file order, as prefix arrays: entry p sums the events before position p.
  // Acknowledged adds count at their completion, possible ones (any add that did not fail) at their invoke;
  // positive and negative deltas apart, since each bound takes one side of the uncertain ones.
  const n = ops.length + 1;
  const okPos = new Float64Array(n);
  const okNeg = new Float64Array(n);
  const maybePos = new Float64Array(n);
  const maybeNeg = new Float64Array(n);
  for (const a of adds) {
    const d = delta(a)!;
    if (a.outcome !== 'fail') (d >= 0 ? maybePos : maybeNeg)[a.invokePos + 1] += d;
    if (a.outcome === 'ok') (d >= 0 ? okPos : okNeg)[a.completePos + 1] += d;
  }
  for (let p = 1; p < n; p++) {
    okPos[p] += okPos[p - 1];
    okNeg[p] += okNeg[p - 1];
    maybePos[p] += maybePos[p - 1];
    maybeNeg[p] += maybeNeg[p - 1];
  }

  const anomalies: Anomaly[] = [];
  let outOfBounds = 0;
  let nonNumeric = 0;
  for (const r of reads) {
    const v = r.completion?.value;
    if (typeof v !== 'number') {
      nonNumeric++;
      if (anomalies.length < 20) anomalies.push({ kind: 'bad-read', op: r.invoke.index, message: `p${r.process}'s read returned ${canon(v)}, not a number` });
      continue;
    }
    // Certain: acknowledged before the read began. Possible: invoked (not failed) before it ended, which
    // includes the certain ones; so each bound is the certain sum plus the possible deltas of one sign
    // that were not certain, which comes to one prefix of each kind.
    const lower = okPos[r.invokePos] + maybeNeg[r.completePos];
    const upper = okNeg[r.invokePos] + maybePos[r.completePos];
    if (v < lower || v > upper) {
      outOfBounds++;
      if (anomalies.length < 20) {
        anomalies.push({
          kind: 'counter-read-out-of-bounds',
          op: r.invoke.index,
          node: r.node,
          value: v,
          lower,
          upper,
          message: `p${r.process}'s read${r.node ? ` on ${r.node}` : ''} returned ${v}, but the counter could only be between ${lower} and ${upper} then`,
        });
      }
    }
  }

  // Final state: every node's last successful final read.
  const okSum = adds.filter((a) => a.outcome === 'ok').reduce((t, a) => t + delta(a)!, 0);
  const uncertain = adds.filter((a) => a.outcome === 'info' || a.outcome === 'pending');
  const finalLower = okSum + uncertain.reduce((t, a) => t + Math.min(0, delta(a)!), 0);
  const finalUpper = okSum + uncertain.reduce((t, a) => t + Math.max(0, delta(a)!), 0);
  const finals = new Map<string, { round: number; value: unknown }>();
  for (const fr of finalReads(records)) {
    if (!fr.ok) continue;
    const prev = finals.get(fr.node);
    if (!prev || fr.round >= prev.round) finals.set(fr.node, { round: fr.round, value: fr.value });
  }
  const finalValues = [...finals.entries()];
  const distinct = new Set(finalValues.map(([, f]) => canon(f.value)));
  let finalProblem = false;
  if (distinct.size > 1) {
    finalProblem = true;
    anomalies.unshift({
      kind: 'divergent',
      nodes: Object.fromEntries(finalValues.map(([n, f]) => [n, f.value])),
      message: `after the heal the nodes never agreed: ${finalValues.map(([n, f]) => `${n} read ${canon(f.value)}`).join(', ')}`,
    });
  }
  for (const [node, f] of finalValues) {
    const v = f.value;
    if (typeof v !== 'number' || v < finalLower || v > finalUpper) {
      finalProblem = true;
      anomalies.unshift({
        kind: v !== null && typeof v === 'number' && v < finalLower ? 'lost-increments' : 'final-out-of-bounds',
        node,
        value: v,
        lower: finalLower,
        upper: finalUpper,
        message: `${node}'s final count is ${canon(v)}, but the acknowledged adds sum to ${okSum}${finalLower !== finalUpper ? ` (between ${finalLower} and ${finalUpper} with the uncertain ones)` : ''}`,
      });
      break;
    }
  }

  const noFinals = finalValues.length === 0;
  const valid = finalProblem || (opts.strictReads && (outOfBounds > 0 || nonNumeric > 0)) ? false : noFinals && reads.length === 0 ? 'unknown' : true;
  return {
    checker: 'counter',
    valid,
    anomalies,
    stats: {
      adds: adds.length,
      okAdds: adds.filter((a) => a.outcome === 'ok').length,
      uncertainAdds: uncertain.length,
      acknowledgedSum: okSum,
      finalBounds: [finalLower, finalUpper],
      finalValues: Object.fromEntries(finalValues.map(([n, f]) => [n, f.value])),
      reads: reads.length,
      readsOutOfBounds: outOfBounds,
    },
    // A read outside what the adds allow is the counter's stale read; disagreeing final reads, its divergence.
    facts: {
      staleReads: outOfBounds,
      ...(valid === false ? { consistent: false } : {}),
      ...(valid !== 'unknown' ? { converged: !anomalies.some((a) => a.kind === 'divergent') } : {}),
    },
    ...(valid === 'unknown' ? { reason: 'no reads and no final reads: nothing to compare the adds with' } : {}),
  };
}

/** Under a CP promise every read must fall within the bounds; under AP only the final state decides. */
export const counterChecker: Checker = { name: 'counter', check: (h, ctx) => checkCounter(h, { strictReads: ctx.promise === 'CP' }) };
