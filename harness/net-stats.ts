/**
 * A run's network statistics, as Maelstrom reports them and the Gossip Glomers broadcast challenges grade
 * them: messages between servers (Maelstrom's services count as servers, as in Maelstrom), between clients
 * and servers, server messages per client op, and latency quantiles. Two latencies:
 *
 * - op latency: invoke to completion of every ok client op;
 * - stable latency (set and broadcast workloads, as Maelstrom grades the broadcast challenges): for each
 *   acknowledged element, the time from its acknowledgement until the end of the last read, begun after it,
 *   that lacked it; 0 when every such read had it (so sparse reads make it a lower bound). An element some
 *   final read lacks is never stable and is counted apart.
 *
 * Also the targets a run may set (`--max-msgs-per-op`, `--max-median-latency`), judged as one more checker
 * result so a missed target fails the run like any finding.
 */
import type { NetCounts } from './sim/net-tally.js';
import { canon, pairOps, isClientRecord, FINAL_READ } from '../checkers/history-index.js';
import type { CheckResult } from '../checkers/result.js';
import type { Op } from '../histories/op.js';

export interface Quantiles {
  count: number;
  p0: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  p100: number | null;
}

export interface NetStats {
  /** Message counts by link; absent when the runtime does not route messages itself (netns, docker). */
  messages?: {
    servers: number;
    clients: number;
    byLink: NetCounts;
  };
  /** Client ops the generator started (final reads and health probes left out). */
  clientOps: number;
  /** Server messages per client op; null without counts or ops. */
  msgsPerOp: number | null;
  /** Invoke-to-completion of ok client ops, in ms. */
  opLatencyMs: Quantiles;
  /** Set and broadcast workloads only: how long each acknowledged element took to be in every read. */
  stableLatencyMs?: Quantiles;
  /** Acknowledged elements some final read lacked. */
  neverStable?: number;
}

export interface NetTargets {
  maxMsgsPerOp?: number;
  /** Milliseconds; judged on stable latency where the workload has one, else op latency. */
  maxMedianLatencyMs?: number;
}

function quantiles(xs: number[]): Quantiles {
  const s = xs.slice().sort((a, b) => a - b);
  const at = (q: number): number | null => (s.length === 0 ? null : s[Math.min(s.length - 1, Math.floor(q * s.length))]);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: s.length, p0: round(at(0)), p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), p100: round(s.length ? s[s.length - 1] : null) };
}

const ms = (ns: number): number => ns / 1e6;

function stableLatencies(ops: readonly Op[]): { latencies: number[]; neverStable: number } {
  const records = pairOps(ops);
  const adds = records.filter((r) => isClientRecord(r) && r.f === 'add' && r.outcome === 'ok' && r.completeTime !== undefined);
  const reads = records
    .filter((r) => isClientRecord(r) && r.f === 'read' && r.outcome === 'ok' && r.invokeTime !== undefined && r.completeTime !== undefined)
    .map((r) => ({ key: canon(r.key ?? null), start: r.invokeTime!, end: r.completeTime!, has: new Set((Array.isArray(r.completion?.value) ? r.completion!.value : []).map(canon)) }))
    .sort((a, b) => b.end - a.end);
  const finals = records.filter((r) => r.f === FINAL_READ && r.outcome === 'ok');
  const lastRound = new Map<string, Set<string>>();
  // Rounds come in order, so each node's last answer for a key overwrites its earlier ones.
  for (const f of finals) lastRound.set(`${f.node ?? ''}/${canon(f.key ?? null)}`, new Set((Array.isArray(f.completion?.value) ? f.completion!.value : []).map(canon)));
  const latencies: number[] = [];
  let neverStable = 0;
  for (const a of adds) {
    const v = canon(a.invoke.value);
    const key = canon(a.key ?? null);
    if ([...lastRound].some(([nk, s]) => nk.endsWith(`/${key}`) && !s.has(v))) {
      neverStable++;
      continue;
    }
    // Reads sorted latest end first: the first one after the add that lacks it marks when it became stable.
    const lacking = reads.find((r) => r.key === key && r.start > a.completeTime! && !r.has.has(v));
    latencies.push(lacking ? Math.max(0, ms(lacking.end - a.completeTime!)) : 0);
  }
  return { latencies, neverStable };
}

