/**
 * The side-by-side table `faultline compare` prints: one column per configuration, one row per measure, in
 * plain aligned text (no colour), so it reads the same in a terminal, a CI log and compare.txt.
 */
import type { CheckResult, Validity } from '../../checkers/result.js';
import { capSummary, formatPercent, formatSeconds, type CapVerdict } from '../../checkers/cap.js';

export interface CompareRow {
  config: string;
  /** Fraction of client ops answered (ok or a definite refusal) while any fault was in force; null if none ran. */
  answeredDuringFaults: number | null;
  /** The same on the minority side of partitions; null when no op went there. */
  answeredMinority: number | null;
  linearizable: Validity | null;
  staleReads: number | null;
  lostWrites: number | null;
  /** Seconds from the heal to agreement; null when unknown or never converged (see `converged`). */
  convergenceSeconds: number | null;
  convergenceAfterLoadSeconds: number | null;
  converged: boolean | null;
  opsPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Node-to-node messages per client op (runtimes that route messages: sim); null when not counted. */
  messagesPerOp: number | null;
  /** Whether the run kept what its configuration promises (the run's verdict). */
  keptPromise: Validity | null;
  verdict: CapVerdict;
  sentence: string;
  storePath: string;
}

export function compareRowFrom(
  config: string,
  results: CheckResult[],
  runStats: { opsPerSec: number; storePath: string; messagesPerOp?: number | null; valid?: Validity },
): CompareRow {
  const cap = capSummary(results);
  const n = cap.numbers;
  return {
    config,
    answeredDuringFaults: n.answeredDuringFaults,
    answeredMinority: n.answeredMinority,
    linearizable: n.linearizable,
    staleReads: n.staleReads,
    lostWrites: n.lostWrites,
    convergenceSeconds: n.convergenceSeconds,
    convergenceAfterLoadSeconds: n.convergenceAfterLoadSeconds,
    converged: n.converged,
    opsPerSec: runStats.opsPerSec,
    p50Ms: p50Of(results),
    messagesPerOp: runStats.messagesPerOp ?? null,
    keptPromise: runStats.valid ?? null,
    p99Ms: n.p99Ms,
    verdict: cap.verdict,
    sentence: cap.sentence,
    storePath: runStats.storePath,
  };
}

/** The median latency of completed client ops, as the availability checker measured it. */
function p50Of(results: CheckResult[]): number | null {
  const stats = results.find((r) => r.checker === 'availability')?.stats as { overall?: { latencyMs?: { p50?: unknown } | null } } | undefined;
  const p50 = stats?.overall?.latencyMs?.p50;
  return typeof p50 === 'number' && Number.isFinite(p50) ? p50 : null;
}

const NA = 'n/a';
const pct = (x: number | null): string => (x === null ? NA : formatPercent(x));
const count = (x: number | null): string => (x === null ? NA : String(x));
const ms = (x: number | null): string => (x === null ? NA : `${x < 10 ? Number(x.toFixed(1)) : Math.round(x)} ms`);
const validity = (v: Validity | null): string => (v === null ? 'not checked' : v === true ? 'yes' : v === false ? 'no' : 'unknown');
const convergence = (r: CompareRow): string =>
  r.converged === false
    ? 'not converged'
    : r.convergenceSeconds !== null
      ? formatSeconds(r.convergenceSeconds) + (r.convergenceAfterLoadSeconds !== null ? ` (${formatSeconds(r.convergenceAfterLoadSeconds)} after load)` : '')
      : r.converged
        ? 'yes'
        : NA;
const rate = (x: number): string => (Number.isFinite(x) ? String(x >= 100 ? Math.round(x) : Number(x.toFixed(1))) : NA);

export const MEASURES: [string, (r: CompareRow) => string][] = [
  ['answered during faults', (r) => pct(r.answeredDuringFaults)],
  ['answered, minority side', (r) => pct(r.answeredMinority)],
  ['linearizable', (r) => validity(r.linearizable)],
  ['stale reads', (r) => count(r.staleReads)],
  ['lost writes', (r) => count(r.lostWrites)],
  ['convergence after heal', convergence],
  ['ops/s', (r) => rate(r.opsPerSec)],
  ['p50 latency', (r) => ms(r.p50Ms)],
  ['p99 latency', (r) => ms(r.p99Ms)],
  // Gossip that batches many writes per message is well under one per op; two digits keep it from reading as 0.
  ['messages per op', (r) => (r.messagesPerOp === null ? NA : r.messagesPerOp > 0 && r.messagesPerOp < 1 ? String(Number(r.messagesPerOp.toPrecision(2))) : rate(r.messagesPerOp))],
  ['kept its promise', (r) => validity(r.keptPromise)],
  ['CAP verdict', (r) => r.verdict],
];

export function renderCompareTable(rows: CompareRow[]): string {
  const grid: string[][] = [['', ...rows.map((r) => r.config)], ...MEASURES.map(([label, cell]) => [label, ...rows.map(cell)])];
  const widths = grid[0].map((_, c) => Math.max(...grid.map((line) => line[c].length)));
  const lines = grid.map((line) => line.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('');
  for (const r of rows) lines.push(`${r.config}: ${r.sentence}`);
  for (const r of rows) if (r.storePath) lines.push(`${r.config} stored in ${r.storePath}`);
  return lines.join('\n');
}
