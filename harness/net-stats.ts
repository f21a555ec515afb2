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
import { completeRecord, openRecord, type OpRecord } from '../checkers/op-records.js';
import { lowerBound } from '../checkers/percentiles.js';
import { PairingStream } from '../histories/pairing.js';
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

/** One key's acknowledged adds and the reads that lacked them, for stable latency. */
class StableKey {
  readonly ids = new Map<string, number>();
  readonly stamps: number[] = [];
  /** Acknowledged adds, in ascending acknowledgement time: element id, ack time, end of the last read that lacked it. */
  readonly ackTime: number[] = [];
  readonly ackId: number[] = [];
  readonly lastMissEnd: number[] = [];
  readonly values: string[] = [];
  stamp = 0;

  id(c: string): number {
    let id = this.ids.get(c);
    if (id === undefined) {
      id = this.stamps.length;
      this.ids.set(c, id);
      this.stamps.push(0);
      this.values.push(c);
    }
    return id;
  }
}

/**
 * Stable latency in one pass over a history (set and broadcast workloads): each ok read lacking an element
 * acknowledged before the read began pushes that element's stable point to the read's end. Memory grows with
 * elements and adds, never with reads x elements. An acknowledgement is matched to the reads that complete after
 * it in the file (the recorder writes in time order).
 */
export class StableLatencyStream {
  private readonly pairing = new PairingStream<OpRecord>({ namedActors: true, sameF: true }, openRecord);
  private pos = 0;
  private readonly keys = new Map<string, StableKey>();
  /** Each node's last final answer per key (rounds come in order, so a later answer overwrites). */
  private readonly finals = new Map<string, Map<string, Set<string>>>();

  private of(k: string): StableKey {
    let d = this.keys.get(k);
    if (!d) this.keys.set(k, (d = new StableKey()));
    return d;
  }

  push(op: Op): void {
    const rec = this.pairing.push(op, this.pos++);
    if (!rec || op.type === 'invoke') return;
    completeRecord(rec);
    if (rec.outcome !== 'ok') return;
    const key = canon(rec.key ?? null);
    const v = rec.completion?.value;
    if (rec.f === FINAL_READ) {
      let byNode = this.finals.get(key);
      if (!byNode) this.finals.set(key, (byNode = new Map()));
      byNode.set(rec.node ?? '', new Set((Array.isArray(v) ? v : []).map(canon)));
      return;
    }
    if (!isClientRecord(rec) || rec.completeTime === undefined) return;
    const d = this.of(key);
    if (rec.f === 'add') {
      const id = d.id(canon(rec.invoke.value));
      let at = d.ackTime.length;
      while (at > 0 && d.ackTime[at - 1] > rec.completeTime) at--;
      d.ackTime.splice(at, 0, rec.completeTime);
      d.ackId.splice(at, 0, id);
      d.lastMissEnd.splice(at, 0, -Infinity);
      return;
    }
    if (rec.f !== 'read' || rec.invokeTime === undefined) return;
    const stamp = ++d.stamp;
    for (const e of Array.isArray(v) ? v : []) d.stamps[d.id(canon(e))] = stamp;
    const before = lowerBound(d.ackTime, rec.invokeTime);
    for (let j = 0; j < before; j++) {
      if (d.stamps[d.ackId[j]] !== stamp && rec.completeTime > d.lastMissEnd[j]) d.lastMissEnd[j] = rec.completeTime;
    }
  }

  finish(): { latencies: number[]; neverStable: number } {
    const latencies: number[] = [];
    let neverStable = 0;
    for (const [k, d] of this.keys) {
      const finals = [...(this.finals.get(k)?.values() ?? [])];
      for (let j = 0; j < d.ackTime.length; j++) {
        const v = d.values[d.ackId[j]];
        if (finals.some((s) => !s.has(v))) {
          neverStable++;
          continue;
        }
        latencies.push(d.lastMissEnd[j] === -Infinity ? 0 : Math.max(0, ms(d.lastMissEnd[j] - d.ackTime[j])));
      }
    }
    return { latencies, neverStable };
  }
}

function stableLatencies(ops: readonly Op[]): { latencies: number[]; neverStable: number } {
  const s = new StableLatencyStream();
  for (const op of ops) s.push(op);
  return s.finish();
}

/**
 * `stable`: stable latencies already measured while the history streamed past (see StableLatencyStream), for
 * when `ops` had their long read answers dropped.
 */
export function netStats(
  ops: readonly Op[],
  counts: NetCounts | undefined,
  o: { setLike: boolean; stable?: { latencies: number[]; neverStable: number } },
): NetStats {
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
    const s = o.stable ?? stableLatencies(ops);
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
