/**
 * Echo checker (Maelstrom's echo): every echo that came back ok must carry exactly what was sent.
 */
import { canon } from '../histories/canon.js';
import { isClientRecord, pairOps } from './op-records.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker } from './checker.js';
import type { Op } from '../histories/op.js';

export function checkEcho(ops: readonly Op[]): CheckResult {
  const echoes = pairOps(ops).filter((r) => isClientRecord(r) && r.f === 'echo' && r.outcome === 'ok');
  const wrong = echoes.filter((r) => canon(r.completion?.value) !== canon(r.invoke.value));
  const anomalies: Anomaly[] = wrong.slice(0, 20).map((r) => ({
    kind: 'wrong-echo',
    op: r.invoke.index,
    node: r.node,
    sent: r.invoke.value,
    got: r.completion?.value,
    message: `p${r.process}${r.node ? ` on ${r.node}` : ''} sent ${canon(r.invoke.value)} and got back ${canon(r.completion?.value)}`,
  }));
  const valid = wrong.length > 0 ? false : echoes.length === 0 ? 'unknown' : true;
  return {
    checker: 'echo',
    valid,
    anomalies,
    stats: { echoes: echoes.length, wrong: wrong.length },
    facts: valid === false ? { consistent: false } : {},
    ...(valid === 'unknown' ? { reason: 'no echo came back ok' } : {}),
  };
}

export const echoChecker: Checker = { name: 'echo', check: (h) => checkEcho(h) };
