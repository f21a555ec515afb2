/**
 * Unique-id checker (Maelstrom's unique-ids): every id that a `generate` returned ok must differ from every
 * other, across all nodes, partitions and restarts. Ids are compared as canonical JSON, so 1 and "1" differ.
 */
import { canon } from '../histories/canon.js';
import { isClientRecord, pairOps } from './op-records.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker } from './checker.js';
import type { Op } from '../histories/op.js';

export function checkUniqueIds(ops: readonly Op[]): CheckResult {
  const generated = pairOps(ops).filter((r) => isClientRecord(r) && r.f === 'generate' && r.outcome === 'ok');
  const seen = new Map<string, { op: number; node?: string; process: number | string }[]>();
  let missing = 0;
  for (const r of generated) {
    const id = r.completion?.value;
    if (id === undefined || id === null) {
      missing++;
      continue;
    }
    const k = canon(id);
    const list = seen.get(k) ?? [];
    list.push({ op: r.invoke.index, node: r.node, process: r.process });
    seen.set(k, list);
  }
  const dups = [...seen.entries()].filter(([, l]) => l.length > 1);
  const anomalies: Anomaly[] = dups.slice(0, 20).map(([id, l]) => ({
    kind: 'duplicate-id',
    id: JSON.parse(id) as unknown,
    ops: l.map((x) => x.op),
    message: `id ${id} was handed out ${l.length} times: ${l.slice(0, 4).map((x) => `p${x.process}${x.node ? ` on ${x.node}` : ''}`).join(', ')}${l.length > 4 ? ', ...' : ''}`,
  }));
  if (missing > 0) anomalies.push({ kind: 'no-id', count: missing, message: `${missing} generate op(s) returned ok with no id` });
  const valid = dups.length > 0 || missing > 0 ? false : generated.length === 0 ? 'unknown' : true;
  return {
    checker: 'unique-ids',
    valid,
    anomalies,
    stats: { generated: generated.length, distinct: seen.size, duplicatedIds: dups.length, withoutId: missing },
    facts: valid === false ? { consistent: false } : {},
    ...(valid === 'unknown' ? { reason: 'no generate op succeeded' } : {}),
  };
}

export const uniqueIdsChecker: Checker = { name: 'unique-ids', check: (h) => checkUniqueIds(h) };
