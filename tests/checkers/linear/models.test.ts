// Hand-written histories for each model and each edge of the semantics.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import type { Op } from '../../../histories/op.js';
import { checkLinearizable, type LinearOptions } from '../../../checkers/linear/index.js';
import { History } from './helpers.js';

async function verdict(ops: Op[], opts: Omit<LinearOptions, 'workers'>): Promise<unknown> {
  return (await checkLinearizable(ops, { workers: 1, shrink: false, ...opts })).valid;
}

describe('register', () => {
  it('a read sees the last completed write', async () => {
    const h = new History().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 1);
    expect(await verdict(h.ops, { model: 'register' })).toBe(true);
    const bad = new History().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 2);
    expect(await verdict(bad.ops, { model: 'register' })).toBe(false);
  });

  it('a read overlapping a write may see the old or the new value', async () => {
    for (const seen of [0, 1]) {
      const h = new History().invoke(0, 'write', 0).ok(0).invoke(1, 'read').invoke(0, 'write', 1).ok(1, seen).ok(0);
      expect(await verdict(h.ops, { model: 'register' })).toBe(true);
    }
  });

  it('a stale read after a completed overwrite is caught', async () => {
    const h = new History().invoke(0, 'write', 0).ok(0).invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 0);
    expect(await verdict(h.ops, { model: 'register' })).toBe(false);
  });

  it('nil reads: checked when the register starts nil, ignored (as Knossos) when it starts non-nil', async () => {
    const before = new History().invoke(1, 'read').ok(1, null).invoke(0, 'write', 3).ok(0);
    expect(await verdict(before.ops, { model: 'register' })).toBe(true);
    const after = new History().invoke(0, 'write', 3).ok(0).invoke(1, 'read').ok(1, null);
    expect(await verdict(after.ops, { model: 'register' })).toBe(false);
    expect(await verdict(after.ops, { model: 'register', initial: 0 })).toBe(true);
  });

  it('a failed write never happened', async () => {
    const h = new History().invoke(1, 'read').invoke(0, 'write', 3).fail(0).ok(1, 3);
    expect(await verdict(h.ops, { model: 'register', initial: 0 })).toBe(false);
  });

  it('an info write may take effect any time after its invoke, even much later, or never', async () => {
    const later = new History().invoke(0, 'write', 5).info(0).invoke(1, 'read').ok(1, 0).invoke(1, 'read').ok(1, 5);
    expect(await verdict(later.ops, { model: 'register', initial: 0 })).toBe(true);
    const never = new History().invoke(0, 'write', 5).info(0).invoke(1, 'read').ok(1, 0);
    expect(await verdict(never.ops, { model: 'register', initial: 0 })).toBe(true);
    const notBefore = new History().invoke(1, 'read').ok(1, 5).invoke(0, 'write', 5).info(0);
    expect(await verdict(notBefore.ops, { model: 'register', initial: 0 })).toBe(false);
  });

  it('a never-completed invoke behaves like info', async () => {
    const h = new History().invoke(0, 'write', 7).invoke(1, 'read').ok(1, 7);
    expect(await verdict(h.ops, { model: 'register', initial: 0 })).toBe(true);
  });

  it('an info read constrains nothing', async () => {
    const h = new History().invoke(0, 'write', 1).ok(0).invoke(1, 'read').info(1, 99);
    expect(await verdict(h.ops, { model: 'register' })).toBe(true);
  });

  it('order is the order of the array, not time', async () => {
    const h = new History().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 1);
    // Scramble times: the checker must not look at them.
    h.ops.forEach((o, i) => (o.time = (10 - i) * 1000));
    expect(await verdict(h.ops, { model: 'register' })).toBe(true);
  });

  it('nemesis and final-read ops are ignored', async () => {
    const h = new History().nemesis('start-partition', { n1: ['n2'] }).invoke(0, 'write', 1).ok(0).nemesis('stop-partition');
    h.invoke(2, 'final-read').ok(2, 'garbage');
    expect(await verdict(h.ops, { model: 'register' })).toBe(true);
  });

  it('register has no cas', async () => {
    const h = new History().invoke(0, 'cas', [0, 1]).ok(0);
    await expect(checkLinearizable(h.ops, { model: 'register', workers: 1 })).rejects.toThrow(/unknown op f="cas"/);
  });
});

