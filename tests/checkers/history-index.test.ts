import { describe, expect, it } from 'vitest';
import { activeAt, canon, faultWindows, pairOps, percentile, sideOf } from '../../checkers/history-index.js';
import { InputError } from '../../histories/errors.js';
import type { Op } from '../../histories/op.js';
import { history } from './history-builder.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('pairOps', () => {
  it('pairs each invoke with its completion and keeps pending ops', () => {
    const recs = pairOps(history().write(0, 'x', 1, [0, 1]).write(1, 'x', 2, [0.5, 2], { outcome: 'pending' }).build());
    expect(recs.map((r) => [r.f, r.outcome, r.invokePos, r.completePos])).toEqual([
      ['write', 'ok', 0, 2],
      ['write', 'pending', 1, Infinity],
    ]);
  });

  it('rejects a process that invokes twice, or completes what it never invoked, naming the line', () => {
    const twice: Op[] = [
      { index: 0, type: 'invoke', process: 3, f: 'read' },
      { index: 1, type: 'invoke', process: 3, f: 'read' },
    ];
    expect(() => pairOps(twice)).toThrow(InputError);
    try {
      pairOps(twice);
    } catch (e) {
      expect((e as InputError).line).toBe(2);
      expect((e as InputError).message).toMatch(/process 3 invoked op 1 while its op 0 had not completed/);
    }
    expect(() => pairOps([{ index: 0, type: 'ok', process: 2, f: 'read' }])).toThrow(/completed read \(ok\) without invoking it/);
  });
});

describe('fault windows and partition sides', () => {
  it('closes a stop on the window naming the same nodes, and everything on heal', () => {
    const ops = history()
      .nemesis(1, 'start-kill', { nodes: ['n1'] })
      .nemesis(2, 'start-kill', { nodes: ['n2'] })
      .nemesis(3, 'stop-kill', { nodes: ['n2'] })
      .nemesis(4, 'start-pause', { nodes: ['n3'] })
      .heal(5)
      .build();
    const ws = faultWindows(ops);
    expect(ws.map((w) => [w.kind, w.nodes, w.startPos, w.endPos])).toEqual([
      ['kill', ['n1'], 0, 4],
      ['kill', ['n2'], 1, 2],
      ['pause', ['n3'], 3, 4],
    ]);
    expect(activeAt(ws, 2).map((w) => w.nodes)).toEqual([['n1']]);
  });

  it('lets a new partition replace the one in force', () => {
    const ops = history()
      .nemesis(1, 'start-partition', { components: [['n1', 'n2', 'n3'], ['n4', 'n5']] })
      .nemesis(2, 'start-partition', { components: [['n1'], ['n2', 'n3', 'n4', 'n5']] })
      .nemesis(3, 'stop-partition', null)
      .build();
    const ws = faultWindows(ops);
    expect(ws.map((w) => [w.startPos, w.endPos])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('places nodes by component, taking the largest one for a bridge node', () => {
    const bridge = { components: [['n1', 'n2', 'n3'], ['n3', 'n4', 'n5']] };
    expect(sideOf(bridge, 'n3', NODES)).toBe('majority');
    expect(sideOf({ components: [['n1', 'n2'], ['n3', 'n4', 'n5']] }, 'n1', NODES)).toBe('minority');
    expect(sideOf({ components: [['n1', 'n2']] }, 'n9', NODES)).toBe('unknown');
    // An even split leaves no majority: half of four nodes is not more than half.
    const four = ['n1', 'n2', 'n3', 'n4'];
    expect(sideOf({ components: [['n1', 'n2'], ['n3', 'n4']] }, 'n1', four)).toBe('minority');
    expect(sideOf({ grudge: { n1: ['n3', 'n4'], n2: ['n3', 'n4'], n3: ['n1', 'n2'], n4: ['n1', 'n2'] } }, 'n3', four)).toBe('minority');
  });

  it('places nodes by two-way reachability when there are no components', () => {
    // n4 and n5 stop hearing n1..n3 (one way): n4 and n5 reach only two nodes both ways.
    const grudge = { n4: ['n1', 'n2', 'n3'], n5: ['n1', 'n2', 'n3'] };
    expect(sideOf({ grudge }, 'n4', NODES)).toBe('minority');
    // n1 still exchanges messages both ways with n2 and n3: three of five.
    expect(sideOf({ grudge }, 'n1', NODES)).toBe('majority');
  });
});

describe('helpers', () => {
  it('computes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('canonicalises values so key order does not matter and types stay distinct', () => {
    expect(canon({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe(canon({ a: [2, { c: 2, d: 1 }], b: 1 }));
    expect(canon(1)).not.toBe(canon('1'));
    expect(canon(undefined)).toBe('null');
  });
});
