// The zone test (checkers/linear/zones.ts) against brute force on random read/write histories with unique writes,
// up to 50 processes with info ops; its counterexamples fail on their own; and planted histories whose search
// would need every subset of dozens of overlapping writes are decided with the planted ops named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../histories/op.js';
import { MODELS } from '../../../checkers/models/index.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { compilePartition } from '../../../checkers/linear/compile.js';
import { splitHistory } from '../../../checkers/linear/split.js';
import { mapZoneOps, zoneCheck } from '../../../checkers/linear/zones.js';
import { explainZones } from '../../../checkers/linear/zone-explain.js';
import { bruteForce } from './brute-force.js';
import { randomHistory } from './random-history.js';

const model = MODELS.register;
const unit = fc.noBias(fc.integer({ min: 0, max: 0xffff_ffff })).map((i) => i / 2 ** 32);
const tape = fc.array(unit, { minLength: 20, maxLength: 300 });
const tapeRng = (t: readonly number[]): (() => number) => {
  let i = 0;
  return () => (i < t.length ? t[i++] : 0);
};

/** The zone test's verdict on a one-key history (true when it has no ops), or undefined when not eligible. */
function zones(ops: Op[], initial: unknown, m = model): boolean | undefined {
  const { partitions } = splitHistory(ops, true);
  if (partitions.length === 0) return true;
  const v = zoneCheck(compilePartition(m, initial, partitions[0].pairs), m.readWrite!, m.init(initial));
  return v?.valid;
}

/** Ops in real time: each [process, f, value, end] starts a new op or ends the process's open one. */
function history(events: [number, 'invoke' | 'ok' | 'info', string, unknown][]): Op[] {
  return events.map(([process, type, f, value], index) => ({ index, process, type, f, value }) as Op);
}