describe('cas-register', () => {
  it('sequential cas chain', async () => {
    const h = new History().invoke(0, 'cas', [0, 1]).ok(0).invoke(1, 'cas', [1, 2]).ok(1).invoke(2, 'read').ok(2, 2);
    expect(await verdict(h.ops, { model: 'cas-register', initial: 0 })).toBe(true);
  });

  it('two concurrent cas from the same value cannot both succeed', async () => {
    const h = new History().invoke(0, 'cas', [0, 1]).invoke(1, 'cas', [0, 2]).ok(0).ok(1);
    expect(await verdict(h.ops, { model: 'cas-register', initial: 0 })).toBe(false);
    const one = new History().invoke(0, 'cas', [0, 1]).invoke(1, 'cas', [0, 2]).ok(0).fail(1);
    expect(await verdict(one.ops, { model: 'cas-register', initial: 0 })).toBe(true);
  });

  it('a cas whose expected value differs cannot succeed', async () => {
    const h = new History().invoke(0, 'cas', [5, 1]).ok(0);
    expect(await verdict(h.ops, { model: 'cas-register', initial: 0 })).toBe(false);
  });

  it('an info cas may have happened', async () => {
    const h = new History().invoke(0, 'cas', [0, 4]).info(0).invoke(1, 'read').ok(1, 4);
    expect(await verdict(h.ops, { model: 'cas-register', initial: 0 })).toBe(true);
  });

  it('reads nil before any write when it starts nil', async () => {
    const h = new History().invoke(1, 'read').ok(1, null).invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 1);
    expect(await verdict(h.ops, { model: 'cas-register' })).toBe(true);
  });

  it('bad cas values are input errors', async () => {
    const h = new History().invoke(0, 'cas', 3).ok(0);
    await expect(checkLinearizable(h.ops, { model: 'cas-register', workers: 1 })).rejects.toBeInstanceOf(InputError);
  });
});

describe('kv', () => {
  it('keys are independent; --initial is every key’s start', async () => {
    const h = new History().invoke(0, 'put', 1, 'a').ok(0).invoke(1, 'get', null, 'b').ok(1, 0);
    expect(await verdict(h.ops, { model: 'kv', initial: 0 })).toBe(true);
    const crossed = new History().invoke(0, 'put', 1, 'a').ok(0).invoke(1, 'get', null, 'b').ok(1, 1);
    expect(await verdict(crossed.ops, { model: 'kv', initial: 0 })).toBe(false);
  });

  it('append concatenates strings (from nil too)', async () => {
    const good = new History().invoke(0, 'append', 'x', 'k').ok(0).invoke(0, 'append', 'y', 'k').ok(0).invoke(1, 'get', null, 'k').ok(1, 'xy');
    expect(await verdict(good.ops, { model: 'kv' })).toBe(true);
    const bad = new History().invoke(0, 'append', 'x', 'k').ok(0).invoke(0, 'append', 'y', 'k').ok(0).invoke(1, 'get', null, 'k').ok(1, 'yx');
    expect(await verdict(bad.ops, { model: 'kv' })).toBe(false);
    const racing = new History().invoke(0, 'append', 'x', 'k').invoke(2, 'append', 'y', 'k').ok(0).ok(2).invoke(1, 'get', null, 'k').ok(1, 'yx');
    expect(await verdict(racing.ops, { model: 'kv' })).toBe(true);
  });

  it('compares JSON values structurally (key order does not matter)', async () => {
    const h = new History().invoke(0, 'write', { a: 1, b: [1, 2] }, 'k').ok(0).invoke(1, 'read', null, 'k').ok(1, { b: [1, 2], a: 1 });
    expect(await verdict(h.ops, { model: 'kv' })).toBe(true);
  });

  it('cas per key', async () => {
    const h = new History().invoke(0, 'cas', [null, 'v'], 'k').ok(0).invoke(1, 'get', null, 'k').ok(1, 'v');
    expect(await verdict(h.ops, { model: 'kv' })).toBe(true);
  });
});

