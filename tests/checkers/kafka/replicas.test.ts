// The log-replicas checker (checkers/kafka/replicas.ts): replicas that agree, one left behind, one holding
// another message at an acknowledged offset, nodes that did not answer, only the last round counting, and
// random replica copies against a brute-force comparison.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLogReplicas, offsetRuns } from '../../../checkers/kafka/replicas.js';
import type { Op } from '../../../histories/op.js';

/** A copy read; null: no answer; `{ replica }`: no content, but the extent the node's own store reports. */
type Copy = [number, unknown][] | null | { replica: unknown };

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
        if (copy === null) push({ type: 'fail', process, f: 'final-read', key: Number(key), node, round, error: 'timeout' });
        else if (!Array.isArray(copy)) push({ type: 'fail', process, f: 'final-read', key: Number(key), node, round, error: 'answered by another replica', replica: copy.replica });
        else push({ type: 'ok', process, f: 'final-read', key: Number(key), node, round, value: copy });
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

describe('a replica known only by its extent (its store\'s first and last offset and count)', () => {
  const ext = (first: number, last: number, count: number) => ({ replica: { first, last, count } });

  it('is lost when it holds fewer messages than its range and another replica holds the whole range', () => {
    const r = checkLogReplicas(history([], [{ n1: { 3: log(39) }, n2: { 3: ext(1, 39, 38) }, n3: { 3: log(39) } }]));
    expect(r.valid).toBe(false);
    expect(r.anomalies).toEqual([
      {
        kind: 'replica-lost', key: '3', node: 'n2', range: [1, 39], missing: 1,
        message: "n2's copy of log 3 holds 38 messages in offsets 1–39 (its own store says so; its messages could not be read), while n1, n3 hold every offset of that range: n2 lacks 1 offset somewhere in 1–39",
      },
    ]);
    expect(r.stats).toMatchObject({ judgedByExtent: 1, lostOffsets: 1, uncompared: 1 });
    expect(r.facts).toMatchObject({ converged: false });
  });

  it('judges against other replicas known by extents without holes, when no node answered (the NATS damaged-block case)', () => {
    const r = checkLogReplicas(history([], [{ n1: { 3: ext(1, 39, 39) }, n2: { 3: ext(1, 39, 38) }, n3: { 3: ext(1, 39, 39) } }]));
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.node)).toEqual(['n2']);
    expect(r.anomalies[0].message).toMatch(/while n1, n3 hold every offset of that range \(n1, n3 by their own store's count\): n2 lacks 1 offset somewhere in 1–39$/);
    // Extents with holes vouch for nothing: two damaged replicas alone leave the log undecided.
    expect(checkLogReplicas(history([], [{ n1: { 3: ext(1, 39, 38) }, n2: { 3: ext(1, 39, 37) } }])).valid).toBe('unknown');
  });

  it('lacks the offsets after its end that another replica holds, acknowledged ones counted', () => {
    const r = checkLogReplicas(history([[0, 135, 35]], [{ n1: { 0: log(39) }, n2: { 0: log(39) }, n3: { 0: ext(1, 30, 30) } }]));
    expect(r.valid).toBe(false);
    expect(r.anomalies[0]).toMatchObject({ kind: 'replica-lost', node: 'n3', offsets: [31, 32, 33, 34, 35, 36, 37, 38, 39] });
    expect(r.anomalies[0].message).toMatch(/: n3 lacks 31–39 \(9 offsets, 1 of them acknowledged sends\)$/);
    // An empty store lacks everything the others hold.
    expect(checkLogReplicas(history([], [{ n1: { 0: log(2) }, n2: { 0: ext(0, 0, 0) } }])).anomalies[0]).toMatchObject({ node: 'n2', offsets: [1, 2] });
  });

  it('stays undecided when its extent matches the others (its messages could still differ), or is not believable', () => {
    const same = checkLogReplicas(history([], [{ n1: { 0: log(39) }, n2: { 0: log(39) }, n3: { 0: ext(1, 39, 39) } }]));
    expect(same.valid).toBe('unknown');
    expect(same.reason).toMatch(/n3's store holds 39 messages in offsets 1–39, as far as the others go, but its messages could not be read/);
    // Ahead of the others is no loss of its own, and its content is unknown.
    expect(checkLogReplicas(history([], [{ n1: { 0: log(3) }, n3: { 0: ext(1, 5, 5) } }])).valid).toBe('unknown');
    for (const bad of [ext(1, 3, 4), ext(5, 3, 1), ext(-1, 3, 3), { replica: { first: 1, last: '39', count: 38 } }, { replica: 'n/a' }, ext(1, 5_000_000, 3)]) {
      const r = checkLogReplicas(history([], [{ n1: { 0: log(3) }, n2: { 0: log(3) }, n3: { 0: bad } }]));
      expect(r.valid).toBe('unknown');
      expect(r.anomalies).toEqual([]);
    }
  });
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
