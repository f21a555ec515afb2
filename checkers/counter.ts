/**
 * Counter checker (Maelstrom's g-counter and pn-counter; Jepsen's counter checker extended to negative
 * deltas). An `add` carries its delta as the op's value; a `read` returns the count.
 *
 * A read must fall between two bounds. The lower bound counts every add that completed ok before the read
 * began, plus every negative delta that might have taken effect by the time the read ended (added, not
 * failed, before its completion); the upper bound counts the same definite adds plus every positive delta
 * that might have. Each bound is a difference of running sums over the history in file order, so the check
 * is one pass.
 *
 * Final reads (after the heal) must agree across nodes and fall between the sum of the acknowledged adds
 * and the sum with every uncertain add counted as well. Maelstrom's counters are eventually consistent, so a
 * node may lag behind the bounds while partitioned: reads during the run are reported when they break the
 * bounds, and only the final state decides (`strictReads` makes every read count, for a linearizable counter).
 */
import { canon, finalReads, isClientRecord, pairOps, type OpRecord } from './history-index.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Op } from '../histories/op.js';

function delta(r: OpRecord): number | undefined {
  const v = r.invoke.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

interface Sums {
  /** Σ delta of adds completed ok so far. */
  okDone: number;
  /** Σ min(0, delta) and Σ max(0, delta) of ok adds completed so far. */
  okNeg: number;
  okPos: number;
  /** The same over adds invoked so far whose outcome is not fail. */
  maybeNeg: number;
  maybePos: number;
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

  // Events in file order: an add enters "maybe" at its invoke (unless it failed) and "ok" at its completion.
  const at = new Map<number, (() => void)[]>();
  const on = (pos: number, f: () => void) => {
    if (!Number.isFinite(pos)) return;
    const list = at.get(pos);
    if (list) list.push(f);
    else at.set(pos, [f]);
  };
  const s: Sums = { okDone: 0, okNeg: 0, okPos: 0, maybeNeg: 0, maybePos: 0 };
  for (const a of adds) {
    const d = delta(a)!;
    if (a.outcome !== 'fail') {
      on(a.invokePos, () => {
        s.maybeNeg += Math.min(0, d);
        s.maybePos += Math.max(0, d);
      });
    }
    if (a.outcome === 'ok') {
      on(a.completePos, () => {
        s.okDone += d;
        s.okNeg += Math.min(0, d);
        s.okPos += Math.max(0, d);
      });
    }
  }
  const atInvoke = new Map<OpRecord, Sums>();
  const atComplete = new Map<OpRecord, Sums>();
  for (const r of reads) {
    on(r.invokePos, () => atInvoke.set(r, { ...s }));
    on(r.completePos, () => atComplete.set(r, { ...s }));
  }
  const maxPos = ops.length;
  for (let pos = 0; pos < maxPos; pos++) for (const f of at.get(pos) ?? []) f();

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
    const before = atInvoke.get(r)!;
    const after = atComplete.get(r)!;
    // Possible = invoked (not failed) before the read ended, minus what had definitely happened when it began.
    const lower = before.okDone + (after.maybeNeg - before.okNeg);
    const upper = before.okDone + (after.maybePos - before.okPos);
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
    ...(valid === 'unknown' ? { reason: 'no reads and no final reads: nothing to compare the adds with' } : {}),
  };
}
