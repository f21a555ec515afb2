/**
 * Long-fork checker (after Jepsen's long-fork test): each key is written once; reads look at a group of keys
 * in one transaction. Under snapshot isolation (or anything stronger) the writes become visible in one
 * order, so of any two reads of a group, one must have seen everything the other saw. Two reads that each
 * saw a write the other did not observed the writes in different orders: a long fork (parallel snapshot
 * isolation allows it; snapshot isolation does not).
 *
 * Ops are transactions of micro-ops as Jepsen writes them: writes `[["w", k, v]]`, reads `[["r", k, v], ...]`
 * where v is nil when the write was not visible.
 */
import { InputError } from '../histories/errors.js';
import type { Op } from '../histories/op.js';
import type { Checker } from './checker.js';
import { isClientRecord, lineOf, pairOps } from './op-records.js';
import type { Anomaly, CheckResult } from './result.js';

export interface LongForkOptions {
  /** Keys per read; when given, every read must cover exactly this many. */
  groupSize?: number;
}

type Mop = [string, unknown, unknown];

function mopsOf(op: Op): Mop[] {
  const v = op.value;
  if (!Array.isArray(v) || !v.every((m) => Array.isArray(m) && m.length === 3 && (m[0] === 'r' || m[0] === 'w'))) {
    throw new InputError(`op ${op.index}: a long-fork op is a list of ["r", k, v] or ["w", k, v] micro-ops, got ${JSON.stringify(v)?.slice(0, 80)}`, lineOf(op));
  }
  return v as Mop[];
}

const keyId = (k: unknown): string => JSON.stringify(k) ?? 'null';

export function checkLongFork(ops: readonly Op[], opts: LongForkOptions = {}): CheckResult {
  const records = pairOps(ops).filter((r) => isClientRecord(r) && Array.isArray(r.invoke.value));
  const written = new Map<string, number>();
  const reads: { op: number; keys: string[]; seen: Set<string> }[] = [];
  const anomalies: Anomaly[] = [];
  for (const r of records) {
    const mops = mopsOf(r.invoke);
    for (const [f, k] of mops) {
      if (f !== 'w') continue;
      const prior = written.get(keyId(k));
      if (prior !== undefined) throw new InputError(`ops ${prior} and ${r.invoke.index} both write key ${keyId(k)}: long-fork needs every key written once`, lineOf(r.invoke));
      written.set(keyId(k), r.invoke.index);
    }
    if (r.outcome !== 'ok' || mops.some((m) => m[0] === 'w')) continue;
    const done = mopsOf(r.completion!);
    if (opts.groupSize !== undefined && done.length !== opts.groupSize) {
      throw new InputError(`op ${r.invoke.index}: reads ${done.length} keys, but --group-size is ${opts.groupSize}`, lineOf(r.invoke));
    }
    const keys = done.map((m) => keyId(m[1])).sort();
    reads.push({ op: r.invoke.index, keys, seen: new Set(done.filter((m) => m[2] !== null && m[2] !== undefined).map((m) => keyId(m[1]))) });
  }
  for (const rd of reads) {
    for (const k of rd.seen) {
      if (!written.has(k) && anomalies.length < 10) anomalies.push({ kind: 'garbage-read', op: rd.op, message: `op ${rd.op} saw a value for key ${k}, which no op wrote` });
    }
  }
  // Per group of keys, the reads must form a chain under inclusion: sorted by how much they saw, each must
  // contain the one before (inclusion is transitive, so neighbours suffice).
  const groups = new Map<string, typeof reads>();
  for (const rd of reads) {
    const g = rd.keys.join(',');
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(rd);
  }
  let forks = 0;
  for (const [g, rs] of groups) {
    rs.sort((a, b) => a.seen.size - b.seen.size);
    for (let i = 1; i < rs.length; i++) {
      const a = rs[i - 1];
      const b = rs[i];
      const onlyA = [...a.seen].filter((k) => !b.seen.has(k));
      if (onlyA.length === 0) continue;
      forks++;
      const onlyB = [...b.seen].filter((k) => !a.seen.has(k));
      if (anomalies.length < 10) {
        anomalies.push({
          kind: 'long-fork',
          ops: [a.op, b.op],
          keys: g,
          message: `op ${a.op} saw the write of ${onlyA.slice(0, 3).join(', ')} but not of ${onlyB.slice(0, 3).join(', ')}; op ${b.op} saw ${onlyB.slice(0, 3).join(', ')} but not ${onlyA.slice(0, 3).join(', ')}: the two reads saw the writes in different orders`,
        });
      }
    }
  }
  const valid = anomalies.length > 0 ? false : reads.length === 0 ? 'unknown' : true;
  return {
    checker: 'long-fork',
    valid,
    anomalies,
    facts: { consistent: valid },
    stats: { reads: reads.length, writes: written.size, groups: groups.size, forks },
    ...(valid === 'unknown' ? { reason: 'no read completed ok' } : {}),
  };
}

export function longForkChecker(opts: LongForkOptions = {}): Checker {
  return { name: 'long-fork', check: (h) => checkLongFork(h, opts) };
}
