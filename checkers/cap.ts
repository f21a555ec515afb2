/**
 * The CAP summary: one verdict and one sentence from the checker results of a run.
 *
 * It reads only the typed `facts` of each result (result.ts), never a checker's name or its `stats`, so a new
 * checker informs it by filling facts.
 *
 * Consistent (C):
 * - false when any checker's `consistent` fact is false (a failed linearizability search, a convergence,
 *   counter, unique-id or echo failure), or any stale read, lost write or phantom value was counted;
 * - true when some checker's `consistent` fact is true (the linearizability search, or a set checked in
 *   linearizable mode) and no such fact exists;
 * - unknown otherwise (linearizability undecided or not checked, and no contradicting fact).
 * Available (A), from the `answered` fact (the availability checker), judged on ops invoked during partitions
 * to nodes that were not themselves killed or paused (if the run had no partitions: on all ops during faults):
 * - true when at least `availableThreshold` (default 99%) of those ops were answered (ok, or a definite
 *   refusal such as a cas precondition failure — see availability.ts), and the same holds on the minority side
 *   alone when any op went there;
 * - false below that; unknown when no op ran during a fault or nothing measured availability.
 * Verdict: both (C and A, with A judged on partitions: without a partition a run cannot earn "both"),
 * consistent (C, not A), available (A, not C), neither (neither), unknown (either one
 * unknown). Lost writes and phantoms: the sum of the checkers that judged them op by op (register-anomalies,
 * set), else of those that judged them from the final state (convergence); stale reads: the sum of every
 * checker's stale reads (register-anomalies, set, a counter's out-of-bounds reads).
 */
import type { AnsweredFact, CheckResult, Facts, Validity } from './result.js';

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
  /** Stale reads by the node that answered them, summed over the checkers that name it; null when none does. */
  staleReadsByNode: Record<string, number> | null;
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

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const sumOrNull = (xs: (number | null)[]): number | null =>
  xs.every((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** Sums one count fact over every result that measured it; null when none did. */
function sumFact(facts: readonly Facts[], key: 'staleReads' | 'lostWrites' | 'phantoms' | 'finalLostWrites' | 'finalPhantoms'): number | null {
  return sumOrNull(facts.map((f) => num(f[key])));
}

/** false beats unknown beats true over the checkers that have a word on consistency; null when none has. */
function consistencyWord(facts: readonly Facts[]): Validity | null {
  const words = facts.map((f) => f.consistent).filter((v): v is Validity => v !== undefined);
  if (words.length === 0) return null;
  return words.includes(false) ? false : words.includes('unknown') ? 'unknown' : true;
}

export function capSummary(results: readonly CheckResult[], opts: CapOptions = {}): CapSummary {
  const threshold = opts.availableThreshold ?? DEFAULT_AVAILABLE_THRESHOLD;
  const facts = results.map((r) => r.facts ?? {});
  const first = <K extends keyof Facts>(k: K): Facts[K] | undefined => facts.find((f) => f[k] !== undefined)?.[k];

  const staleReads = sumFact(facts, 'staleReads');
  const byNode = facts.filter((f) => f.staleReadsByNode !== undefined);
  const staleReadsByNode = byNode.length === 0 ? null : byNode.reduce<Record<string, number>>((acc, f) => {
    for (const [node, c] of Object.entries(f.staleReadsByNode!)) acc[node] = (acc[node] ?? 0) + c;
    return acc;
  }, {});
  // Lost writes and phantoms judged op by op win; those judged from the final state alone stand in otherwise.
  const perOp = facts.some((f) => f.lostWrites !== undefined || f.phantoms !== undefined);
  const lostWrites = perOp ? sumFact(facts, 'lostWrites') : sumFact(facts, 'finalLostWrites');
  const phantoms = perOp ? sumFact(facts, 'phantoms') : sumFact(facts, 'finalPhantoms');
  const claim = first('consistencyClaim');
  const converged = first('converged') ?? null;
  const conv = first('convergence');
  const convergenceSeconds = num(conv?.secondsToConverge);
  const convergenceAfterLoadSeconds = num(conv?.secondsAfterLoad);
  const linearizable = first('linearizable') ?? null;

  // C
  const violations = (staleReads ?? 0) + (lostWrites ?? 0) + (phantoms ?? 0);
  const word = consistencyWord(facts);
  const consistent: Validity = violations > 0 ? false : word ?? 'unknown';

  // A
  const answered = first('answered');
  const fraction = (b: AnsweredFact | undefined): number | null => ((b?.ops ?? 0) > 0 ? num(b?.answeredFraction) : null);
  const judgedOn: CapNumbers['judgedOn'] =
    (answered?.duringPartitions.ops ?? 0) > 0 ? 'partitions' : (answered?.duringFaults.ops ?? 0) > 0 ? 'faults' : 'none';
  const judged = judgedOn === 'partitions' ? answered?.duringPartitions : judgedOn === 'faults' ? answered?.duringFaults : undefined;
  const judgedFraction = fraction(judged);
  const minorityFraction = fraction(answered?.minority);
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
    linearizable,
    consistent,
    available,
    answeredDuringFaults: fraction(answered?.duringFaults),
    answeredDuringPartitions: fraction(answered?.duringPartitions),
    answeredMajority: fraction(answered?.majority),
    answeredMinority: minorityFraction,
    judgedOn,
    staleReads,
    staleReadsByNode,
    lostWrites,
    phantoms,
    converged,
    convergenceSeconds,
    convergenceAfterLoadSeconds,
    p99Ms: num(first('p99Ms')),
  };
  return { verdict, sentence: sentence(verdict, numbers, conv, answered !== undefined, claim), numbers };
}

function sentence(verdict: CapVerdict, n: CapNumbers, conv: Facts['convergence'], hasAvailability: boolean, claim: string | undefined): string {
  const parts: string[] = [];
  parts.push(
    claim !== undefined && n.linearizable === null
      ? claim
      : n.linearizable === true
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
  if (n.staleReads) {
    const nodes = Object.entries(n.staleReadsByNode ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    // Naming the replicas that served them tells a lagging replica from a cluster-wide problem.
    facts.push(plural(n.staleReads, 'stale read', 'stale reads') + (nodes.length > 0 ? ` (by node: ${nodes.map(([x, c]) => `${x} ${c}`).join(', ')})` : ''));
  }
  if (n.lostWrites) facts.push(plural(n.lostWrites, 'lost write', 'lost writes'));
  if (n.phantoms) facts.push(plural(n.phantoms, 'phantom value', 'phantom values'));
  if (facts.length > 0) parts.push(facts.join(', '));
  if (conv) {
    if (n.converged === true && n.convergenceSeconds !== null) {
      const afterLoad = n.convergenceAfterLoadSeconds !== null ? ` (${formatSeconds(n.convergenceAfterLoadSeconds)} after the load stopped)` : '';
      parts.push(`converged ${formatSeconds(n.convergenceSeconds)} after heal${afterLoad}`);
    }
    else if (n.converged === true) parts.push('converged');
    else if (n.converged === false) parts.push(conv.failure ?? 'final states diverge or lost writes');
    else parts.push('convergence undecided');
  }
  return `${verdict}: ${parts.join('; ')}`;
}