describe('multi-register', () => {
  const initial = { x: 0, y: 0 };
  it('a txn is atomic: a read sees both writes of another txn or neither', async () => {
    const w = (h: History): History => h.invoke(0, 'txn', [['w', 'x', 1], ['w', 'y', 2]]).ok(0);
    const both = w(new History()).invoke(1, 'txn', [['r', 'x', null], ['r', 'y', null]]).ok(1, [['r', 'x', 1], ['r', 'y', 2]]);
    expect(await verdict(both.ops, { model: 'multi-register', initial })).toBe(true);
    const torn = w(new History()).invoke(1, 'txn', [['r', 'x', null], ['r', 'y', null]]).ok(1, [['r', 'x', 1], ['r', 'y', 0]]);
    expect(await verdict(torn.ops, { model: 'multi-register', initial })).toBe(false);
  });

  it('accepts read/write spelled out (Jepsen keywords) and info txns', async () => {
    const h = new History()
      .invoke(0, 'txn', [['write', 'x', 5]])
      .info(0)
      .invoke(1, 'txn', [['read', 'x', null]])
      .ok(1, [['read', 'x', 5]]);
    expect(await verdict(h.ops, { model: 'multi-register', initial })).toBe(true);
  });

  it('keys do not split a multi-register history', async () => {
    const h = new History().invoke(0, 'txn', [['w', 'x', 1]], 'a').ok(0).invoke(1, 'txn', [['r', 'x', null]], 'b').ok(1, [['r', 'x', 0]]);
    expect(await verdict(h.ops, { model: 'multi-register', initial })).toBe(false);
  });

  it('malformed micro-ops are input errors', async () => {
    const h = new History().invoke(0, 'txn', [['frob', 'x', 1]]).ok(0);
    await expect(checkLinearizable(h.ops, { model: 'multi-register', workers: 1 })).rejects.toThrow(/bad micro-op/);
  });
});

describe('set', () => {
  it('a read returns the whole set, in any order', async () => {
    const h = new History().invoke(0, 'add', 1).ok(0).invoke(0, 'add', 2).ok(0).invoke(1, 'read').ok(1, [2, 1]);
    expect(await verdict(h.ops, { model: 'set' })).toBe(true);
    const lost = new History().invoke(0, 'add', 1).ok(0).invoke(0, 'add', 2).ok(0).invoke(1, 'read').ok(1, [1]);
    expect(await verdict(lost.ops, { model: 'set' })).toBe(false);
  });

  it('a concurrent add may or may not be seen', async () => {
    for (const seen of [[1], [1, 3]]) {
      const h = new History().invoke(0, 'add', 1).ok(0).invoke(2, 'add', 3).invoke(1, 'read').ok(1, seen).ok(2);
      expect(await verdict(h.ops, { model: 'set' })).toBe(true);
    }
  });
});

describe('mutex', () => {
  it('two holders at once are not linearizable', async () => {
    const h = new History().invoke(0, 'acquire').ok(0).invoke(1, 'acquire').ok(1);
    expect(await verdict(h.ops, { model: 'mutex' })).toBe(false);
  });
  it('acquire, release, acquire is fine; release of a free lock is not', async () => {
    const h = new History().invoke(0, 'acquire').ok(0).invoke(0, 'release').ok(0).invoke(1, 'acquire').ok(1);
    expect(await verdict(h.ops, { model: 'mutex' })).toBe(true);
    const free = new History().invoke(0, 'release').ok(0);
    expect(await verdict(free.ops, { model: 'mutex' })).toBe(false);
  });
  it('an info acquire may never have happened', async () => {
    const h = new History().invoke(0, 'acquire').info(0).invoke(1, 'acquire').ok(1);
    expect(await verdict(h.ops, { model: 'mutex' })).toBe(true);
  });
});

