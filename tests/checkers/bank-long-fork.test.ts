/** The bank and long-fork checkers on histories known good and known bad. */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../histories/op.js';
import { checkBank } from '../../checkers/bank.js';
import { checkLongFork } from '../../checkers/long-fork.js';

/** Each [process, f, invoke value, completion value] runs to completion before the next. */
function ops(list: [number, string, unknown, unknown][]): Op[] {
  return list.flatMap(([process, f, v, done], i) => [
    { index: 2 * i, type: 'invoke' as const, process, f, value: v },
    { index: 2 * i + 1, type: 'ok' as const, process, f, value: done },
  ]);
}

describe('bank', () => {
  const read = (b: Record<string, number | null>): [number, string, unknown, unknown] => [0, 'read', null, b];
  const transfer: [number, string, unknown, unknown] = [1, 'transfer', { from: 'a', to: 'b', amount: 5 }, { from: 'a', to: 'b', amount: 5 }];
  it('consistent reads are valid', () => {
    const r = checkBank(ops([read({ a: 10, b: 10 }), transfer, read({ a: 5, b: 15 })]), { total: 20, accounts: ['a', 'b'] });
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ reads: 2, transfers: 1 });
  });
  it('a read with the wrong total is a half-applied transfer', () => {
    const r = checkBank(ops([read({ a: 10, b: 10 }), transfer, read({ a: 5, b: 10 })]), { total: 20 });
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['wrong-total']);
    expect(r.anomalies[0].message).toMatch(/summing to 15, not 20/);
  });
  it('negative balances fail unless allowed; missing and unknown accounts and nil balances are named', () => {
    const h = ops([read({ a: 25, b: -5 })]);
    expect(checkBank(h, { total: 20 }).anomalies.map((a) => a.kind)).toEqual(['negative-value']);
    expect(checkBank(h, { total: 20, negativeBalances: true }).valid).toBe(true);
    const kinds = checkBank(ops([read({ a: 20, c: 0, d: null })]), { total: 20, accounts: ['a', 'b'] }).anomalies.map((a) => a.kind);
    expect(kinds).toEqual(['missing-account', 'unexpected-account', 'nil-balance']);
  });
  it('without reads it cannot tell', () => {
    expect(checkBank(ops([transfer])).valid).toBe('unknown');
  });
});

describe('long-fork', () => {
  const w = (p: number, k: number): [number, string, unknown, unknown] => [p, 'txn', [['w', k, 1]], [['w', k, 1]]];
  const r = (p: number, seen: Record<number, 1 | null>): [number, string, unknown, unknown] => [
    p,
    'txn',
    Object.keys(seen).map((k) => ['r', Number(k), null]),
    Object.entries(seen).map(([k, v]) => ['r', Number(k), v]),
  ];
  it('reads that saw the writes in one order are valid', () => {
    expect(checkLongFork(ops([w(0, 1), r(2, { 1: 1, 2: null }), w(1, 2), r(3, { 1: 1, 2: 1 })]), { groupSize: 2 }).valid).toBe(true);
  });
  it('two reads that each saw a write the other did not are a long fork', () => {
    const res = checkLongFork(ops([w(0, 1), w(1, 2), r(2, { 1: 1, 2: null }), r(3, { 1: null, 2: 1 })]));
    expect(res.valid).toBe(false);
    expect(res.anomalies[0]).toMatchObject({ kind: 'long-fork', ops: [4, 6] });
  });
  it('refuses a key written twice and a read of the wrong group size', () => {
    expect(() => checkLongFork(ops([w(0, 1), w(1, 1)]))).toThrow(/written once/);
    expect(() => checkLongFork(ops([w(0, 1), r(2, { 1: 1 })]), { groupSize: 2 })).toThrow(/--group-size is 2/);
  });
});
