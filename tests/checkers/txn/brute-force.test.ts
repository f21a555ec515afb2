/**
 * The transactional checker against brute force: on thousands of small random histories, try every serial
 * order of the committed transactions (and every choice of which indeterminate ones took effect) and compare.
 * List-append reveals every version order, so there the two must agree exactly on serializability; an
 * rw-register history hides some orders, so there the checker must never call invalid what some serial
 * order explains, and must still catch a good share of what none does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTxn } from '../../../checkers/txn/index.js';
import { concurrent, type M, type T } from './build.js';

const KEYS = ['x', 'y'];

function permutations<X>(xs: X[]): X[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Some serial order of the ok transactions and some subset of the info ones explains every read. */
function serializable(txns: T[], model: 'list-append' | 'rw-register'): boolean {
  const ok = txns.filter((t) => (t.outcome ?? 'ok') === 'ok');
  const info = txns.filter((t) => t.outcome === 'info');
  for (let mask = 0; mask < 1 << info.length; mask++) {
    const chosen = [...ok, ...info.filter((_, i) => mask & (1 << i))];
    for (const order of permutations(chosen)) {
      const state = new Map<unknown, unknown>();
      const fits = order.every((t) =>
        t.mops.every(([f, k, v]) => {
          if (f === 'append') state.set(k, [...((state.get(k) as unknown[]) ?? []), v]);
          else if (f === 'w') state.set(k, v);
          else if (t.outcome !== 'info') return same(state.get(k) ?? (model === 'list-append' ? [] : null), model === 'list-append' ? (v ?? []) : v);
          return true;
        }),
      );
      if (fits) return true;
    }
  }
  return false;
}

const outcome = fc.constantFrom<'ok' | 'fail' | 'info'>('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'fail', 'info');
const mopShape = fc.record({ read: fc.boolean(), key: fc.nat(KEYS.length - 1), pick: fc.nat(1000) });
const shapes = fc.array(fc.record({ mops: fc.array(mopShape, { minLength: 1, maxLength: 3 }), outcome }), { minLength: 1, maxLength: 4 });

/** Appends get unique values; each read returns a prefix of one random order of the key's appends. */
function listAppend(shape: { mops: { read: boolean; key: number; pick: number }[]; outcome: 'ok' | 'fail' | 'info' }[], shuffle: number[]): T[] {
  let next = 1;
  const appended = new Map<string, number[]>();
  const txns = shape.map((s) => ({
    outcome: s.outcome,
    mops: s.mops.map((m): M => {
      const k = KEYS[m.key];
      if (m.read) return ['r', k, null];
      const v = next++;
      appended.set(k, [...(appended.get(k) ?? []), v]);
      return ['append', k, v];
    }),
  }));
  const orders = new Map<string, number[]>();
  for (const [k, vs] of appended) {
    const o = [...vs];
    for (let i = o.length - 1; i > 0; i--) {
      const j = (shuffle[i % shuffle.length] ?? 0) % (i + 1);
      [o[i], o[j]] = [o[j], o[i]];
    }
    orders.set(k, o);
  }
  txns.forEach((t, ti) =>
    t.mops.forEach((m, mi) => {
      if (m[0] !== 'r') return;
      const o = orders.get(m[1] as string) ?? [];
      m[2] = o.slice(0, shape[ti].mops[mi].pick % (o.length + 1));
    }),
  );
  return txns;
}

/** Writes get unique values; each read returns nil or one of the values written to its key. */
function rwRegister(shape: { mops: { read: boolean; key: number; pick: number }[]; outcome: 'ok' | 'fail' | 'info' }[]): T[] {
  let next = 1;
  const written = new Map<string, number[]>();
  const txns = shape.map((s) => ({
    outcome: s.outcome,
    mops: s.mops.map((m): M => {
      const k = KEYS[m.key];
      if (m.read) return ['r', k, null];
      const v = next++;
      written.set(k, [...(written.get(k) ?? []), v]);
      return ['w', k, v];
    }),
  }));
  txns.forEach((t, ti) =>
    t.mops.forEach((m, mi) => {
      if (m[0] !== 'r') return;
      const vs = written.get(m[1] as string) ?? [];
      const p = shape[ti].mops[mi].pick % (vs.length + 1);
      m[2] = p === vs.length ? null : vs[p];
    }),
  );
  return txns;
}

describe('txn checker against brute force', () => {
  it('list-append: serializable exactly when brute force finds a serial order', () => {
    let invalid = 0;
    fc.assert(
      fc.property(shapes, fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }), (shape, shuffle) => {
        const txns = listAppend(shape, shuffle);
        const expected = serializable(txns, 'list-append');
        const r = checkTxn(concurrent(txns), 'list-append', { consistencyModels: ['serializable'] });
        if (!expected) invalid++;
        expect({ valid: r.valid, types: r.anomalyTypes }).toEqual(expect.objectContaining({ valid: expected }));
      }),
      { numRuns: 3000, seed: 1205 },
    );
    expect(invalid).toBeGreaterThan(300);
  });

  it('rw-register: never invalid where a serial order exists, and catches most of the rest', () => {
    let nonSerializable = 0;
    let caught = 0;
    fc.assert(
      fc.property(shapes, (shape) => {
        const txns = rwRegister(shape);
        const expected = serializable(txns, 'rw-register');
        const r = checkTxn(concurrent(txns), 'rw-register', { consistencyModels: ['serializable'] });
        if (expected) expect({ valid: r.valid, types: r.anomalyTypes }).toEqual(expect.objectContaining({ valid: true }));
        else {
          nonSerializable++;
          if (r.valid === false) caught++;
        }
      }),
      { numRuns: 3000, seed: 1205 },
    );
    expect(nonSerializable).toBeGreaterThan(300);
    expect(caught / nonSerializable).toBeGreaterThan(0.5);
  });
});
