/**
 * Availability and latency of client ops, overall and around faults. `availabilityChecker` reports and never
 * judges (`valid` is always true); `availabilityDemanding(min)` (Maelstrom's `--availability`) also fails a run
 * in which less than `min` of the client ops were answered.
 *
 * Each client op (final reads excluded) is placed by the faults in force when it was invoked:
 * - `duringFaults` (any fault active) / `outsideFaults`, and `byFault[kind]` for each active fault kind;
 * - `partition` sides: ops invoked during a partition to a node that was not itself down at the time (in a
 *   window whose value says `effect: "node-down"`: kill, pause, file, or any later fault that declares it),
 *   split by the side of the contacted node (majority / minority from the partition's components, or from its
 *   grudge for one-way shapes; `unknown` when the op names no node). `all` is the three together.
 * Fractions count ok / fail / info over all ops of the bucket; an op still pending when the history ends
 * counts as info (its outcome is unknown). `answered` = ok plus definite refusals — fails that are an answer
 * about the data, such as a cas whose expected value did not match (Maelstrom codes 20-22, "compare failed"):
 * the node served the request, so for availability it counts like ok. Latency: invoke to completion in ms over completed ops (all
 * outcomes, since a timeout is a latency the client lived through), and separately over ok ops only;
 * nearest-rank percentiles.
 */
import type { Op } from '../histories/op.js';
import type { AnsweredFact, CheckResult, Facts } from './result.js';
import type { Checker } from './checker.js';
import { activeAt, faultWindows, nodesOf, sideOf, type Side } from './fault-windows.js';
import { isClientRecord, isDefiniteRefusal, pairOps, type OpRecord } from './op-records.js';
import { latencyNs, nsToMs, percentile } from './percentiles.js';

