/**
 * rw-register's per-key assumptions (Elle's sequential-keys and linearizable-keys): each finds the anomaly
 * that needs its version pairs and nothing without them, and contradictory pairs are cyclic-versions.
 */
import { describe, expect, it } from 'vitest';
import { checkTxn } from '../../../checkers/txn/index.js';
import type { Op } from '../../../histories/op.js';
import type { M } from './build.js';

/** Events in the order given: [process, 'invoke' | 'ok', micro-ops as completed]. */
function history(events: [number, 'invoke' | 'ok', M[]][]): Op[] {
  return events.map(([process, type, mops], index) => ({ index, type, process, f: 'txn', value: type === 'ok' ? mops : mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) }));
}

const T1: M[] = [['w', 'x', 1]];
const T2: M[] = [['w', 'x', 2], ['w', 'y', 5]];
const T3: M[] = [['r', 'x', 1], ['r', 'y', 5]];

/** T3 saw y from T2 but x from before T2's blind overwrite: a read skew, visible only once 1 < 2 is known. */
const skew = (t2Process: number): Op[] =>
  history([[1, 'invoke', T3], [0, 'invoke', T1], [0, 'ok', T1], [t2Process, 'invoke', T2], [t2Process, 'ok', T2], [1, 'ok', T3]]);

const check = (ops: Op[], o: { sequentialKeys?: boolean; linearizableKeys?: boolean } = {}, models = ['serializable']) => checkTxn(ops, 'rw-register', { consistencyModels: models, ...o });

describe('rw-register version orders', () => {
  it('sequential keys: one process wrote 1 then 2, so a read of x = 1 and y from the writer of 2 is G-single', () => {
    expect(check(skew(0)).valid).toBe(true);
    const r = check(skew(0), { sequentialKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.anomalies[0].message).toMatch(/since process 0 saw the one \(op \d+\) and then the other \(op \d+\), and each key is sequential/);
    expect(r.stats.assumedVersionPairs).toBe(1);
  });

  it('linearizable keys: the write of 2 began after the write of 1 completed; other processes, so only real time tells', () => {
    expect(check(skew(2), { sequentialKeys: true }).valid).toBe(true);
    const r = check(skew(2), { linearizableKeys: true });
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.anomalies[0].message).toMatch(/completed before op \d+ began, and each key is linearizable/);
  });

  it('cyclic-versions: two processes saw the two writes in opposite orders', () => {
    const ops = history([
      [0, 'invoke', [['w', 'x', 1]]], [1, 'invoke', [['w', 'x', 2]]], [0, 'ok', [['w', 'x', 1]]], [1, 'ok', [['w', 'x', 2]]],
      [0, 'invoke', [['r', 'x', 2]]], [1, 'invoke', [['r', 'x', 1]]], [0, 'ok', [['r', 'x', 2]]], [1, 'ok', [['r', 'x', 1]]],
    ]);
    expect(check(ops, {}, ['read-uncommitted']).valid).toBe(true);
    const r = check(ops, { sequentialKeys: true }, ['read-uncommitted']);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['cyclic-versions']);
    expect(r.not).toEqual(['read-uncommitted']);
    expect(r.anomalies[0].message).toMatch(/versions of key "x" have no order: (1 < 2 < 1|2 < 1 < 2)/);
  });

  it('a serial history stays valid under both assumptions, strict-serializable included', () => {
    const ops = history([
      [0, 'invoke', [['w', 'x', 1]]], [0, 'ok', [['w', 'x', 1]]],
      [1, 'invoke', [['r', 'x', 1], ['w', 'x', 2]]], [1, 'ok', [['r', 'x', 1], ['w', 'x', 2]]],
      [0, 'invoke', [['r', 'x', 2], ['w', 'y', 3]]], [0, 'ok', [['r', 'x', 2], ['w', 'y', 3]]],
      [2, 'invoke', [['w', 'x', 4]]], [2, 'ok', [['w', 'x', 4]]],
      [1, 'invoke', [['r', 'x', 4], ['r', 'y', 3]]], [1, 'ok', [['r', 'x', 4], ['r', 'y', 3]]],
    ]);
    const r = check(ops, { sequentialKeys: true, linearizableKeys: true }, ['strict-serializable']);
    expect(r.valid).toBe(true);
    expect(r.stats.assumedVersionPairs).toBeGreaterThan(2);
  });
});
