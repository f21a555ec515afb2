import { describe, expect, it } from 'vitest';
import { detectModel, inferInitial } from '../../../checkers/models/detect.js';
import type { Op } from '../../../histories/op.js';

let index = 0;
const op = (process: number | string, type: Op['type'], f: string, value: unknown, key?: string): Op =>
  ({ index: index++, process, type, f, value, ...(key === undefined ? {} : { key }) }) as Op;

describe('model detection from op names', () => {
  it('picks the model whose ops the history has, and cas-register for plain registers', () => {
    expect(detectModel([op(0, 'invoke', 'acquire', null)]).value).toBe('mutex');
    expect(detectModel([op(0, 'invoke', 'enqueue', 1)]).value).toBe('fifo-queue');
    expect(detectModel([op(0, 'invoke', 'txn', [])]).value).toBe('multi-register');
    expect(detectModel([op(0, 'invoke', 'add', 1), op(0, 'invoke', 'read', null)]).value).toBe('set');
    expect(detectModel([op(0, 'invoke', 'get', null, 'a'), op(0, 'invoke', 'append', 'x', 'a')]).value).toBe('kv');
    expect(detectModel([op(0, 'invoke', 'read', null), op(0, 'invoke', 'cas', [1, 2])]).value).toBe('cas-register');
    // add is a set's op until reads return numbers: then it is a counter's.
    expect(detectModel([op(0, 'invoke', 'add', 2), op(0, 'ok', 'add', 2), op(0, 'invoke', 'read', null), op(0, 'ok', 'read', 2)]).value).toBe('counter');
    expect(detectModel([op(0, 'invoke', 'add', 2), op(0, 'ok', 'add', 2), op(0, 'invoke', 'read', null), op(0, 'ok', 'read', [2])]).value).toBe('set');
    // The nemesis's op names never steer the choice.
    expect(detectModel([op('nemesis', 'info', 'add', null), op(0, 'invoke', 'write', 1)]).value).toBe('cas-register');
  });
});

describe('initial value inference', () => {
  it('infers "" only when a read saw "", no read saw nil and nobody wrote ""', () => {
    const base = [op(0, 'invoke', 'get', null, 'k'), op(0, 'ok', 'get', '', 'k'), op(1, 'invoke', 'append', 'x', 'k'), op(1, 'ok', 'append', 'x', 'k')];
    expect(inferInitial(base, 'kv')?.value).toBe('');
    expect(inferInitial([...base, op(2, 'invoke', 'get', null, 'j'), op(2, 'ok', 'get', null, 'j')], 'kv')).toBeUndefined();
    expect(inferInitial([...base, op(3, 'invoke', 'put', '', 'j')], 'kv')).toBeUndefined();
    expect(inferInitial([...base, op(3, 'invoke', 'cas', ['x', ''], 'k')], 'kv')).toBeUndefined();
    expect(inferInitial(base, 'set')).toBeUndefined();
    expect(inferInitial([op(0, 'invoke', 'append', 'x', 'k'), op(0, 'ok', 'append', 'x', 'k')], 'kv')).toBeUndefined();
  });
});

describe('counter model', () => {
  it('is linearizable when each read equals the adds before it, and not when a read is impossible', async () => {
    const { checkLinearizable } = await import('../../../checkers/linear/index.js');
    index = 0;
    const good = [
      op(0, 'invoke', 'add', 3), op(1, 'invoke', 'add', -1), op(0, 'ok', 'add', 3),
      op(2, 'invoke', 'read', null), op(2, 'ok', 'read', 3), op(1, 'ok', 'add', -1),
      op(2, 'invoke', 'read', null), op(2, 'ok', 'read', 2),
    ];
    expect((await checkLinearizable(good, { model: 'counter' })).valid).toBe(true);
    index = 0;
    const bad = [op(0, 'invoke', 'add', 3), op(0, 'ok', 'add', 3), op(2, 'invoke', 'read', null), op(2, 'ok', 'read', 2)];
    expect((await checkLinearizable(bad, { model: 'counter' })).valid).toBe(false);
    await expect(checkLinearizable([op(0, 'invoke', 'add', 'x')], { model: 'counter' })).rejects.toThrow(/numeric delta/);
  });
});
