// Topologies: each shape has the links it should, and the algebraic connectivity matches closed forms.
import { describe, expect, it } from 'vitest';
import { algebraicConnectivity, diameter, makeTopology, parseTopologyName, symmetricEigenvalues, type Topology, type TopologyName } from '../../harness/topology.js';

const SHAPES: TopologyName[] = ['line', 'ring', 'grid', 'tree', 'random-regular', 'complete'];

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const edges = (t: Topology) => Object.values(t).reduce((s, ns) => s + ns.length, 0) / 2;

describe('topologies', () => {
  it('have the links of their shape, symmetric, on 16 nodes', () => {
    const ns = nodes(16);
    const want: Record<string, { edges: number; diameter: number }> = {
      line: { edges: 15, diameter: 15 },
      ring: { edges: 16, diameter: 8 },
      grid: { edges: 24, diameter: 6 },
      tree: { edges: 15, diameter: 7 },
      'random-regular': { edges: 24, diameter: NaN },
      complete: { edges: 120, diameter: 1 },
    };
    for (const name of SHAPES) {
      const t = makeTopology(name, ns, 'seed');
      for (const [a, bs] of Object.entries(t)) for (const b of bs) expect(t[b]).toContain(a);
      for (const [a, bs] of Object.entries(t)) expect(bs).not.toContain(a);
      expect(edges(t)).toBe(want[name].edges);
      if (name === 'random-regular') {
        for (const bs of Object.values(t)) expect(bs).toHaveLength(3);
        expect(diameter(t)).toBeLessThan(Infinity);
        expect(makeTopology(name, ns, 'seed')).toEqual(t);
      } else expect(diameter(t)).toBe(want[name].diameter);
    }
  });

  it('takes Maelstrom spellings and refuses unknown names', () => {
    expect(parseTopologyName('total')).toBe('complete');
    expect(parseTopologyName('tree2')).toBe('tree');
    expect(makeTopology('total', nodes(5), 's')).toEqual(makeTopology('complete', nodes(5), 's'));
    expect(makeTopology('tree3', nodes(5), 's').n1).toEqual(['n2', 'n3', 'n4']);
    expect(() => parseTopologyName('star')).toThrow(/unknown topology "star"/);
  });
});

describe('algebraic connectivity', () => {
  it('matches the closed forms for the complete graph, the path and the cycle', () => {
    for (const n of [2, 5, 16]) {
      expect(algebraicConnectivity(makeTopology('complete', nodes(n), 's'))).toBeCloseTo(n, 9);
      expect(algebraicConnectivity(makeTopology('line', nodes(n), 's'))).toBeCloseTo(2 * (1 - Math.cos(Math.PI / n)), 9);
    }
    expect(algebraicConnectivity(makeTopology('ring', nodes(16), 's'))).toBeCloseTo(2 * (1 - Math.cos((2 * Math.PI) / 16)), 9);
  });

  it('is 0 for a disconnected graph and orders the shapes from line to complete', () => {
    expect(algebraicConnectivity({ n1: ['n2'], n2: ['n1'], n3: ['n4'], n4: ['n3'] })).toBe(0);
    const ns = nodes(16);
    const l = (name: TopologyName) => algebraicConnectivity(makeTopology(name, ns, 'seed'));
    expect(l('line')).toBeLessThan(l('ring'));
    expect(l('ring')).toBeLessThan(l('grid'));
    expect(l('grid')).toBeLessThan(l('random-regular'));
    expect(l('random-regular')).toBeLessThan(l('complete'));
  });

  it('Jacobi finds the eigenvalues of a symmetric matrix (against the trace and a known 3x3)', () => {
    const ev = symmetricEigenvalues([
      [2, -1, 0],
      [-1, 2, -1],
      [0, -1, 2],
    ]);
    expect(ev[0]).toBeCloseTo(2 - Math.SQRT2, 12);
    expect(ev[1]).toBeCloseTo(2, 12);
    expect(ev[2]).toBeCloseTo(2 + Math.SQRT2, 12);
  });
});
