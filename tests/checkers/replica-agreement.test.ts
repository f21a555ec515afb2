// The replica-agreement checker: logs that agree, logs that split at a height, traitors left out, lagging and
// silent nodes, histories without logs (unknown, never valid), and agreement with a brute-force pairwise
// comparison on generated logs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPLICA_LOG } from '../../histories/conventions.js';
import type { Op } from '../../histories/op.js';
import { checkReplicaAgreement, replicaAgreementChecker } from '../../checkers/replica-agreement.js';

type Entry = { node: string; from?: number; ids?: string[]; error?: string };

function history(entries: Entry[], traitors: string[] = []): Op[] {
  const ops: Op[] = [];
  let index = 0;
  if (traitors.length > 0) {
    ops.push({ index: index++, type: 'info', process: 'nemesis', f: 'start-equivocate', value: { traitors, nodes: traitors, rate: 0.5 } });
    ops.push({ index: index++, type: 'info', process: 'nemesis', f: 'stop-equivocate', value: { traitors, nodes: traitors, rate: 0.5 } });
  }
  ops.push({ index: index++, type: 'invoke', process: 0, f: 'write', key: 0, value: 1 });
  ops.push({ index: index++, type: 'ok', process: 0, f: 'write', key: 0, value: 1 });
  for (const e of entries) {
    const value = e.error !== undefined ? { node: e.node, error: e.error } : { node: e.node, from: e.from ?? 1, ids: e.ids ?? [] };
    ops.push({ index: index++, type: 'info', process: 'nemesis', f: REPLICA_LOG, value });
  }
  return ops;
}

describe('replica agreement', () => {
  it('valid when every honest replica committed the same batch at every shared height (lagging replicas too)', () => {
    const r = checkReplicaAgreement(history([
      { node: 'n1', ids: ['a', 'b', 'c'] },
      { node: 'n2', ids: ['a', 'b', 'c'] },
      { node: 'n3', ids: ['a', 'b'] },
    ]));
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ honestLogs: 3, heightsCompared: 3, divergentHeights: 0 });
  });

  it('invalid, naming the height and who committed what, when two honest replicas split', () => {
    const r = checkReplicaAgreement(history([
      { node: 'n1', ids: ['a', 'b', 'x'] },
      { node: 'n2', ids: ['a', 'b', 'y'] },
      { node: 'n3', ids: ['a', 'b', 'y', 'z'] },
    ]));
    expect(r.valid).toBe(false);
    expect(r.facts?.consistent).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatchObject({ kind: 'replicas-diverged', height: 3, batches: { x: ['n1'], y: ['n2', 'n3'] } });
    expect(r.anomalies[0].message).toMatch(/height 3.*n1 committed batch x.*n2, n3 committed batch y/);
  });

  it('a traitor named by the nemesis is not held to agreement; the honest ones still are', () => {
    const split = [
      { node: 'n1', ids: ['a', 'WRONG'] },
      { node: 'n2', ids: ['a', 'b'] },
      { node: 'n3', ids: ['a', 'b'] },
      { node: 'n4', ids: ['a', 'b'] },
    ];
    expect(checkReplicaAgreement(history(split, ['n1'])).valid).toBe(true);
    expect(checkReplicaAgreement(history(split, ['n2'])).valid).toBe(false);
    expect(checkReplicaAgreement(history(split)).valid).toBe(false);
  });

  it('logs that start at different heights are lined up by height', () => {
    expect(checkReplicaAgreement(history([{ node: 'n1', from: 1, ids: ['a', 'b', 'c'] }, { node: 'n2', from: 3, ids: ['c', 'd'] }])).valid).toBe(true);
    expect(checkReplicaAgreement(history([{ node: 'n1', from: 1, ids: ['a', 'b', 'c'] }, { node: 'n2', from: 3, ids: ['b'] }])).valid).toBe(false);
  });

  it('unknown, never valid, without two honest logs to compare', () => {
    const none = checkReplicaAgreement(history([]));
    expect(none.valid).toBe('unknown');
    expect(none.reason).toMatch(/no replica logs/);
    const silent = checkReplicaAgreement(history([{ node: 'n1', ids: ['a'] }, { node: 'n2', error: 'timed out' }]));
    expect(silent.valid).toBe('unknown');
    expect(silent.reason).toMatch(/no answer from n2/);
    const onlyTraitorLeft = checkReplicaAgreement(history([{ node: 'n1', ids: ['a'] }, { node: 'n2', ids: ['a'] }], ['n2']));
    expect(onlyTraitorLeft.valid).toBe('unknown');
    // Two logs but no height committed by both: nothing was compared.
    expect(checkReplicaAgreement(history([{ node: 'n1', ids: [] }, { node: 'n2', ids: ['a'] }])).valid).toBe('unknown');
  });

  it('malformed replica-log events are counted and ignored, never trusted', () => {
    const ops = history([{ node: 'n1', ids: ['a'] }, { node: 'n2', ids: ['a'] }]);
    ops.push({ index: ops.length, type: 'info', process: 'nemesis', f: REPLICA_LOG, value: { node: 'n3', from: 1, ids: [1, 2] } });
    ops.push({ index: ops.length, type: 'info', process: 'nemesis', f: REPLICA_LOG, value: 'garbage' });
    const r = checkReplicaAgreement(ops);
    expect(r.valid).toBe(true);
    expect(r.stats.malformed).toBe(2);
  });

  it('the checker value runs through the contract', async () => {
    const r = await replicaAgreementChecker.check(history([{ node: 'n1', ids: ['a'] }, { node: 'n2', ids: ['b'] }]), { nodes: ['n1', 'n2'], promise: 'CP' });
    expect(r.checker).toBe('replica-agreement');
    expect(r.valid).toBe(false);
  });

  it('agrees with a brute-force pairwise comparison on generated logs', () => {
    const log = fc.record({ from: fc.integer({ min: 1, max: 3 }), ids: fc.array(fc.constantFrom('', 'a', 'b', 'c'), { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(log, { minLength: 2, maxLength: 5 }), (logs) => {
        const entries = logs.map((l, i) => ({ node: `n${i + 1}`, ...l }));
        const at = (l: Entry, h: number) => (h >= (l.from ?? 1) ? (l.ids ?? [])[h - (l.from ?? 1)] : undefined) || undefined;
        let split = false;
        let shared = false;
        for (let i = 0; i < entries.length; i++) {
          for (let j = i + 1; j < entries.length; j++) {
            for (let h = 1; h < 12; h++) {
              const a = at(entries[i], h);
              const b = at(entries[j], h);
              if (a && b) shared = true;
              if (a && b && a !== b) split = true;
            }
          }
        }
        const expected = split ? false : shared ? true : 'unknown';
        expect(checkReplicaAgreement(history(entries)).valid).toBe(expected);
      }),
      { seed: 18, numRuns: 300 },
    );
  });
});
