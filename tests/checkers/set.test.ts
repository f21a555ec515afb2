import { describe, expect, it } from 'vitest';
import { analyzeSet, checkSet } from '../../checkers/set.js';
import { InputError } from '../../histories/errors.js';
import { history } from './history-builder.js';

const outcomeOf = (ops: ReturnType<ReturnType<typeof history>['build']>, element: unknown): string | undefined =>
  analyzeSet(ops).elements.find((e) => e.element === element)?.outcome;

describe('checkSet', () => {
  it('accepts a history where every acknowledged add is read and kept', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 2, [0, 1])
      .read(2, 's', [1, 2], [2, 3])
      .heal(5)
      .finalRound(0, [6, 7], { s: { n1: [2, 1], n2: [1, 2] } })
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ attempted: 2, acknowledged: 2, stable: 2, lost: 0, stale: 0, duplicated: 0 });
    const e1 = analyzeSet(ops).elements.find((e) => e.element === 1)!;
    expect(e1.addAckTime).toBe(1e9);
    expect(e1.firstSeen?.time).toBe(3e9); // the client read completed at 3 s
    expect(e1.lastSeen?.time).toBe(6.5e9 + 0.5e9); // the final round ended at 7 s
  });

  it('reports an element absent from a read that began after its add was acknowledged as stale', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .read(1, 's', [], [2, 3])
      .read(1, 's', [1], [4, 5])
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(true);
    expect(r.stats.stale).toBe(1);
    expect(r.stats.staleReads).toBe(1);
    expect(r.stats.staleObservations).toBe(1);
    const worst = (r.stats.worstStale as { element: unknown; staleWindowMs: number }[])[0];
    expect(worst.element).toBe(1);
    expect(worst.staleWindowMs).toBeCloseTo(1000, 6); // acked at 1 s, the stale read began at 2 s
    expect(r.anomalies.find((a) => a.kind === 'stale')?.message).toMatch(/1 stale read/);
    expect(checkSet(ops, { linearizable: true }).valid).toBe(false);
  });

  it('counts a read missing several known elements as one stale read', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .add(0, 's', 2, [1.1, 1.5])
      .read(1, 's', [], [2, 3])
      .read(1, 's', [1, 2], [4, 5])
      .build();
    const r = checkSet(ops);
    expect(r.stats).toMatchObject({ stale: 2, staleReads: 1, staleObservations: 2 });
  });

  // Whole-set reads make (read, element) pairs grow quadratically: counts stay whole, the lists are cut.
  it('counts every stale read of an element but lists only the first ten', () => {
    let h = history().add(0, 's', 1, [0, 1]).add(0, 's', 2, [1, 1.5]);
    for (let i = 0; i < 15; i++) h = h.read(1, 's', [], [2 + i, 2.5 + i]);
    const ops = h.read(1, 's', [1, 2], [20, 21]).build();
    const r = checkSet(ops);
    expect(r.stats).toMatchObject({ stale: 2, staleReads: 15, staleObservations: 30 });
    const e = analyzeSet(ops).elements.find((x) => x.element === 1)!;
    expect(e.staleCount).toBe(15);
    expect(e.staleReads).toHaveLength(10);
    expect(e.staleReads[0]).toBeLessThan(e.staleReads[9]);
  });

  it('counts staleness from the first read that showed an unacknowledged element', () => {
    const ops = history()
      .add(0, 's', 2, [0, 10], { outcome: 'info' })
      .read(1, 's', [2], [1, 2])
      .read(1, 's', [], [3.5, 4])
      .read(1, 's', [2], [5, 6])
      .build();
    const r = checkSet(ops);
    expect(r.stats.stale).toBe(1);
    expect((r.stats.worstStale as { staleWindowMs: number }[])[0].staleWindowMs).toBeCloseTo(1500, 6);
  });

  it('does not call a read that began before the ack stale', () => {
    const ops = history()
      .add(0, 's', 1, [0, 2])
      .read(1, 's', [], [1, 3])
      .read(1, 's', [1], [4, 5])
      .build();
    const r = checkSet(ops);
    expect(r.stats.stale).toBe(0);
    expect(outcomeOf(ops, 1)).toBe('stable');
  });

  it('reports an acknowledged add missing from the last read as lost (no final reads)', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .add(0, 's', 2, [1.5, 1.8])
      .read(1, 's', [1, 2], [2, 3])
      .read(1, 's', [2], [4, 5])
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.lost).toBe(1);
    // Reads after its last sighting belong to the loss, not to staleness.
    expect(r.stats.stale).toBe(0);
    const lost = r.anomalies.find((a) => a.kind === 'lost')!;
    expect(lost.elements).toMatchObject([{ key: 's', element: 1, addOp: 0 }]);
  });

  it('tells lost acknowledged adds from lost adds whose outcome was unknown but that a read saw', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 2, [0, 1], { outcome: 'info' })
      .read(2, 's', [1, 2], [2, 3])
      .heal(5)
      .finalRound(0, [6, 7], { s: { n1: [], n2: [], n3: [] } })
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.lost).toBe(2);
    expect(r.stats.lostAcknowledged).toBe(1);
    expect(r.anomalies.find((a) => a.kind === 'lost')!.message).toMatch(/1 of them acknowledged ok, 1 only seen by a read/);
  });

  it('uses the final reads for loss when there are any, and notes nodes that lack an element', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 2, [0, 1])
      .read(2, 's', [1, 2], [2, 3])
      .heal(5)
      .finalRound(0, [6, 7], { s: { n1: [2], n2: [2], n3: [2] } })
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(outcomeOf(ops, 1)).toBe('lost');

    const partial = history()
      .add(0, 's', 1, [0, 1])
      .heal(5)
      .finalRound(0, [6, 7], { s: { n1: [1], n2: [] } })
      .build();
    const e = analyzeSet(partial).elements[0];
    expect(e.outcome).toBe('stable');
    expect(e.missingOn).toEqual(['n2']);
  });

  it('reports an acknowledged add no read came after as never read, and stays valid', () => {
    const ops = history()
      .read(1, 's', [], [0, 1])
      .add(0, 's', 5, [2, 3])
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(true);
    expect(r.stats.neverRead).toBe(1);
    expect(outcomeOf(ops, 5)).toBe('never-read');
    expect(r.anomalies.find((a) => a.kind === 'never-read')?.message).toContain('s:5');
  });

  it('rejects an element listed twice in one read', () => {
    const ops = history().add(0, 's', 1, [0, 1]).read(1, 's', [1, 1], [2, 3]).build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies.find((a) => a.kind === 'duplicated')?.elements).toEqual([{ key: 's', element: 1, reads: [3] }]);
  });

  it('rejects elements never added, or whose add failed', () => {
    const ops = history()
      .add(0, 's', 1, [0, 1], { outcome: 'fail' })
      .read(1, 's', [1, 9], [2, 3])
      .build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.unexpected).toBe(2);
  });

  it('keeps keys apart', () => {
    const ops = history().add(0, 'a', 1, [0, 1]).read(1, 'b', [1], [2, 3]).read(1, 'a', [1], [4, 5]).build();
    const r = checkSet(ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies.find((a) => a.kind === 'unexpected')?.message).toContain('b:1');
  });

  it('is unknown without any successful read, and rejects a read that is not an array', () => {
    expect(checkSet(history().add(0, 's', 1, [0, 1]).read(1, 's', null, [2, 3], { outcome: 'fail' }).build()).valid).toBe('unknown');
    const bad = history().add(0, 's', 1, [0, 1]).read(1, 's', 5, [2, 3]).build();
    expect(() => checkSet(bad)).toThrow(InputError);
    expect(() => checkSet(bad)).toThrow(/expected an array/);
  });
});
