// The txn workloads' generator and message: seeded, unique values, lengths within bounds, keys retiring.
import { describe, expect, it } from 'vitest';
import { rngFor } from '../../../harness/rng.js';
import { makeGenerator, workloadOf } from '../../../harness/workloads/index.js';
import { TxnGenerator, txnFormat, type MicroOp } from '../../../harness/workloads/txn-ops.js';

const opts = { workload: 'txn-list-append' as const, keys: 3, slots: 4, seed: 's1' };

function draw(slot: number, n: number, o: Partial<typeof opts> & Record<string, unknown> = {}, f: 'append' | 'w' = 'append'): MicroOp[][] {
  const gen = new TxnGenerator(rngFor('s1', `client-${slot}`), slot, { ...opts, ...o }, f);
  return Array.from({ length: n }, () => gen.next().value as MicroOp[]);
}

describe('txn generator', () => {
  it('is fixed by the seed and draws 1-4 micro-ops of r and the data model write', () => {
    expect(draw(0, 50)).toEqual(draw(0, 50));
    const txns = draw(1, 500);
    for (const t of txns) {
      expect(t.length).toBeGreaterThanOrEqual(1);
      expect(t.length).toBeLessThanOrEqual(4);
      for (const [f, , v] of t) {
        expect(['r', 'append']).toContain(f);
        if (f === 'r') expect(v).toBeNull();
      }
    }
    expect(new Set(txns.map((t) => t.length)).size).toBe(4);
    expect(draw(1, 200, {}, 'w').flat().every(([f]) => f === 'r' || f === 'w')).toBe(true);
  });

  it('honours --min/--max-txn-length', () => {
    for (const t of draw(2, 200, { minTxnLength: 5, maxTxnLength: 7 })) {
      expect(t.length).toBeGreaterThanOrEqual(5);
      expect(t.length).toBeLessThanOrEqual(7);
    }
  });

  it('writes values unique across slots, and retires keys after about max-writes-per-key writes', () => {
    const all = [0, 1, 2, 3].flatMap((s) => draw(s, 400, { maxWritesPerKey: 8 }).flat());
    const written = all.filter(([f]) => f !== 'r').map(([, , v]) => v);
    expect(new Set(written).size).toBe(written.length);
    const perKey = new Map<number, number>();
    for (const [f, k] of all) if (f !== 'r') perKey.set(k, (perKey.get(k) ?? 0) + 1);
    // 4 slots x 400 txns x ~1.25 writes = ~2000 writes over 3 keys a window, 8 writes a key: many windows.
    expect(perKey.size).toBeGreaterThan(100);
    expect(Math.max(...perKey.values())).toBeLessThan(8 * 3);
  });

  it('is what makeGenerator hands out for both txn workloads', () => {
    const op = makeGenerator(0, { ...opts, workload: 'txn-rw-register' }).next();
    expect(op.f).toBe('txn');
    expect(workloadOf('txn-list-append').maelstrom).toBe(txnFormat);
  });
});

describe("Maelstrom's txn message", () => {
  it('sends the micro-ops and takes back what txn_ok says', () => {
    const op = { f: 'txn', value: [['r', 1, null], ['append', 1, 5]] };
    expect(txnFormat.request(op)).toEqual({ type: 'txn', txn: op.value });
    expect(txnFormat.okType(op)).toBe('txn_ok');
    expect(txnFormat.okValue(op, { type: 'txn_ok', txn: [['r', 1, [3]], ['append', 1, 5]] })).toEqual([['r', 1, [3]], ['append', 1, 5]]);
    expect(() => txnFormat.request({ f: 'read', key: 1 })).toThrow(/no message/);
  });
});