describe('fifo-queue', () => {
  it('dequeues come out in enqueue order', async () => {
    const h = new History().invoke(0, 'enqueue', 1).ok(0).invoke(0, 'enqueue', 2).ok(0).invoke(1, 'dequeue').ok(1, 1).invoke(1, 'dequeue').ok(1, 2);
    expect(await verdict(h.ops, { model: 'fifo-queue' })).toBe(true);
    const swapped = new History().invoke(0, 'enqueue', 1).ok(0).invoke(0, 'enqueue', 2).ok(0).invoke(1, 'dequeue').ok(1, 2);
    expect(await verdict(swapped.ops, { model: 'fifo-queue' })).toBe(false);
  });
  it('a dequeue of nil means the queue was empty', async () => {
    const empty = new History().invoke(1, 'dequeue').ok(1, null).invoke(0, 'enqueue', 1).ok(0);
    expect(await verdict(empty.ops, { model: 'fifo-queue' })).toBe(true);
    const notEmpty = new History().invoke(0, 'enqueue', 1).ok(0).invoke(1, 'dequeue').ok(1, null);
    expect(await verdict(notEmpty.ops, { model: 'fifo-queue' })).toBe(false);
  });
  it('concurrent enqueues may land in either order', async () => {
    const h = new History().invoke(0, 'enqueue', 1).invoke(2, 'enqueue', 2).ok(0).ok(2).invoke(1, 'dequeue').ok(1, 2);
    expect(await verdict(h.ops, { model: 'fifo-queue' })).toBe(true);
  });
});

describe('whole-history edges', () => {
  it('no client ops at all: unknown (nothing was tested; never valid), with the reason', async () => {
    expect(await verdict([], { model: 'register' })).toBe('unknown');
    const r = await checkLinearizable(new History().nemesis('start-kill').nemesis('stop-kill').ops, { model: 'register', workers: 1 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/no client ops/);
  });
  it('client ops that all failed: trivially linearizable', async () => {
    const h = new History().invoke(0, 'write', 1).fail(0);
    expect(await verdict(h.ops, { model: 'register' })).toBe(true);
  });
  it('bad input is an InputError, not a crash', async () => {
    const orphan = new History().invoke(0, 'write', 1).ok(0).ops.slice(1);
    await expect(checkLinearizable(orphan, { model: 'register', workers: 1 })).rejects.toThrow(/without invoking/);
    const twice = new History().invoke(0, 'write', 1).invoke(0, 'write', 2).ops;
    await expect(checkLinearizable(twice, { model: 'register', workers: 1 })).rejects.toThrow(/had not completed/);
    await expect(checkLinearizable([], { model: 'nope' })).rejects.toThrow(/unknown model "nope"/);
    await expect(checkLinearizable([], { model: 'register', workers: 0 })).rejects.toBeInstanceOf(InputError);
    await expect(checkLinearizable([], { model: 'set', initial: 5 })).rejects.toBeInstanceOf(InputError);
  });
});

// The kv model appends strings by joining canonical texts; a surrogate pair split across two appends must still
// read as the one character it makes (and the growth pruning must not call the read unreachable).
describe('kv appends across a surrogate pair', () => {
  const run = (seen: string): Promise<unknown> => {
    const h = new History()
      .invoke(0, 'append', '\ud83d', 'k')
      .ok(0)
      .invoke(0, 'append', '\ude00', 'k')
      .ok(0)
      .invoke(1, 'get', null, 'k')
      .ok(1, seen);
    return checkLinearizable(h.ops, { model: 'kv', initial: 'a', workers: 1 }).then((r) => r.valid);
  };
  it('reads back as the joined character', async () => {
    expect(await run('a\ud83d\ude00')).toBe(true);
    expect(await run('a\ud83d')).toBe(false);
  });
});
