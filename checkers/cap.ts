/**
 * The CAP summary: one verdict and one sentence from the checker results of a run.
 *
 * Consistent (C):
 * - false when the linearizable checker says false, or any hard fact contradicts linearizability: a stale read
 *   or lost write (register-anomalies, set), a phantom value, or a convergence failure;
 * - true when the linearizable checker says true and no such fact exists (for set-only runs without a
 *   linearizable result: the set checker run with `linearizable: true` and valid);
 * - unknown otherwise (linearizability undecided or not checked, and no contradicting fact).
 * Available (A), from the availability checker, judged on ops invoked during partitions to nodes that were
 * not themselves killed or paused (if the run had no partitions: on all ops during faults):
 * - true when at least `availableThreshold` (default 99%) of those ops were answered (ok, or a definite
 *   refusal such as a cas precondition failure — see availability.ts), and the same holds on the minority side
 *   alone when any op went there;
 * - false below that; unknown when no op ran during a fault or there is no availability result.
 * Verdict: both (C and A, with A judged on partitions: without a partition a run cannot earn "both"),
 * consistent (C, not A), available (A, not C), neither (neither), unknown (either one
 * unknown). Lost writes = register-anomalies' + set's lost counts (convergence's when neither ran); stale reads
 * = register-anomalies' + set's stale reads.
 */
import type { CheckResult, Validity } from './result.js';

export type CapVerdict = 'consistent' | 'available' | 'both' | 'neither' | 'unknown';

export interface CapOptions {
  /** Fraction of answered ops during partitions (and on the minority side) needed to call a run available. */
  availableThreshold?: number;
  /** What the configuration promises; carried into the numbers so reports can set verdict against promise. */
  promise?: 'CP' | 'AP';
}

export interface CapNumbers {
  promise: 'CP' | 'AP' | null;
  linearizable: Validity | null;
  consistent: Validity;
  available: Validity;
  /** Fractions of client ops answered (ok or a definite refusal); null when no op fell in the bucket. */
  answeredDuringFaults: number | null;
  answeredDuringPartitions: number | null;
  answeredMajority: number | null;
  answeredMinority: number | null;
  /** What availability was judged on: `partitions`, `faults`, or `none`. */
  judgedOn: 'partitions' | 'faults' | 'none';
  staleReads: number | null;
  lostWrites: number | null;
  phantoms: number | null;
  converged: boolean | null;
  convergenceSeconds: number | null;
  /** Seconds from the last client answer to agreement (the load runs on through the quiescence window). */
  convergenceAfterLoadSeconds: number | null;
  p99Ms: number | null;
}

export interface CapSummary {
  verdict: CapVerdict;
  sentence: string;
  numbers: CapNumbers;
}

export const DEFAULT_AVAILABLE_THRESHOLD = 0.99;

/** 0.998 → "99.8%"; never rounds a partial success up to 100% or a non-zero one down to 0%. */
export function formatPercent(x: number): string {
  if (x >= 1) return '100%';
  if (x <= 0) return '0%';
  const s = (x * 100).toFixed(1).replace(/\.0$/, '');
  if (s === '100') return '99.9%';
  if (s === '0') return '<0.1%';
  return `${s}%`;
}

/** Seconds with at most one decimal for humans: 1.43 → "1.4 s", 0.04 → "0.04 s". */
export function formatSeconds(s: number): string {
  if (s < 0.1) return `${Number(s.toPrecision(1))} s`;
  return `${Number(s.toFixed(1))} s`;
}

