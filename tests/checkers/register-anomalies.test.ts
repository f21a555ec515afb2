import { describe, expect, it } from 'vitest';
import { checkRegisterAnomalies, type LostWrite, type StaleRead } from '../../checkers/register-anomalies.js';
import { history } from './history-builder.js';

const staleOf = (r: ReturnType<typeof checkRegisterAnomalies>): StaleRead[] => r.stats.worstStale as StaleRead[];

describe('checkRegisterAnomalies', () => {
  it('finds nothing in a sequential history', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .read(1, 'x', 1, [2, 3])
      .write(0, 'x', 2, [4, 5])
      .cas(0, 'x', 2, 3, [6, 7])
      .read(1, 'x', 3, [8, 9])
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ staleReads: 0, lostWrites: 0, phantoms: 0, duplicateWrites: 0, acknowledgedWrites: 3 });
  });

  it('counts a read of an older value after a newer write completed as stale, with its age', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .read(1, 'x', 1, [4.5, 5])
      .read(1, 'x', 2, [6, 7])
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe(true); // stale reads are counted, not judged
    expect(r.stats.staleReads).toBe(1);
    const s = staleOf(r)[0];
    expect(s).toMatchObject({ key: 'x', read: 4, value: 1, missedWrite: 2, missedValue: 2 });
    expect(s.staleMs).toBeCloseTo(1500, 6);
    expect(r.anomalies.find((a) => a.kind === 'stale-read')?.message).toContain('read op 4');
  });

  it('names the node that served each stale read, so a lagging replica stands out', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1], { node: 'n1' })
      .write(0, 'x', 2, [2, 3], { node: 'n1' })
      .read(1, 'x', 1, [4, 5], { node: 'n3' })
      .read(2, 'x', 2, [4, 5], { node: 'n2' })
      .read(1, 'x', 1, [6, 7], { node: 'n3' })
      .read(3, 'x', 2, [8, 9], { node: 'n3' })
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.stats.staleReads).toBe(2);
    expect(r.stats.staleByNode).toEqual({ n3: 2 });
    expect(r.facts?.staleReadsByNode).toEqual({ n3: 2 });
    expect(staleOf(r).map((s) => s.node)).toEqual(['n3', 'n3']);
    expect(r.anomalies.find((a) => a.kind === 'stale-read')?.message).toContain('stale reads by the node that answered: n3 2');
  });

  it('counts a read of the initial value after an acknowledged write as stale', () => {
    const ops = history().write(0, 'x', 1, [0, 1]).read(1, 'x', null, [2, 3]).read(1, 'x', 1, [4, 5]).build();
    const r = checkRegisterAnomalies(ops);
    expect(r.stats.staleReads).toBe(1);
    expect(staleOf(r)[0].missedValue).toBe(1);
  });

  it('does not call a read concurrent with the newer write stale', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .read(1, 'x', 1, [2.5, 3.5])
      .read(1, 'x', 2, [4, 5])
      .build();
    expect(checkRegisterAnomalies(ops).stats.staleReads).toBe(0);
  });

  it('reports an acknowledged write a later read had to see, and nobody did, as lost', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .read(1, 'x', 1, [4, 5])
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.lostWrites).toBe(1);
    const lost = r.anomalies.find((a) => a.kind === 'lost-write')!;
    expect((lost.writes as LostWrite[])[0]).toMatchObject({ key: 'x', write: 2, value: 2, witnessRead: 4, witnessValue: 1 });
  });

  it('does not blame a write that a concurrent write may have overwritten', () => {
    // write(3) is still in flight when write(2) completes: reading 1 afterwards is stale, but write(2) may have
    // been overwritten by write(3), so it is not provably lost.
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .write(2, 'x', 3, [2.5, 10], { outcome: 'info' })
      .read(1, 'x', 1, [4, 5])
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.stats.lostWrites).toBe(0);
    expect(r.stats.staleReads).toBe(1);
    expect(r.valid).toBe(true);
  });

  it('does not blame a write overwritten before any read began', () => {
    const ops = history().write(0, 'x', 1, [0, 1]).write(0, 'x', 2, [2, 3]).read(1, 'x', 2, [4, 5]).build();
    expect(checkRegisterAnomalies(ops).stats.lostWrites).toBe(0);
  });

  it('with final reads, a client read that missed a write is stale, not proof of loss, if the final state kept it', () => {
    // An AP replica answers read → 1 after write(2) completed elsewhere; write(3) later overwrites both; the
    // final reads agree on 3. write(2) was overwritten, not lost.
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .read(1, 'x', 1, [4, 5], { node: 'n4' })
      .write(0, 'x', 3, [6, 7])
      .heal(8)
      .finalRound(0, [9, 10], { x: { n1: 3, n2: 3 } })
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.stats.staleReads).toBe(1);
    expect(r.stats.lostWrites).toBe(0);
    expect(r.valid).toBe(true);
  });

  it('counts a final read as a read that had to see the last write', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .write(0, 'x', 2, [2, 3])
      .heal(5)
      .finalRound(0, [6, 7], { x: { n1: 1, n2: 1 } })
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.lostWrites).toBe(1);
    // Final reads are the convergence checker's: they are not counted as stale client reads.
    expect(r.stats.staleReads).toBe(0);
  });

  it('reports phantoms: values never written, and values whose write failed', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1], { outcome: 'fail' })
      .read(1, 'x', 1, [2, 3])
      .read(1, 'y', 42, [4, 5])
      .build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe(false);
    expect(r.stats.phantoms).toBe(2);
    expect(r.anomalies.map((a) => a.kind).sort()).toEqual(['failed-write-visible', 'phantom']);
    expect(r.anomalies.find((a) => a.kind === 'phantom')).toMatchObject({ key: 'y', value: 42, reads: [4] });
  });

  it('reports a value written twice and declines to vouch for the history', () => {
    const ops = history().write(0, 'x', 1, [0, 1]).write(0, 'x', 1, [2, 3]).read(1, 'x', 1, [4, 5]).build();
    const r = checkRegisterAnomalies(ops);
    expect(r.valid).toBe('unknown');
    expect(r.anomalies[0]).toMatchObject({ kind: 'duplicate-write', ops: [0, 2] });
  });

  it('is unknown without any successful read, and skips set keys', () => {
    expect(checkRegisterAnomalies(history().write(0, 'x', 1, [0, 1]).build()).valid).toBe('unknown');
    const sets = history().add(0, 's', 1, [0, 1]).read(1, 's', [1], [2, 3]).write(0, 'x', 5, [4, 5]).read(1, 'x', 5, [6, 7]).build();
    const r = checkRegisterAnomalies(sets);
    expect(r.valid).toBe(true);
    expect(r.stats.keys).toBe(1);
  });
});
