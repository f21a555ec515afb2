// The log-replicas checker (checkers/kafka/replicas.ts): replicas that agree, one left behind, one holding
// another message at an acknowledged offset, nodes that did not answer, only the last round counting, and
// random replica copies against a brute-force comparison.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLogReplicas, offsetRuns } from '../../../checkers/kafka/replicas.js';
import type { Op } from '../../../histories/op.js';

type Copy = [number, unknown][] | null;

/** Acknowledged sends ([key, msg, offset]), then final reads: round → node → key → copy (null: no answer). */
function history(sends: [number, unknown, number][], rounds: Record<string, Record<string, Copy>>[]): Op[] {
  const ops: Op[] = [];
  const push = (o: Omit<Op, 'index'>) => ops.push({ ...o, index: ops.length } as Op);
  for (const [key, msg, offset] of sends) {
    push({ type: 'invoke', process: 0, f: 'send', key, value: msg });
    push({ type: 'ok', process: 0, f: 'send', key, value: offset });
  }
  rounds.forEach((byNode, round) => {
    Object.entries(byNode).forEach(([node, byKey], i) => {
      for (const [key, copy] of Object.entries(byKey)) {
        const process = 1_000_000_000 + i;
        push({ type: 'invoke', process, f: 'final-read', key: Number(key), node, round });
        push(copy === null ? { type: 'fail', process, f: 'final-read', key: Number(key), node, round, error: 'timeout' } : { type: 'ok', process, f: 'final-read', key: Number(key), node, round, value: copy });
      }
    });
  });
  return ops;
}

const log = (n: number, from = 1): [number, unknown][] => Array.from({ length: n }, (_, i) => [from + i, 100 + from + i]);

it('passes replicas that hold the same log', () => {
  const r = checkLogReplicas(history([[0, 101, 1]], [{ n1: { 0: log(3) }, n2: { 0: log(3) }, n3: { 0: log(3) } }]));
  expect(r.valid).toBe(true);
  expect(r.anomalies).toEqual([]);
});

it('names a replica left behind, with the offsets it lacks and how many were acknowledged', () => {
  const ops = history([[5, 139, 39]], [{ n1: { 5: log(40) }, n2: { 5: log(40) }, n3: { 5: log(36) } }]);
  const r = checkLogReplicas(ops);
  expect(r.valid).toBe(false);
  expect(r.anomalies).toHaveLength(1);
  expect(r.anomalies[0]).toMatchObject({ kind: 'replica-lost', key: '5', node: 'n3', offsets: [37, 38, 39, 40] });
  expect(r.anomalies[0].message).toBe("n3's copy of log 5 ends at offset 36, while n1, n2 hold offsets up to 40: n3 lacks 37–40 (4 offsets, 1 of them acknowledged sends)");
  expect(r.facts).toMatchObject({ converged: false });
  expect(r.facts?.consistent).toBeUndefined();
});

it('names the replica that holds another message than the one acknowledged at an offset', () => {
  const theirs: [number, unknown][] = [[1, 'a'], [2, 'b']];
  const mine: [number, unknown][] = [[1, 'a'], [2, 'x']];
  const r = checkLogReplicas(history([[1, 'b', 2]], [{ n1: { 1: theirs }, n2: { 1: theirs }, n3: { 1: mine } }]));
  expect(r.valid).toBe(false);
  expect(r.anomalies.map((a) => a.kind)).toEqual(['replica-differs']);
  expect(r.anomalies[0].message).toBe('log 1, offset 2: n1, n2 hold "b" (acknowledged at this offset, op 0); n3 holds "x": n3 holds another message than the one acknowledged');
  expect(r.facts).toMatchObject({ converged: false, consistent: false });
});

it('finds holes, judges only the last round, and says unknown when a log could not be compared', () => {
  const holed: [number, unknown][] = [[1, 101], [3, 103]];
  const r = checkLogReplicas(history([], [{ n1: { 0: log(3) }, n2: { 0: holed } }]));
  expect(r.anomalies[0].message).toMatch(/^n2's copy of log 0 has holes, while n1 holds offsets up to 3: n2 lacks 2 \(1 offset, 0 of them/);
  // Behind in round 0, caught up in round 1: fine.
  expect(checkLogReplicas(history([], [{ n1: { 0: log(3) }, n2: { 0: log(1) } }, { n1: { 0: log(3) }, n2: { 0: log(3) } }])).valid).toBe(true);
  const silent = checkLogReplicas(history([], [{ n1: { 0: log(3) }, n2: { 0: null } }]));
  expect(silent.valid).toBe('unknown');
  expect(silent.reason).toMatch(/log 0 \(1 of 2 nodes answered the last round; not n2 \(timeout\)\)/);
  // Two that agree and one silent: still undecided (the silent one may be behind).
  expect(checkLogReplicas(history([], [{ n1: { 0: log(3) }, n2: { 0: log(3) }, n3: { 0: null } }])).valid).toBe('unknown');
  expect(checkLogReplicas(history([[0, 1, 1]], [])).valid).toBe('unknown');
  // A single replica has nothing to differ from.
  expect(checkLogReplicas(history([], [{ n1: { 0: log(3), 1: [] } }])).valid).toBe(true);
});

it('writes offsets as runs', () => {
  expect(offsetRuns([1, 2, 3, 5, 7, 8])).toBe('1–3, 5, 7–8');
  expect(offsetRuns([])).toBe('');
});

it('agrees with a brute-force comparison on random replica copies', () => {
  const copy = fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('a', 'b')), { maxLength: 8 }).map((ps) => [...new Map(ps)].sort((x, y) => x[0] - y[0]));
  fc.assert(
    fc.property(fc.array(copy, { minLength: 2, maxLength: 4 }), (copies) => {
      const byNode = Object.fromEntries(copies.map((c, i) => [`n${i + 1}`, { 0: c as [number, unknown][] }]));
      const r = checkLogReplicas(history([], [byNode]));
      const same = copies.every((c) => JSON.stringify(c) === JSON.stringify(copies[0]));
      expect(r.valid).toBe(same);
      const union = new Set(copies.flatMap((c) => c.map(([o]) => o)));
      const lacking = copies.reduce((n, c) => n + [...union].filter((o) => !c.some(([x]) => x === o)).length, 0);
      expect(r.stats.lostOffsets).toBe(lacking);
      const differing = [...union].filter((o) => new Set(copies.flatMap((c) => c.filter(([x]) => x === o).map(([, m]) => m))).size > 1).length;
      expect(r.stats.differingOffsets).toBe(differing);
    }),
    { numRuns: 300, seed: 14 },
  );
});
