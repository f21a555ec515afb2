import { describe, expect, it } from 'vitest';
import { checkCounter } from '../../checkers/counter.js';
import { checkUniqueIds } from '../../checkers/unique-ids.js';
import { history } from './history-builder.js';

const add = (h: ReturnType<typeof history>, p: number, delta: number, span: [number, number], o = {}) => h.op(p, 'add', 0, delta, span, o);
const read = (h: ReturnType<typeof history>, p: number, value: number, span: [number, number], o = {}) =>
  h.op(p, 'read', 0, null, span, { ...o, result: value });

describe('checkCounter', () => {
  it('accepts reads inside the bounds and agreeing final reads equal to the acknowledged sum', () => {
    const h = history();
    add(h, 0, 3, [0, 1]);
    add(h, 1, -1, [0.5, 3]); // concurrent with the read: it may or may not be counted
    read(h, 2, 2, [2, 2.5]); // 3 definitely, -1 maybe: between 2 and 3
    read(h, 2, 3, [2.6, 2.8]);
    h.heal(4).finalRound(0, [5, 6], { 0: { n1: 2, n2: 2 } });
    const r = checkCounter(h.build());
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ acknowledgedSum: 2, finalBounds: [2, 2], readsOutOfBounds: 0 });
  });

  it('reports a read below what had certainly been added, and fails it only when reads are held strictly', () => {
    const h = history();
    add(h, 0, 5, [0, 1]);
    read(h, 1, 0, [2, 3]);
    h.heal(4).finalRound(0, [5, 6], { 0: { n1: 5, n2: 5 } });
    const ops = h.build();
    const loose = checkCounter(ops);
    expect(loose.valid).toBe(true);
    expect(loose.stats.readsOutOfBounds).toBe(1);
    expect(loose.anomalies[0]).toMatchObject({ kind: 'counter-read-out-of-bounds', lower: 5, upper: 5 });
    expect(checkCounter(ops, { strictReads: true }).valid).toBe(false);
  });

  it('fails when final reads disagree, or fall below the acknowledged sum (lost increments)', () => {
    const h = history();
    add(h, 0, 4, [0, 1]);
    add(h, 1, 2, [0, 1], { outcome: 'info' }); // may or may not have happened: final may be 4 or 6
    h.heal(4).finalRound(0, [5, 6], { 0: { n1: 6, n2: 4 } });
    const divergent = checkCounter(h.build());
    expect(divergent.valid).toBe(false);
    expect(divergent.anomalies.map((a) => a.kind)).toContain('divergent');

    const h2 = history();
    add(h2, 0, 4, [0, 1]);
    h2.heal(4).finalRound(0, [5, 6], { 0: { n1: 3, n2: 3 } });
    const lost = checkCounter(h2.build());
    expect(lost.valid).toBe(false);
    expect(lost.anomalies[0]).toMatchObject({ kind: 'lost-increments', value: 3, lower: 4 });
  });

  it('says unknown when there is nothing to compare the adds with, and when a delta is not a number', () => {
    const h = history();
    add(h, 0, 1, [0, 1]);
    expect(checkCounter(h.build()).valid).toBe('unknown');
    const h2 = history();
    h2.op(0, 'add', 0, 'one', [0, 1]);
    read(h2, 1, 1, [2, 3]);
    const r = checkCounter(h2.build());
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/numeric delta/);
  });
});

describe('checkUniqueIds', () => {
  it('accepts distinct ids, fails on an id handed out twice, and names who got it', () => {
    const gen = (h: ReturnType<typeof history>, p: number, id: unknown, node: string, t: number) => h.op(p, 'generate', 0, null, [t, t + 0.1], { node, result: id });
    const good = history();
    gen(good, 0, 'n1-0', 'n1', 0);
    gen(good, 1, 'n2-0', 'n2', 0);
    gen(good, 0, 1, 'n1', 1);
    gen(good, 1, '1', 'n2', 1); // 1 and "1" are different ids
    expect(checkUniqueIds(good.build())).toMatchObject({ valid: true, stats: { generated: 4, distinct: 4 } });

    const bad = history();
    gen(bad, 0, 7, 'n1', 0);
    gen(bad, 1, 7, 'n2', 1);
    const r = checkUniqueIds(bad.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].message).toMatch(/id 7 was handed out 2 times: p0 on n1, p1 on n2/);
    expect(checkUniqueIds(history().build()).valid).toBe('unknown');
  });
});

describe('checkEcho', () => {
  it('accepts replies equal to what was sent and names a reply that is not', async () => {
    const { checkEcho } = await import('../../checkers/echo.js');
    const good = history();
    good.op(0, 'echo', 0, 'hi 1', [0, 1]);
    good.op(1, 'echo', 0, 'hi 2', [0, 1], { node: 'n2' });
    expect(checkEcho(good.build())).toMatchObject({ valid: true, stats: { echoes: 2, wrong: 0 } });
    const bad = history();
    bad.op(0, 'echo', 0, 'hi 1', [0, 1], { result: 'hi 0' });
    const r = checkEcho(bad.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].message).toBe('p0 on n1 sent "hi 1" and got back "hi 0"');
    expect(checkEcho(history().build()).valid).toBe('unknown');
  });
});
