import { describe, expect, it } from 'vitest';
import { makeGenerator } from '../../../harness/workloads/index.js';
import { pickWeighted, planFaults } from '../../../harness/nemesis/schedule.js';
import { FAULT_GROUPS } from '../../../harness/faults/index.js';
import { makePartition, PARTITION_SHAPES, partitionShapesFor } from '../../../harness/faults/partition-shapes.js';
import { rngFor } from '../../../harness/rng.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

function ops(seed: string, slot: number, n: number) {
  const g = makeGenerator(slot, { workload: 'register', keys: 5, slots: 4, seed });
  return Array.from({ length: n }, () => g.next());
}

describe('seeded schedules', () => {
  it('the same seed gives the same op sequence per client slot; another seed does not', () => {
    expect(ops('7', 2, 200)).toEqual(ops('7', 2, 200));
    expect(ops('7', 2, 200)).not.toEqual(ops('8', 2, 200));
    expect(ops('7', 1, 200)).not.toEqual(ops('7', 2, 200));
  });

  it('written values are unique per key across all client slots', () => {
    const seen = new Map<unknown, Set<unknown>>();
    for (let slot = 0; slot < 4; slot++) {
      for (const op of ops('3', slot, 500)) {
        if (op.f === 'read') continue;
        const v = op.f === 'cas' ? (op.value as unknown[])[1] : op.value;
        const s = seen.get(op.key) ?? new Set();
        expect(s.has(v)).toBe(false);
        s.add(v);
        seen.set(op.key, s);
      }
    }
  });

  it('the same seed gives the same fault schedule', () => {
    const o = { nodes, faults: ['partition', 'kill', 'pause', 'clock'] as const, interval: 2, timeLimit: 60 };
    const a = planFaults({ ...o, seed: '11' });
    expect(a.length).toBeGreaterThan(5);
    expect(planFaults({ ...o, seed: '11' })).toEqual(a);
    expect(planFaults({ ...o, seed: '12' })).not.toEqual(a);
    for (const f of a) {
      expect(f.stopAt).toBeGreaterThan(f.startAt);
      expect(f.stopAt).toBeLessThanOrEqual(60);
    }
    // Faults never overlap: each starts after the previous one stopped.
    for (let i = 1; i < a.length; i++) expect(a[i].startAt).toBeGreaterThan(a[i - 1].stopAt);
  });

  it('kills and pauses hit a minority only', () => {
    const plan = planFaults({ seed: '5', nodes, faults: ['kill', 'pause'], interval: 1, timeLimit: 100 });
    for (const p of plan) {
      if (p.fault.kind === 'kill' || p.fault.kind === 'pause') {
        expect(p.fault.spec.nodes.length).toBeGreaterThan(0);
        expect(p.fault.spec.nodes.length).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('weighted fault choice', () => {
  it('with equal weights picks exactly as a uniform pick does, so unweighted mixes plan as before', () => {
    const names = ['partition', 'kill', 'pause', 'loss', 'clock'];
    const rng = rngFor('w', 'test');
    for (let i = 0; i < 2000; i++) {
      const u = i < 5 ? i / 5 : i === 5 ? 1 - Number.EPSILON : rng.next();
      expect(pickWeighted(names, () => 1, u)).toBe(names[Math.floor(u * names.length)]);
    }
  });

  it('a byzantine mix picks equivocation most often (the lie that splits quorums), yet every lie still comes up', () => {
    const counts: Record<string, number> = {};
    for (let seed = 1; seed <= 300; seed++) {
      const plan = planFaults({ seed: String(seed), nodes: ['n1', 'n2', 'n3', 'n4'], faults: FAULT_GROUPS.byzantine, interval: 5, timeLimit: 30, traitors: 1 });
      for (const p of plan) counts[p.fault.kind] = (counts[p.fault.kind] ?? 0) + 1;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(counts.equivocate / total).toBeGreaterThan(0.6);
    for (const k of FAULT_GROUPS.byzantine) expect(counts[k], k).toBeGreaterThan(0);
  });
});

describe('partition shapes', () => {
  const rng = () => rngFor('1', 'test');
  const cut = (g: Record<string, string[]>, a: string, b: string) => g[a]?.includes(b) ?? false;

  it('majority-minority splits 3/2 and cuts both directions', () => {
    const p = makePartition('majority-minority', nodes, rng());
    expect(p.components!.map((c) => c.length)).toEqual([3, 2]);
    const [maj, min] = p.components!;
    for (const a of maj) for (const b of min) expect(cut(p.grudge, a, b) && cut(p.grudge, b, a)).toBe(true);
    for (const a of maj) for (const b of maj) expect(cut(p.grudge, a, b)).toBe(false);
  });

  it('isolate-one leaves one node alone', () => {
    const p = makePartition('isolate-one', nodes, rng());
    expect(p.components!.map((c) => c.length).sort()).toEqual([1, 4]);
  });

  it('bridge: the bridge node sees everyone, the sides do not see each other', () => {
    const p = makePartition('bridge', nodes, rng());
    const bridge = nodes.find((n) => p.grudge[n].length === 0)!;
    expect(bridge).toBeDefined();
    const others = nodes.filter((n) => n !== bridge);
    for (const n of others) expect(p.grudge[n]).toHaveLength(2);
  });

  it('majorities ring: every node sees a majority (itself included), no two see the same set', () => {
    const p = makePartition('majorities-ring', nodes, rng());
    const views = nodes.map((n) => nodes.filter((m) => !p.grudge[n].includes(m)).join(','));
    for (const v of views) expect(v.split(',').length).toBe(3);
    expect(new Set(views).size).toBe(5);
  });

  it('one-way drops only one direction', () => {
    const p = makePartition('one-way', nodes, rng());
    let oneWay = 0;
    for (const a of nodes) for (const b of nodes) {
      if (cut(p.grudge, a, b)) {
        expect(cut(p.grudge, b, a)).toBe(false);
        oneWay++;
      }
    }
    expect(oneWay).toBeGreaterThan(0);
  });

  it('every shape is deterministic for a seed', () => {
    for (const s of PARTITION_SHAPES) expect(makePartition(s, nodes, rng())).toEqual(makePartition(s, nodes, rng()));
  });
});

describe('partition shapes by cluster size', () => {
  const cuts = (g: Record<string, string[]>) => Object.values(g).reduce((a, v) => a + v.length, 0);

  it('every shape a schedule can pick cuts at least one link, for every cluster size from 2 to 9', () => {
    for (let n = 2; n <= 9; n++) {
      const ns = Array.from({ length: n }, (_, i) => `n${i + 1}`);
      const shapes = partitionShapesFor(n);
      expect(shapes.length).toBeGreaterThan(0);
      for (const s of shapes) for (let seed = 0; seed < 20; seed++) {
        expect(cuts(makePartition(s, ns, rngFor(String(seed), 'shape')).grudge), `${s} on ${n} nodes`).toBeGreaterThan(0);
      }
      const plan = planFaults({ seed: `p${n}`, nodes: ns, faults: ['partition'], interval: 1, timeLimit: 60 });
      for (const p of plan) if (p.fault.kind === 'partition') expect(cuts(p.fault.spec.grudge)).toBeGreaterThan(0);
    }
  });

  it('a majorities ring is not offered for three nodes, where it would cut nothing', () => {
    expect(partitionShapesFor(3)).not.toContain('majorities-ring');
    expect(cuts(makePartition('majorities-ring', ['n1', 'n2', 'n3'], rngFor('1', 'x')).grudge)).toBe(0);
    expect(partitionShapesFor(1)).toEqual([]);
    expect(() => planFaults({ seed: '1', nodes: ['n1'], faults: ['partition'], interval: 1, timeLimit: 10 })).toThrow(/at least 2 nodes/);
  });
});
