import { describe, expect, it } from 'vitest';
import { checkConvergence } from '../../checkers/convergence.js';
import { InputError } from '../../histories/errors.js';
import { history } from './history-builder.js';

const NODES = ['n1', 'n2', 'n3'];
const all = (v: unknown): Record<string, unknown> => Object.fromEntries(NODES.map((n) => [n, v]));

describe('checkConvergence: registers', () => {
  it('accepts nodes that agree on the last acknowledged write and times convergence from the heal', () => {
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .write(1, 'x', 2, [2, 3], { node: 'n2' })
      .heal(10)
      .finalRound(0, [11, 11.5], { x: { n1: 2, n2: 2, n3: 1 } })
      .finalRound(1, [12, 12.4], { x: all(2) })
      .finalDone(13, true, 2, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.stats.convergedRound).toBe(1);
    // Agreement seen by the end of round 1 (12.4 s); heal at 10 s.
    expect(r.stats.secondsToConverge).toBeCloseTo(2.4, 6);
  });

  it('names the nodes that diverge and what each holds', () => {
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .write(1, 'x', 2, [0.5, 1.5], { node: 'n3' })
      .heal(10)
      .finalRound(0, [11, 12], { x: { n1: 1, n2: 1, n3: 2 } })
      .finalDone(13, false, 1, 2000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    const div = r.anomalies.find((a) => a.kind === 'divergent')!;
    expect(div.values).toEqual({ n1: 1, n2: 1, n3: 2 });
    expect(div.message).toContain('n3=2');
    const nc = r.anomalies.find((a) => a.kind === 'not-converged')!;
    expect(nc.message).toContain('not converged by the bound (2 s)');
    expect(r.stats.secondsToConverge).toBeNull();
  });

  it('flags a held value no write wrote as a phantom', () => {
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .heal(10)
      .finalRound(0, [11, 12], { x: all(99) })
      .finalDone(13, true, 1, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    const ph = r.anomalies.find((a) => a.kind === 'phantom')!;
    expect(ph.value).toBe(99);
    expect(ph.nodes).toEqual(NODES);
    expect(r.stats.phantoms).toBe(1);
  });

  it('flags a superseded value: the later acknowledged write was lost', () => {
    // write(1) completed at 1 s; write(2) began at 2 s and was acknowledged, yet every node keeps 1.
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .write(1, 'x', 2, [2, 3])
      .heal(10)
      .finalRound(0, [11, 12], { x: all(1) })
      .finalDone(13, true, 1, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    const s = r.anomalies.find((a) => a.kind === 'superseded')!;
    expect(s.lost).toEqual([{ value: 2, op: 2 }]);
    expect(r.stats.lostWrites).toBe(1);
  });

  it('does not call a concurrent write superseded', () => {
    const h = history()
      .write(0, 'x', 1, [0, 2])
      .write(1, 'x', 2, [1, 3])
      .heal(10)
      .finalRound(0, [11, 12], { x: all(1) })
      .finalDone(13, true, 1, 5000);
    expect(checkConvergence(h.build(), { nodes: NODES }).valid).toBe(true);
  });

  it('counts acknowledged writes lost when every node is empty', () => {
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .heal(10)
      .finalRound(0, [11, 12], { x: all(null) })
      .finalDone(13, true, 1, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toContain('lost-write');
  });
});

describe('checkConvergence: timing', () => {
  it('separates the time since the heal from the time since the load stopped', () => {
    const ops = history()
      .write(0, 'x', 1, [0, 1])
      .heal(5)
      .write(0, 'x', 2, [5.5, 6])
      .finalRound(0, [6.5, 7], { x: all(2) })
      .finalDone(7.5, true, 1, 5000)
      .build();
    const r = checkConvergence(ops, { nodes: NODES });
    expect(r.valid).toBe(true);
    expect(r.stats.secondsToConverge).toBeCloseTo(2, 5);
    expect(r.stats.secondsAfterLoad).toBeCloseTo(1, 5);
  });
});

describe('checkConvergence: sets', () => {
  it('accepts identical sets in any order that hold every acknowledged add', () => {
    const h = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 2, [0, 1])
      .add(2, 's', 3, [0, 1], { outcome: 'info' })
      .heal(5)
      .finalRound(0, [6, 6.5], { s: { n1: [1, 2], n2: [2, 1], n3: [1, 2] } })
      .finalDone(7, true, 1, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(true);
    expect(r.stats.secondsToConverge).toBeCloseTo(1.5, 6);
  });

  it('shows a small diff for divergent sets, naming the lagging node', () => {
    const h = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 2, [0, 1])
      .add(2, 's', 3, [0, 1])
      .heal(5)
      .finalRound(0, [6, 7], { s: { n1: [1, 2, 3], n2: [1, 2, 3], n3: [1, 2] } })
      .finalRound(1, [8, 9], { s: { n1: [1, 2, 3], n2: [1, 2, 3], n3: [1, 2] } })
      .finalDone(10, false, 2, 4000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    const div = r.anomalies.find((a) => a.kind === 'divergent')!;
    expect(div.diff).toEqual({ n3: { missing: [3], count: 2 } });
    expect(div.message).toContain('n3 lacks 3');
    expect(r.anomalies.find((a) => a.kind === 'not-converged')!.message).toContain('not converged by the bound (4 s)');
    expect(r.stats.converged).toBe(false);
  });

  it('reports an acknowledged add missing from every node as lost', () => {
    const h = history()
      .add(0, 's', 1, [0, 1])
      .add(1, 's', 7, [0, 1])
      .heal(5)
      .finalRound(0, [6, 7], { s: all([1]) })
      .finalDone(8, true, 1, 5000);
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    const lost = r.anomalies.find((a) => a.kind === 'lost-write')!;
    expect(lost.elements).toEqual([{ key: 's', value: 7, op: 1 }]);
    expect(r.stats.lostWrites).toBe(1);
  });

  it('reports an element whose add failed as a visible failed write', () => {
    const h = history()
      .add(0, 's', 1, [0, 1], { outcome: 'fail' })
      .heal(5)
      .finalRound(0, [6, 7], { s: all([1]) });
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toContain('failed-write-visible');
  });
});

describe('checkConvergence: undecidable and bad input', () => {
  it('is unknown without final reads', () => {
    const r = checkConvergence(history().write(0, 'x', 1, [0, 1]).build());
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/no final reads/);
  });

  it('is unknown when a node did not answer the last round and nothing else is wrong', () => {
    const h = history()
      .write(0, 'x', 1, [0, 1])
      .heal(5)
      .finalRead(0, 'n1', 'x', 1, [6, 7])
      .finalRead(0, 'n2', 'x', 1, [6, 7])
      .finalRead(0, 'n3', 'x', null, [6, 7], 'fail');
    const r = checkConvergence(h.build(), { nodes: NODES });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toContain('n3');
  });

  it('rejects a final read with a malformed round', () => {
    const ops = history().finalRead(0, 'n1', 'x', 1, [6, 7]).build();
    ops[1] = { ...ops[1], round: 'one' } as typeof ops[1];
    ops[0] = { ...ops[0], round: 'one' } as typeof ops[0];
    expect(() => checkConvergence(ops)).toThrow(InputError);
    expect(() => checkConvergence(ops)).toThrow(/round must be a non-negative integer/);
  });
});
