/** Histories the transactional checker cannot judge are refused by name, never called valid. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import { checkTxn } from '../../../checkers/txn/index.js';
import { concurrent } from './build.js';

describe('txn checker: bad input', () => {
  it('refuses duplicate appends of one value to one key', () => {
    const ops = concurrent([{ mops: [['append', 'x', 1]] }, { mops: [['append', 'x', 1]] }, { mops: [['r', 'x', [1]]] }]);
    expect(() => checkTxn(ops, 'list-append')).toThrow(InputError);
    expect(() => checkTxn(ops, 'list-append')).toThrow(/both append 1 to key "x".*unique per key/);
  });
  it('refuses duplicate writes in an rw-register history', () => {
    expect(() => checkTxn(concurrent([{ mops: [['w', 'x', 1]] }, { mops: [['w', 'x', 1]] }]), 'rw-register')).toThrow(/unique per key/);
  });
  it('refuses an unknown micro-op, naming it and the op', () => {
    const ops = concurrent([{ mops: [['increment', 'x', 1]] }]);
    expect(() => checkTxn(ops, 'list-append')).toThrow(/op 0: unknown micro-op "increment"/);
  });
  it('refuses a micro-op that is not [f, k, v]', () => {
    const ops = [
      { index: 0, type: 'invoke' as const, process: 0, f: 'txn', value: [['r', 'x']] },
      { index: 1, type: 'ok' as const, process: 0, f: 'txn', value: [['r', 'x']] },
    ];
    expect(() => checkTxn(ops, 'list-append')).toThrow(/expected \[f, key, value\]/);
  });
  it('refuses a list-append read that is not a list', () => {
    expect(() => checkTxn(concurrent([{ mops: [['r', 'x', 5]] }]), 'list-append')).toThrow(/returns a list/);
  });
  it('refuses the other data model\'s micro-ops', () => {
    expect(() => checkTxn(concurrent([{ mops: [['w', 'x', 5]] }]), 'list-append')).toThrow(/rw-register history/);
    expect(() => checkTxn(concurrent([{ mops: [['append', 'x', 5]] }]), 'rw-register')).toThrow(/list-append history/);
  });
  it('refuses an ok completion whose micro-ops differ from the invocation', () => {
    const ops = [
      { index: 0, type: 'invoke' as const, process: 0, f: 'txn', value: [['append', 'x', 1]] },
      { index: 1, type: 'ok' as const, process: 0, f: 'txn', value: [['append', 'x', 2]] },
    ];
    expect(() => checkTxn(ops, 'list-append')).toThrow(/differ from those invoked/);
  });
  it('refuses an unknown consistency model, listing the known ones', () => {
    expect(() => checkTxn([], 'list-append', { consistencyModels: ['serialisable'] })).toThrow(/unknown consistency model "serialisable"; known: read-uncommitted/);
  });
  it('a read of a value nobody wrote is invalid (rw-register)', () => {
    const r = checkTxn(concurrent([{ mops: [['w', 'x', 1]] }, { mops: [['r', 'x', 2]] }]), 'rw-register');
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['garbage-read']);
  });
});