export interface AvailabilityOptions {
  /** Every node of the cluster (for majority sizes); defaults to the nodes the history mentions. */
  nodes?: string[];
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface Bucket {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Fails that were definite answers (cas mismatch, missing key); included in `fail`. */
  refused: number;
  /** ok + refused: requests the system served. */
  answered: number;
  /** Null when the bucket is empty. */
  answeredFraction: number | null;
  okFraction: number | null;
  failFraction: number | null;
  infoFraction: number | null;
  latencyMs: Percentiles | null;
  okLatencyMs: Percentiles | null;
}

export interface AvailabilityStats {
  overall: Bucket;
  duringFaults: Bucket;
  outsideFaults: Bucket;
  byFault: Record<string, Bucket>;
  partition: Record<Side | 'all', Bucket>;
  pending: number;
  [k: string]: unknown;
}

class Acc {
  private readonly recs: OpRecord[] = [];
  add(r: OpRecord): void {
    this.recs.push(r);
  }
  bucket(): Bucket {
    const n = this.recs.length;
    const ok = this.recs.filter((r) => r.outcome === 'ok').length;
    const fail = this.recs.filter((r) => r.outcome === 'fail').length;
    const info = n - ok - fail;
    const refused = this.recs.filter(isDefiniteRefusal).length;
    const frac = (x: number): number | null => (n === 0 ? null : x / n);
    const pct = (rs: OpRecord[]): Percentiles | null => {
      const ls = rs
        .map(latencyNs)
        .filter((x): x is number => x !== undefined)
        .map(nsToMs)
        .sort((a, b) => a - b);
      if (ls.length === 0) return null;
      return { p50: percentile(ls, 50)!, p95: percentile(ls, 95)!, p99: percentile(ls, 99)! };
    };
    const completed = this.recs.filter((r) => r.outcome !== 'pending');
    return {
      ops: n,
      ok,
      fail,
      info,
      refused,
      answered: ok + refused,
      answeredFraction: frac(ok + refused),
      okFraction: frac(ok),
      failFraction: frac(fail),
      infoFraction: frac(info),
      latencyMs: pct(completed),
      okLatencyMs: pct(completed.filter((r) => r.outcome === 'ok')),
    };
  }
}

export function availability(ops: readonly Op[], opts: AvailabilityOptions = {}): CheckResult {
  const records = pairOps(ops).filter(isClientRecord);
  const windows = faultWindows(ops);
  const nodes = opts.nodes ?? nodesOf(ops, windows);

  const overall = new Acc();
  const during = new Acc();
  const outside = new Acc();
  const byFault = new Map<string, Acc>();
  const sides = { majority: new Acc(), minority: new Acc(), unknown: new Acc(), all: new Acc() };

  for (const r of records) {
    overall.add(r);
    const active = activeAt(windows, r.invokePos);
    if (active.length === 0) {
      outside.add(r);
      continue;
    }
    during.add(r);
    for (const kind of new Set(active.map((w) => w.kind))) {
      let acc = byFault.get(kind);
      if (!acc) byFault.set(kind, (acc = new Acc()));
      acc.add(r);
    }
    const part = active.filter((w) => w.kind === 'partition').at(-1);
    if (!part?.partition) continue;
    // A node a fault took down (its value says `effect: "node-down"`, whatever the fault is called) answers
    // nobody; its ops say nothing about the partition.
    const down = active.some((w) => w.effect === 'node-down' && r.node !== undefined && (w.nodes ?? []).includes(r.node));
    if (down) continue;
    sides[sideOf(part.partition, r.node, nodes)].add(r);
    sides.all.add(r);
  }

  const stats: AvailabilityStats = {
    overall: overall.bucket(),
    duringFaults: during.bucket(),
    outsideFaults: outside.bucket(),
    byFault: Object.fromEntries([...byFault].sort(([a], [b]) => a.localeCompare(b)).map(([k, a]) => [k, a.bucket()])),
    partition: {
      majority: sides.majority.bucket(),
      minority: sides.minority.bucket(),
      unknown: sides.unknown.bucket(),
      all: sides.all.bucket(),
    },
    pending: records.filter((r) => r.outcome === 'pending').length,
    faultWindows: windows.length,
    nodes,
  };
  const fact = (b: Bucket): AnsweredFact => ({ ops: b.ops, answeredFraction: b.answeredFraction ?? b.okFraction });
  const facts: Facts = {
    answered: {
      duringFaults: fact(stats.duringFaults),
      duringPartitions: fact(stats.partition.all),
      majority: fact(stats.partition.majority),
      minority: fact(stats.partition.minority),
    },
    p99Ms: stats.overall.latencyMs?.p99 ?? null,
  };
  return { checker: 'availability', valid: true, anomalies: [], stats, facts };
}

export const availabilityChecker: Checker = { name: 'availability', check: (h, ctx) => availability(h, { nodes: ctx.nodes }), clientReadValues: false };

/**
 * The same measure, held to a promise: at least `min` (0 < min <= 1; Maelstrom's `--availability total` is 1)
 * of all client ops answered, ok or a definite refusal, faults or not. No client op at all is `unknown`.
 */
export function availabilityDemanding(min: number): Checker {
  return {
    name: 'availability',
    clientReadValues: false,
    check(h, ctx) {
      const r = availability(h, { nodes: ctx.nodes });
      const o = (r.stats as unknown as AvailabilityStats).overall;
      const demand = min >= 1 ? 'every client op answered (--availability total)' : `at least ${min * 100}% of client ops answered`;
      if (o.ops === 0) return { ...r, valid: 'unknown', reason: `no client op to judge availability on; the run demands ${demand}` };
      const answered = o.answeredFraction ?? 0;
      if (answered >= min) return { ...r, note: `demanded ${demand}: ${o.answered} of ${o.ops} were` };
      const lost = o.ops - o.answered;
      return {
        ...r,
        valid: false,
        anomalies: [
          {
            kind: 'unavailable',
            message: `${o.answered} of ${o.ops} client ops were answered (${(answered * 100).toFixed(1)}%); the run demands ${demand}. ${o.fail - o.refused} failed and ${o.info} got no answer in time`,
            answered: o.answered,
            ops: o.ops,
            unanswered: lost,
            demanded: min,
          },
        ],
      };
    },
  };
}