const find = (rs: readonly CheckResult[], name: string): CheckResult | undefined => rs.find((r) => r.checker === name);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const sumOrNull = (xs: (number | null)[]): number | null =>
  xs.every((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

interface BucketLike {
  ops?: number;
  okFraction?: number | null;
  answeredFraction?: number | null;
  latencyMs?: { p99?: number } | null;
}
const bucket = (stats: Record<string, unknown> | undefined, ...path: string[]): BucketLike | undefined => {
  let cur: unknown = stats;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur && typeof cur === 'object' ? (cur as BucketLike) : undefined;
};

export function capSummary(results: readonly CheckResult[], opts: CapOptions = {}): CapSummary {
  const threshold = opts.availableThreshold ?? DEFAULT_AVAILABLE_THRESHOLD;
  const lin = find(results, 'linearizable');
  const reg = find(results, 'register-anomalies');
  const set = find(results, 'set');
  const conv = find(results, 'convergence');
  const avail = find(results, 'availability');
  const counter = find(results, 'counter');
  const ids = find(results, 'unique-ids');
  const echo = find(results, 'echo');

  // A counter read outside what the adds allow is the counter's stale read.
  const staleReads = sumOrNull([num(reg?.stats.staleReads), num(set?.stats.staleReads), num(counter?.stats.readsOutOfBounds)]);
  const lostWrites = reg || set ? sumOrNull([num(reg?.stats.lostWrites), num(set?.stats.lost)]) : num(conv?.stats.lostWrites);
  const phantoms =
    reg || set ? sumOrNull([num(reg?.stats.phantoms), num(set?.stats.unexpected)]) : num(conv?.stats.phantoms);
  const converged =
    conv && conv.valid !== 'unknown'
      ? conv.valid === true
      : counter && counter.valid !== 'unknown'
        ? !counter.anomalies.some((a) => a.kind === 'divergent')
        : null;
  const convergenceSeconds = num(conv?.stats.secondsToConverge);
  const convergenceAfterLoadSeconds = num(conv?.stats.secondsAfterLoad);

  // C
  const violations = (staleReads ?? 0) + (lostWrites ?? 0) + (phantoms ?? 0);
  let consistent: Validity;
  if (lin?.valid === false || violations > 0 || conv?.valid === false || counter?.valid === false || ids?.valid === false || echo?.valid === false) consistent = false;
  else if (lin?.valid === true) consistent = true;
  else if (!lin && set?.valid === true && set.stats.linearizable === true) consistent = true;
  else consistent = 'unknown';

  // A
  const parts = bucket(avail?.stats, 'partition', 'all');
  const faults = bucket(avail?.stats, 'duringFaults');
  const minority = bucket(avail?.stats, 'partition', 'minority');
  const majority = bucket(avail?.stats, 'partition', 'majority');
  const judgedOn: CapNumbers['judgedOn'] = (parts?.ops ?? 0) > 0 ? 'partitions' : (faults?.ops ?? 0) > 0 ? 'faults' : 'none';
  const judged = judgedOn === 'partitions' ? parts : judgedOn === 'faults' ? faults : undefined;
  const answered = (b: BucketLike | undefined): number | null =>
    (b?.ops ?? 0) > 0 ? num(b?.answeredFraction) ?? num(b?.okFraction) : null;
  const judgedFraction = answered(judged);
  const minorityFraction = answered(minority);
  let available: Validity;
  if (judgedFraction === null) available = 'unknown';
  else available = judgedFraction >= threshold && (minorityFraction === null || minorityFraction >= threshold);

  // CAP's availability is availability under partition: a run in which no partition struck can show a
  // system answering through kills or pauses, but it cannot earn "both".
  let verdict: CapVerdict;
  if (consistent === 'unknown' || available === 'unknown') verdict = 'unknown';
  else if (consistent) verdict = available && judgedOn === 'partitions' ? 'both' : 'consistent';
  else verdict = available ? 'available' : 'neither';

  const numbers: CapNumbers = {
    promise: opts.promise ?? null,
    linearizable: lin ? lin.valid : null,
    consistent,
    available,
    answeredDuringFaults: answered(faults),
    answeredDuringPartitions: answered(parts),
    answeredMajority: answered(majority),
    answeredMinority: minorityFraction,
    judgedOn,
    staleReads,
    lostWrites,
    phantoms,
    converged,
    convergenceSeconds,
    convergenceAfterLoadSeconds,
    p99Ms: num(bucket(avail?.stats, 'overall')?.latencyMs?.p99),
  };
  return { verdict, sentence: sentence(verdict, numbers, conv, avail !== undefined), numbers };
}

function sentence(verdict: CapVerdict, n: CapNumbers, conv: CheckResult | undefined, hasAvailability: boolean): string {
  const parts: string[] = [];
  parts.push(
    n.linearizable === true
      ? 'linearizable'
      : n.linearizable === false
        ? 'not linearizable'
        : n.linearizable === 'unknown'
          ? 'linearizability undecided'
          : n.consistent === true
            ? 'no stale, lost or unexpected elements (set, linearizable mode)'
            : 'linearizability not checked',
  );
  if (!hasAvailability) parts.push('availability not measured');
  else if (n.judgedOn === 'none') parts.push('no ops ran during faults');
  else {
    const ok = n.judgedOn === 'partitions' ? n.answeredDuringPartitions! : n.answeredDuringFaults!;
    const where = n.judgedOn === 'partitions' ? 'partitions' : 'faults';
    const side = n.answeredMinority !== null ? ` (${formatPercent(n.answeredMinority)} on the minority side)` : '';
    parts.push(`${formatPercent(ok)} of ops answered during ${where}${side}`);
    if (n.judgedOn === 'faults') parts.push('no partition struck, so availability under partition was not tested');
  }
  const facts: string[] = [];
  const plural = (x: number, one: string, many: string): string => `${x} ${x === 1 ? one : many}`;
  if (n.staleReads) facts.push(plural(n.staleReads, 'stale read', 'stale reads'));
  if (n.lostWrites) facts.push(plural(n.lostWrites, 'lost write', 'lost writes'));
  if (n.phantoms) facts.push(plural(n.phantoms, 'phantom value', 'phantom values'));
  if (facts.length > 0) parts.push(facts.join(', '));
  if (conv) {
    if (n.converged === true && n.convergenceSeconds !== null) {
      const afterLoad = n.convergenceAfterLoadSeconds !== null ? ` (${formatSeconds(n.convergenceAfterLoadSeconds)} after the load stopped)` : '';
      parts.push(`converged ${formatSeconds(n.convergenceSeconds)} after heal${afterLoad}`);
    }
    else if (n.converged === true) parts.push('converged');
    else if (n.converged === false) {
      const notConv = conv.anomalies.find((a) => a.kind === 'not-converged');
      parts.push(notConv ? notConv.message : 'final states diverge or lost writes');
    } else parts.push('convergence undecided');
  }
  return `${verdict}: ${parts.join('; ')}`;
}