describe('zone test', () => {
  it('agrees with brute force on 300 random unique-write histories (up to 50 processes, info ops)', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(tape, fc.integer({ min: 1, max: 50 }), (t, procs) => {
        const { ops, initial } = randomHistory(tapeRng(t), 'register-unique', 9, procs);
        const expected = bruteForce(model, initial, ops);
        const got = zones(ops, initial);
        if (got === undefined) throw new Error(`not eligible:\n${ops.map((o) => JSON.stringify(o)).join('\n')}`);
        if (expected !== 'unknown' && got !== expected) {
          throw new Error(`brute force says ${String(expected)}, zones say ${String(got)}\n${ops.map((o) => JSON.stringify(o)).join('\n')}`);
        }
        seen.set(String(got), (seen.get(String(got)) ?? 0) + 1);
      }),
      { numRuns: 300, seed: 0x20e5 },
    );
    expect(seen.get('true')).toBeGreaterThan(30);
    expect(seen.get('false')).toBeGreaterThan(30);
  });

  it('names a counterexample that is not linearizable on its own', () => {
    let invalid = 0;
    fc.assert(
      fc.property(tape, fc.integer({ min: 1, max: 50 }), (t, procs) => {
        const { ops, initial } = randomHistory(tapeRng(t), 'register-unique', 9, procs);
        const { partitions } = splitHistory(ops, true);
        if (partitions.length === 0) return;
        const cp = compilePartition(model, initial, partitions[0].pairs);
        const v = zoneCheck(cp, model.readWrite!, model.init(initial));
        if (v?.valid !== false) return;
        invalid++;
        const a = explainZones(model, initial, partitions[0], mapZoneOps(v.conflict, (i) => cp.pair[i]), { kind: 'nonlinearizable', message: '' });
        const ce = a.counterexample as { ops: Op[]; explanation: string };
        expect(ce.explanation.length).toBeGreaterThan(0);
        expect(bruteForce(model, initial, ce.ops.map((o, index) => ({ ...o, index })))).toBe(false);
      }),
      { numRuns: 300, seed: 0x20e6 },
    );
    expect(invalid).toBeGreaterThan(30);
  });

  it('does not take a history outside its theorem (a cas, or a value written twice)', () => {
    const plain = history([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]]);
    expect(zones(plain, null, MODELS['cas-register'])).toBe(true);
    const cas = history([...plain.map((o) => [o.process, o.type, o.f, o.value] as [number, 'invoke' | 'ok', string, unknown]), [2, 'invoke', 'cas', [1, 2]], [2, 'ok', 'cas', [1, 2]]]);
    expect(zones(cas, null, MODELS['cas-register'])).toBeUndefined();
    const twice = history([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'write', 1], [1, 'ok', 'write', 1]]);
    expect(zones(twice, null)).toBeUndefined();
    const start = history([[0, 'invoke', 'write', 0], [0, 'ok', 'write', 0]]);
    expect(zones(start, 0)).toBeUndefined();
  });

  it('decides 40 overlapping writes read back two ways at once, naming the four ops', async () => {
    // Every write overlaps every other; then two reads, after all of them, see different values. A search
    // meets every subset of the writes as its own configuration (2^40); the zone test sees two overlapping zones.
    const n = 40;
    const ev: [number, 'invoke' | 'ok' | 'info', string, unknown][] = [];
    for (let p = 0; p < n; p++) ev.push([p, 'invoke', 'write', p + 1]);
    for (let p = 0; p < n; p++) ev.push([p, p % 7 === 3 ? 'info' : 'ok', 'write', p + 1]);
    ev.push([100, 'invoke', 'read', null], [101, 'invoke', 'read', null], [100, 'ok', 'read', 5], [101, 'ok', 'read', 9]);
    const ops = history(ev);
    const r = await checkLinearizable(ops, { model: 'register', initial: null, workers: 1 });
    expect(r.valid).toBe(false);
    expect(r.stats.zoneKeys).toBe(1);
    const ce = r.anomalies[0].counterexample as { indices: number[]; explanation: string };
    expect(ce.indices).toEqual([4, 8, 44, 48, 80, 81, 82, 83]);
    expect(r.anomalies[0].message).toMatch(/5 was current by the time .* and still after p100's read → 5 \(op 80\) began/);
    expect(r.anomalies[0].message).toMatch(/overlap/);
    // The same history with the reads agreeing is linearizable, also without a search.
    const good = history([...ev.slice(0, -1), [101, 'ok', 'read', 5]]);
    const g = await checkLinearizable(good, { model: 'register', initial: null, workers: 1 });
    expect(g.valid).toBe(true);
    expect(g.stats.statesExplored).toBe(0);
  });

  it('explains a stale read of the start value, a read from the future and a read of a value nobody wrote', () => {
    const stale = history([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 0]]);
    expect(zoneMessage(stale, 0)).toMatch(/0 \(the start value\) was current from the beginning until after p1's read → 0 \(op 2\) began/);
    expect(zoneMessage(stale, 0)).toMatch(/1, written by p0's write\(1\) \(op 0\), ran entirely inside that stretch/);
    const future = history([[1, 'invoke', 'read', null], [1, 'ok', 'read', 7], [0, 'invoke', 'write', 7], [0, 'ok', 'write', 7]]);
    expect(zoneMessage(future, null)).toMatch(/p1's read → 7 \(op 0\) completed before p0's write\(7\) \(op 2\) began/);
    const nobody = history([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 2]]);
    expect(zoneMessage(nobody, null)).toMatch(/p1's read → 2 \(op 2\) saw a value that no op wrote/);
    // Two writes overlapping a stretch of 1 from both sides: "began after it opened and ended before it closed".
    const around = history([
      [0, 'invoke', 'write', 1], [0, 'ok', 'write', 1],
      [2, 'invoke', 'read', null], [3, 'invoke', 'write', 2], [2, 'ok', 'read', 2], [4, 'invoke', 'read', null], [3, 'ok', 'write', 2],
      [4, 'ok', 'read', 1],
    ]);
    expect(zoneMessage(around, null)).toMatch(/cannot fit around that stretch: .* began after it opened and .* ended before it closed/);
  });
});

/** The zone test's explanation of a one-key history it finds not linearizable. */
function zoneMessage(ops: Op[], initial: unknown): string {
  const part = splitHistory(ops, true).partitions[0];
  const cp = compilePartition(model, initial, part.pairs);
  const v = zoneCheck(cp, model.readWrite!, model.init(initial));
  if (v?.valid !== false) throw new Error(`the zone test says ${String(v?.valid)}`);
  return explainZones(model, initial, part, mapZoneOps(v.conflict, (i) => cp.pair[i]), { kind: 'nonlinearizable', message: '' }).message;
}
