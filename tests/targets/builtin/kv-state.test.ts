// The built-in state machine's transactions: applied whole and in order, refused whole on a kind clash, and
// the unseen-own-writes bug and the local simulation raft's txn-local-reads bug answers with.
import { describe, expect, it } from 'vitest';
import { KvState, parseClientRequest } from '../../../targets/builtin/kv-state.js';

describe('KvState transactions', () => {
  it('applies micro-ops in order, reads seeing the txn\'s own writes, lists and registers apart', () => {
    const kv = new KvState();
    expect(kv.applyTxn([['r', 1, null], ['append', 1, 5], ['append', 1, 6], ['r', 1, null], ['w', 2, 9], ['r', 2, null]])).toEqual({
      type: 'txn_ok',
      txn: [['r', 1, null], ['append', 1, 5], ['append', 1, 6], ['r', 1, [5, 6]], ['w', 2, 9], ['r', 2, 9]],
    });
    // A read returns a copy: a later append must not change what an earlier reply said.
    const r = kv.applyTxn([['r', 1, null]]) as unknown as { txn: [string, number, number[]][] };
    kv.applyTxn([['append', 1, 7]]);
    expect(r.txn[0][2]).toEqual([5, 6]);
    expect(kv.localRead(1)).toEqual({ value: [5, 6, 7], exists: true });
  });

  it('refuses a txn that appends to a register or writes over a list with 30, applying none of it', () => {
    const kv = new KvState();
    kv.applyTxn([['w', 'r', 1], ['append', 'l', 1]]);
    expect(kv.applyTxn([['append', 'x', 3], ['append', 'r', 2]])).toMatchObject({ type: 'error', code: 30 });
    expect(kv.applyTxn([['w', 'l', 2]])).toMatchObject({ type: 'error', code: 30 });
    expect(kv.localRead('x').exists).toBe(false);
  });

  it('unseen-own-writes: a read misses the txn\'s own earlier write, but later txns see it', () => {
    const kv = new KvState('unseen-own-writes');
    kv.applyTxn([['append', 1, 1]]);
    expect(kv.applyTxn([['append', 1, 2], ['r', 1, null]])).toEqual({ type: 'txn_ok', txn: [['append', 1, 2], ['r', 1, [1]]] });
    expect(kv.applyTxn([['r', 1, null]])).toEqual({ type: 'txn_ok', txn: [['r', 1, [1, 2]]] });
  });

  it('simulateTxn answers as the txn would now, without applying it', () => {
    const kv = new KvState();
    kv.applyTxn([['append', 1, 1], ['w', 2, 'a']]);
    expect(kv.simulateTxn([['append', 1, 2], ['r', 1, null], ['w', 2, 'b'], ['r', 2, null], ['r', 3, null]])).toEqual([
      ['append', 1, 2], ['r', 1, [1, 2]], ['w', 2, 'b'], ['r', 2, 'b'], ['r', 3, null],
    ]);
    expect(kv.localRead(1).value).toEqual([1]);
    expect(kv.localRead(2).value).toBe('a');
  });

  it('parses Maelstrom txn requests and refuses malformed ones with 12', () => {
    expect(parseClientRequest({ type: 'txn', txn: [['r', 1, null], ['append', 1, 3]] })).toEqual({ f: 'txn', txn: [['r', 1, null], ['append', 1, 3]] });
    for (const txn of [[], [['inc', 1, 1]], [['r', 1]], 'x', [['r', { k: 1 }, null]]]) {
      expect(parseClientRequest({ type: 'txn', txn })).toMatchObject({ type: 'error', code: 12 });
    }
  });
});
