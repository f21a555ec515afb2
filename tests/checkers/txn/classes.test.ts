/**
 * One small hand-made history per anomaly class; each must give exactly that class (and the classes it
 * necessarily brings along), and the consistency models it rules out.
 */
import { describe, expect, it } from 'vitest';
import { checkTxn, type TxnDataModel } from '../../../checkers/txn/index.js';
import { concurrent, serial, type T } from './build.js';
import type { Op } from '../../../histories/op.js';

function types(ops: Op[], model: TxnDataModel = 'list-append', models = ['strict-serializable']): string[] {
  return [...checkTxn(ops, model, { consistencyModels: models }).anomalyTypes].sort();
}

const la = (txns: T[]): Op[] => concurrent(txns);

describe('list-append: cycle classes', () => {
  it('G0: two transactions append to two keys in opposite orders', () => {
    const ops = la([
      { mops: [['append', 'x', 1], ['append', 'y', 1]] },
      { mops: [['append', 'x', 2], ['append', 'y', 2]] },
      { mops: [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]] },
    ]);
    const r = checkTxn(ops, 'list-append');
    expect(r.anomalyTypes).toEqual(['G0']);
    expect(r.valid).toBe(false);
    expect(r.not).toEqual(['read-uncommitted']);
    expect(r.alsoNot).toContain('strict-serializable');
  });

  it('G1c: each transaction reads the other\'s append', () => {
    const r = checkTxn(la([{ mops: [['append', 'x', 1], ['r', 'y', [1]]] }, { mops: [['append', 'y', 1], ['r', 'x', [1]]] }]), 'list-append');
    expect(r.anomalyTypes).toEqual(['G1c']);
    expect(r.not).toEqual(['read-committed']);
    const cycle = r.anomalies[0];
    expect(cycle.message).toMatch(/^G1c: Let T1 = op \d+ by p\d: \[.*\], T2 = .*\. Then T1 < T2, because T2 observed T1's append of 1 to key "[xy]" \(wr\)\. However, T2 < T1, because T1 observed T2's append of 1 to key "[xy]" \(wr\): a contradiction\.$/);
    expect(cycle.cycle).toMatchObject({ type: 'G1c', steps: [{ from: 'T1', to: 'T2', rel: 'wr' }, { from: 'T2', to: 'T1', rel: 'wr' }] });
  });

  it('G-single: a read skew (one anti-dependency)', () => {
    const r = checkTxn(la([{ mops: [['append', 'x', 1], ['append', 'y', 1]] }, { mops: [['r', 'x', []], ['r', 'y', [1]]] }]), 'list-append');
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.not).toEqual(['consistent-view', 'repeatable-read']);
    expect(r.anomalies[0].message).toContain('which did not include');
  });

  it('G-nonadjacent: a long fork (two anti-dependencies, not adjacent)', () => {
    const r = checkTxn(
      la([
        { mops: [['r', 'y', [1]], ['r', 'x', []]] },
        { mops: [['append', 'x', 1]] },
        { mops: [['r', 'x', [1]], ['r', 'y', []]] },
        { mops: [['append', 'y', 1]] },
      ]),
      'list-append',
    );
    expect(r.anomalyTypes).toEqual(['G-nonadjacent']);
    expect(r.not).toEqual(['repeatable-read', 'snapshot-isolation']);
    expect((r.anomalies[0].cycle as { steps: unknown[] }).steps).toHaveLength(4);
  });

  it('G2-item: a write skew (adjacent anti-dependencies)', () => {
    const r = checkTxn(la([{ mops: [['r', 'x', []], ['append', 'y', 1]] }, { mops: [['r', 'y', []], ['append', 'x', 1]] }]), 'list-append');
    expect(r.anomalyTypes).toEqual(['G2-item']);
    expect(r.not).toEqual(['repeatable-read']);
    expect(r.alsoNot).toContain('serializable');
    expect(r.alsoNot).not.toContain('snapshot-isolation');
  });
});