export function netStats(ops: readonly Op[], counts: NetCounts | undefined, o: { setLike: boolean }): NetStats {
  const records = pairOps(ops).filter(isClientRecord);
  const clientOps = records.length;
  const opLatencies = records.filter((r) => r.outcome === 'ok' && r.invokeTime !== undefined && r.completeTime !== undefined).map((r) => ms(r.completeTime! - r.invokeTime!));
  const out: NetStats = { clientOps, msgsPerOp: null, opLatencyMs: quantiles(opLatencies) };
  if (counts) {
    const servers = counts['server-server'] + counts['server-service'] + counts['service-server'];
    out.messages = { servers, clients: counts['client-server'] + counts['server-client'], byLink: counts };
    out.msgsPerOp = clientOps > 0 ? Math.round((servers / clientOps) * 100) / 100 : null;
  }
  if (o.setLike) {
    const s = stableLatencies(ops);
    out.stableLatencyMs = quantiles(s.latencies);
    out.neverStable = s.neverStable;
  }
  return out;
}

/** The run's own targets, as a checker result: false when one is missed, unknown when one cannot be measured. */
export function judgeTargets(stats: NetStats, t: NetTargets): CheckResult | undefined {
  if (t.maxMsgsPerOp === undefined && t.maxMedianLatencyMs === undefined) return undefined;
  const anomalies: CheckResult['anomalies'] = [];
  const unmeasured: string[] = [];
  if (t.maxMsgsPerOp !== undefined) {
    if (stats.msgsPerOp === null) unmeasured.push('messages per op (this runtime does not count messages)');
    else if (stats.msgsPerOp > t.maxMsgsPerOp) {
      anomalies.push({ kind: 'too-many-messages', message: `${stats.msgsPerOp} server messages per op, above the target of ${t.maxMsgsPerOp}` });
    }
  }
  if (t.maxMedianLatencyMs !== undefined) {
    const which = stats.stableLatencyMs ? 'stable latency' : 'op latency';
    const median = (stats.stableLatencyMs ?? stats.opLatencyMs).p50;
    if (median === null) unmeasured.push(`median ${which} (nothing to measure)`);
    else if (median > t.maxMedianLatencyMs) {
      anomalies.push({ kind: 'too-slow', message: `median ${which} ${median} ms, above the target of ${t.maxMedianLatencyMs} ms` });
    }
  }
  const valid = anomalies.length > 0 ? false : unmeasured.length > 0 ? 'unknown' : true;
  return {
    checker: 'net-targets',
    valid,
    anomalies,
    stats: { ...t, msgsPerOp: stats.msgsPerOp, medianMs: (stats.stableLatencyMs ?? stats.opLatencyMs).p50 },
    ...(valid === 'unknown' ? { reason: `could not measure ${unmeasured.join(' and ')}` } : {}),
  };
}

/** One line for the terminal. */
export function netLine(s: NetStats): string {
  const parts: string[] = [];
  if (s.messages) parts.push(`${s.messages.servers} server msgs (${s.msgsPerOp ?? '-'} per op), ${s.messages.clients} client msgs`);
  const q = (x: Quantiles) => `median ${x.p50 ?? '-'} ms, p95 ${x.p95 ?? '-'} ms, max ${x.p100 ?? '-'} ms`;
  parts.push(`op latency ${q(s.opLatencyMs)}`);
  if (s.stableLatencyMs) parts.push(`stable latency ${q(s.stableLatencyMs)}${s.neverStable ? `, ${s.neverStable} never stable` : ''}`);
  return parts.join('; ');
}
