/**
 * Replica agreement: the honest replicas of a replicated state machine must commit the same batch at every
 * height (the safety property of consensus itself, not of what clients happened to see). Client answers
 * can hide a split: a client that takes f+1 alike answers, and later writes that overwrite the divergent
 * keys, leave a history that still linearizes while two replicas hold different logs. So the harness asks
 * each node, after the final reads, what it committed per height (`replica-log` events, see
 * histories/conventions.ts), and this checker compares them.
 *
 * - Nodes named as traitors by any nemesis event of the run (`value.traitors`) are left out: under the
 *   Byzantine model only honest replicas promise anything.
 * - Heights are compared where both nodes committed one: a node that lags has a shorter log, which is
 *   liveness, not safety; a gap ('') is skipped the same way.
 * - Fewer than two honest logs (nodes that did not answer, or a history without replica logs): unknown.
 */
import { REPLICA_LOG } from '../histories/conventions.js';
import { NEMESIS, type Op } from '../histories/op.js';
import type { Checker } from './checker.js';
import type { Anomaly, CheckResult } from './result.js';

const NAME = 'replica-agreement';
/** Anomalies reported in full; the count covers the rest. */
const MAX_ANOMALIES = 20;

interface ReplicaLog {
  node: string;
  from: number;
  ids: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readLog(v: unknown): ReplicaLog | { node: string; error: string } | undefined {
  if (!isRecord(v) || typeof v.node !== 'string') return undefined;
  if (typeof v.error === 'string') return { node: v.node, error: v.error };
  if (!Number.isInteger(v.from) || (v.from as number) < 0 || !Array.isArray(v.ids)) return undefined;
  if (!v.ids.every((x) => typeof x === 'string')) return undefined;
  return { node: v.node, from: v.from as number, ids: v.ids as string[] };
}

/** Every node any nemesis event names as a traitor. */
function traitorsOf(history: readonly Op[]): Set<string> {
  const out = new Set<string>();
  for (const op of history) {
    if (op.process !== NEMESIS || !isRecord(op.value)) continue;
    const t = op.value.traitors;
    if (Array.isArray(t)) for (const n of t) if (typeof n === 'string') out.add(n);
  }
  return out;
}

export function checkReplicaAgreement(history: readonly Op[]): CheckResult {
  const traitors = traitorsOf(history);
  const logs = new Map<string, ReplicaLog>();
  const silent: string[] = [];
  let malformed = 0;
  for (const op of history) {
    if (op.process !== NEMESIS || op.f !== REPLICA_LOG) continue;
    const l = readLog(op.value);
    if (!l) malformed++;
    else if ('error' in l) silent.push(l.node);
    else logs.set(l.node, l);
  }
  const honest = [...logs.values()].filter((l) => !traitors.has(l.node)).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const stats: Record<string, unknown> = {
    logs: logs.size,
    honestLogs: honest.length,
    traitors: [...traitors].sort(),
    ...(silent.length > 0 ? { silent } : {}),
    ...(malformed > 0 ? { malformed } : {}),
  };
  if (honest.length < 2) {
    const why =
      logs.size === 0 && silent.length === 0
        ? 'the history holds no replica logs (the target does not expose what it committed, or the run predates them)'
        : `only ${honest.length} honest replica log${honest.length === 1 ? '' : 's'} to compare${silent.length > 0 ? ` (no answer from ${silent.join(', ')})` : ''}`;
    return { checker: NAME, valid: 'unknown', anomalies: [], stats, reason: why };
  }

  // Per height, which honest nodes committed which batch.
  const top = Math.max(...honest.map((l) => l.from + l.ids.length));
  const anomalies: Anomaly[] = [];
  let divergentHeights = 0;
  let compared = 0;
  for (let h = Math.min(...honest.map((l) => l.from)); h < top; h++) {
    const byId = new Map<string, string[]>();
    for (const l of honest) {
      const id = h >= l.from ? l.ids[h - l.from] : undefined;
      if (!id) continue;
      const who = byId.get(id) ?? [];
      who.push(l.node);
      byId.set(id, who);
    }
    const committers = [...byId.values()].reduce((n, w) => n + w.length, 0);
    if (committers >= 2) compared++;
    if (byId.size < 2) continue;
    divergentHeights++;
    if (anomalies.length < MAX_ANOMALIES) {
      const parts = [...byId].map(([id, who]) => `${who.join(', ')} committed batch ${id}`);
      anomalies.push({
        kind: 'replicas-diverged',
        message: `At height ${h} honest replicas committed different batches: ${parts.join('; ')}. Consensus promises one batch per height, so the replicas' states have split.`,
        height: h,
        batches: Object.fromEntries(byId),
      });
    }
  }
  stats.heightsCompared = compared;
  stats.divergentHeights = divergentHeights;
  if (divergentHeights > 0) {
    const more = divergentHeights - anomalies.length;
    return {
      checker: NAME,
      valid: false,
      anomalies,
      stats,
      facts: { consistent: false },
      ...(more > 0 ? { note: `${more} more divergent heights not listed` } : {}),
    };
  }
  if (compared === 0) return { checker: NAME, valid: 'unknown', anomalies: [], stats, reason: 'no height was committed by two honest replicas, so nothing could be compared' };
  return { checker: NAME, valid: true, anomalies: [], stats };
}

export const replicaAgreementChecker: Checker = { name: NAME, check: (history) => checkReplicaAgreement(history) };