describe('list-append: process and real-time variants', () => {
  it('G0-process: one client\'s two appends land in the opposite order', () => {
    const ops = serial([{ p: 0, mops: [['append', 'x', 1]] }, { p: 0, mops: [['append', 'x', 2]] }, { p: 1, mops: [['r', 'x', [2, 1]]] }]);
    expect(types(ops)).toEqual(['G0-process']);
    expect(checkTxn(ops, 'list-append', { consistencyModels: ['serializable'] }).valid).toBe(true);
    const r = checkTxn(ops, 'list-append');
    expect(r.valid).toBe(false);
    expect(r.not).toEqual(['strong-session-snapshot-isolation']);
    expect(r.alsoNot).toEqual(['strong-snapshot-isolation', 'strong-session-serializable', 'strict-serializable']);
  });

  it('G1c-process: a client reads what its own next transaction appends', () => {
    const ops = serial([{ p: 0, mops: [['r', 'y', [1]]] }, { p: 0, mops: [['append', 'y', 1]] }]);
    expect(types(ops)).toEqual(['G1c-process']);
  });

  it('G-single-process: a client does not see its own earlier append', () => {
    const ops = serial([{ p: 0, mops: [['append', 'x', 1]] }, { p: 0, mops: [['r', 'x', []]] }]);
    expect(types(ops)).toEqual(['G-single-process']);
    expect(checkTxn(ops, 'list-append').anomalies[0].message).toContain('ran on process 0, T1 first (process)');
  });

  it('G-single-realtime: a stale read after another client\'s append completed', () => {
    const ops = serial([{ p: 0, mops: [['append', 'x', 1]] }, { p: 1, mops: [['r', 'x', []]] }]);
    expect(types(ops)).toEqual(['G-single-realtime']);
    const r = checkTxn(ops, 'list-append');
    expect(r.not).toEqual(['strong-snapshot-isolation']);
    expect(r.alsoNot).toEqual(['strict-serializable']);
    expect(r.anomalies[0].message).toMatch(/T1 completed \(op 1\) before T2 began \(op 2\)/);
    expect(checkTxn(ops, 'list-append', { consistencyModels: ['strong-session-serializable'] }).valid).toBe(true);
  });
});

describe('list-append: anomalies without cycles', () => {
  it('G1a: a read of a failed append', () => {
    expect(types(la([{ mops: [['append', 'x', 1]], outcome: 'fail' }, { mops: [['r', 'x', [1]]] }]))).toEqual(['G1a']);
  });
  it('G1b: a read of an intermediate state', () => {
    expect(types(la([{ mops: [['append', 'x', 1], ['append', 'x', 2]] }, { mops: [['r', 'x', [1]]] }, { mops: [['r', 'x', [1, 2]]] }]))).toEqual(['G1b']);
  });
  it('internal: a read that misses the transaction\'s own append', () => {
    expect(types(la([{ mops: [['append', 'x', 1], ['r', 'x', []]] }]))).toEqual(['internal']);
  });
  it('dirty update: a committed append on top of a failed one', () => {
    expect(types(la([{ mops: [['append', 'x', 1]], outcome: 'fail' }, { mops: [['append', 'x', 2]] }, { mops: [['r', 'x', [1, 2]]] }]))).toEqual(['G1a', 'dirty-update']);
  });
  it('duplicate elements', () => {
    expect(types(la([{ mops: [['append', 'x', 1]] }, { mops: [['r', 'x', [1, 1]]] }]))).toEqual(['duplicate-elements']);
  });
  it('incompatible orders', () => {
    const r = checkTxn(la([{ mops: [['append', 'x', 1]] }, { mops: [['append', 'x', 2]] }, { mops: [['r', 'x', [1, 2]]] }, { mops: [['r', 'x', [2, 1]]] }]), 'list-append');
    expect(r.anomalyTypes).toEqual(['incompatible-order']);
    expect(r.not).toEqual(['read-committed']);
  });
  it('future read', () => {
    expect(types(la([{ mops: [['r', 'x', [1]], ['append', 'x', 1]] }]))).toEqual(['future-read']);
  });
  it('lost update: two read-modify-writes from the same state (also a cycle)', () => {
    const t = types(la([{ mops: [['r', 'x', []], ['append', 'x', 1]] }, { mops: [['r', 'x', []], ['append', 'x', 2]] }, { mops: [['r', 'x', [1, 2]]] }]));
    expect(t).toContain('lost-update');
    expect(t.filter((x) => x !== 'lost-update')).toEqual(['G-single']);
  });
  it('a read of a value nobody appended is reported, never valid', () => {
    const r = checkTxn(la([{ mops: [['append', 'x', 1]] }, { mops: [['r', 'x', [1, 99]]] }]), 'list-append');
    expect(r.anomalyTypes).toEqual(['garbage-read']);
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].message).toContain('99');
  });
});

describe('list-append: valid histories', () => {
  it('a serial history is strict-serializable', () => {
    const ops = serial([{ mops: [['append', 'x', 1], ['r', 'y', []]] }, { mops: [['r', 'x', [1]], ['append', 'y', 2]] }, { mops: [['r', 'y', [2]], ['r', 'x', [1]]] }]);
    const r = checkTxn(ops, 'list-append');
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.not).toEqual([]);
  });
  it('indeterminate appends that nobody read do not make anomalies', () => {
    const ops = concurrent([{ mops: [['append', 'x', 1]], outcome: 'info' }, { mops: [['r', 'x', []]] }]);
    expect(checkTxn(ops, 'list-append').valid).toBe(true);
  });
  it('a history with no transactions is unknown, not valid', () => {
    const r = checkTxn([{ index: 0, type: 'invoke', process: 0, f: 'read' }, { index: 1, type: 'ok', process: 0, f: 'read', value: 1 }], 'list-append');
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/no txn operations/);
  });
});

describe('rw-register', () => {
  const rw = (txns: T[]): string[] => types(concurrent(txns), 'rw-register');
  it('G1c: circular information flow', () => {
    expect(rw([{ mops: [['w', 'x', 1], ['r', 'y', 1]] }, { mops: [['w', 'y', 1], ['r', 'x', 1]] }])).toEqual(['G1c']);
  });
  it('G-single: read skew from the initial state', () => {
    expect(rw([{ mops: [['w', 'x', 1], ['w', 'y', 1]] }, { mops: [['r', 'x', null], ['r', 'y', 1]] }])).toEqual(['G-single']);
  });
  it('G2-item: write skew', () => {
    expect(rw([{ mops: [['r', 'x', null], ['w', 'y', 1]] }, { mops: [['r', 'y', null], ['w', 'x', 1]] }])).toEqual(['G2-item']);
  });
  it('G0 through writes that follow reads', () => {
    expect(rw([{ mops: [['r', 'x', 2], ['w', 'x', 1], ['w', 'y', 1]] }, { mops: [['r', 'x', 1], ['w', 'x', 2]] }, { mops: [['r', 'y', 1], ['w', 'y', 3]] }])).toContain('G0');
  });
  it('G1a, G1b, internal, garbage reads', () => {
    expect(rw([{ mops: [['w', 'x', 1]], outcome: 'fail' }, { mops: [['r', 'x', 1]] }])).toEqual(['G1a']);
    expect(rw([{ mops: [['w', 'x', 1], ['w', 'x', 2]] }, { mops: [['r', 'x', 1]] }])).toEqual(['G1b']);
    expect(rw([{ mops: [['w', 'x', 1], ['r', 'x', 5]] }, { mops: [['w', 'x', 5]] }])).toEqual(['internal']);
    expect(rw([{ mops: [['r', 'x', 7]] }])).toEqual(['garbage-read']);
  });
  it('lost update', () => {
    expect(rw([{ mops: [['r', 'x', null], ['w', 'x', 1]] }, { mops: [['r', 'x', null], ['w', 'x', 2]] }])).toContain('lost-update');
  });
  it('a serial history is valid', () => {
    const r = checkTxn(serial([{ mops: [['w', 'x', 1]] }, { mops: [['r', 'x', 1], ['w', 'x', 2]] }, { mops: [['r', 'x', 2]] }]), 'rw-register');
    expect(r.valid).toBe(true);
  });
});

describe('cycle search budget', () => {
  it('a search out of time answers unknown with the reason, never valid', () => {
    const ops = concurrent([{ mops: [['append', 'x', 1], ['append', 'y', 1]] }, { mops: [['r', 'x', []], ['r', 'y', [1]]] }]);
    const r = checkTxn(ops, 'list-append', { budgetMs: 0 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/cycle search in a component of 2 transactions ran out of its 0 ms budget before finishing G1c, G-single/);
  });
});
