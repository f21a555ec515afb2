// Counterexamples: the longest linearizable prefix, the shrunk (1-minimal) op set, its timeline (as data) and paragraph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEdnHistory } from '../../../histories/jepsen/edn-history.js';
import type { Op } from '../../../histories/op.js';
import type { ReportedOp } from '../../../checkers/linear/counterexample.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { KNOSSOS } from '../../paths.js';
import { History } from './helpers.js';

interface Shown {
  indices: number[];
  ops: Op[];
  timeline: ReportedOp[];
  explanation: string;
  minimal: boolean;
  robust: boolean;
  plain?: { indices: number[]; explanation: string; minimal: boolean };
}

/** The events of `history` with these indices, in history order, re-indexed densely. */
function subset(history: Op[], indices: Iterable<number>): Op[] {
  const keep = new Set(indices);
  return history.filter((o) => keep.has(o.index)).map((o, i) => ({ ...o, index: i }));
}

/** Invoke+completion index groups of a subset, by process and order. */
function pairsOf(ops: Op[]): number[][] {
  const open = new Map<unknown, number[]>();
  const out: number[][] = [];
  for (const o of ops) {
    if (o.type === 'invoke') {
      const g = [o.index];
      open.set(o.process, g);
      out.push(g);
    } else {
      open.get(o.process)!.push(o.index);
      open.delete(o.process);
    }
  }
  return out;
}

async function valid(ops: Op[], model: string, initial: unknown): Promise<unknown> {
  return (await checkLinearizable(ops, { model, initial, workers: 1, shrink: false })).valid;
}

describe('shrunk counterexamples of Knossos bad histories', () => {
  const cases: [string, string, unknown][] = [
    ['cas-register/bad/bad-analysis.edn', 'cas-register', 0],
    ['cas-register/bad/cas-failure.edn', 'cas-register', 0],
    ['cas-register/bad/rethink-fail-smaller.edn', 'cas-register', 0],
    ['mutex/bad/etcd.edn', 'mutex', undefined],
  ];
  for (const [file, model, initial] of cases) {
    it(`${file}: the plain shrunk set fails alone and is 1-minimal; the shown set fails alone`, async () => {
      const history = parseEdnHistory(readFileSync(join(KNOSSOS, file), 'utf8')).ops;
      const r = await checkLinearizable(history, { model, initial, workers: 1 });
      expect(r.valid).toBe(false);
      const shown = r.anomalies[0].counterexample as Shown;
      expect(shown.ops.map((o) => o.index)).toEqual(shown.indices);

      const plainIdx = shown.plain?.indices ?? shown.indices;
      const plain = subset(history, plainIdx);
      expect(plain.length).toBeLessThan(history.length / 4);
      expect(await valid(plain, model, initial)).toBe(false);
      expect(shown.plain?.minimal ?? shown.minimal).toBe(true);
      for (const drop of pairsOf(plain)) {
        const gone = new Set(drop);
        const smaller = plain.filter((o) => !gone.has(o.index)).map((o, i) => ({ ...o, index: i }));
        // Dropping the only op leaves nothing to check (unknown); an empty history is trivially linearizable.
        if (smaller.length > 0) expect(await valid(smaller, model, initial)).toBe(true);
      }

      expect(await valid(subset(history, shown.indices), model, initial)).toBe(false);
      expect(r.anomalies[0].message).toContain(shown.explanation);
      // The claim that no other op would help is made exactly when it was established.
      expect(shown.explanation.includes('Adding any of the other ops on this key would not change that')).toBe(shown.robust);
    });
  }
});

describe('explanations', () => {
  // write(3) by p1, then write(4) by p2, then p4 reads 3.
  const history = new History().invoke(1, 'write', 3).ok(1).invoke(2, 'write', 4).ok(2).invoke(4, 'read').ok(4, 3).ops;

  it('the paragraph names the op, what completed before it, the states, and comes from the model', async () => {
    const r = await checkLinearizable(history, { model: 'register', initial: 0, workers: 1 });
    expect(r.valid).toBe(false);
    const a = r.anomalies[0];
    expect(a.kind).toBe('nonlinearizable');
    expect('key' in a).toBe(false); // a keyless history has no key to name
    // The read saw a value already overwritten: it names the overwriter, the state it left, and the write it lost.
    expect(a.message).toMatch(/^p4's read → 3 \(ops 4\/5, 0\.005–0\.006 s\) returned a value already overwritten when it began/);
    expect(a.message).toMatch(/write\(4\) by p2 \(ops 2\/3\) completed at 0\.004 s before the read began, leaving the register in state 4, where read → 3 is impossible/);
    expect(a.message).toMatch(/the only op that could have left a state where it fits had completed before write\(4\) began \(write\(3\) by p1, ops 0\/1\)/);
    expect(a.message).toMatch(/Adding any of the other ops on this key would not change that/);
    const shown = a.counterexample as Shown;
    expect(shown.robust).toBe(true);
    // Shown: write(3), write(4) and the read. The plain 1-minimal set is the read alone, which write(3) would rescue.
    expect(shown.indices).toEqual([0, 1, 2, 3, 4, 5]);
    expect(shown.plain?.indices).toEqual([4, 5]);
    expect(shown.plain?.explanation).toMatch(/the register starts in state 0, and read → 3 is impossible there/);
  });

  it('the timeline is data: the kept ops as the model describes them, with indices and times', async () => {
    const r = await checkLinearizable(history, { model: 'register', initial: 0, workers: 1 });
    const shown = r.anomalies[0].counterexample as Shown;
    expect(shown.timeline).toEqual([
      { process: 1, op: 'write(3)', invokeIndex: 0, completionIndex: 1, type: 'ok', invokeTime: 1_000_000, completionTime: 2_000_000 },
      { process: 2, op: 'write(4)', invokeIndex: 2, completionIndex: 3, type: 'ok', invokeTime: 3_000_000, completionTime: 4_000_000 },
      { process: 4, op: 'read → 3', invokeIndex: 4, completionIndex: 5, type: 'ok', invokeTime: 5_000_000, completionTime: 6_000_000 },
    ]);
    expect(r.anomalies[0].timeline).toEqual(shown.timeline);
  });

  it('reports the longest linearizable prefix and the op that could not follow it', async () => {
    const r = await checkLinearizable(history, { model: 'register', initial: 0, workers: 1, shrink: false });
    const prefix = r.anomalies[0].prefix as { length: number; ops: { op: string }[]; blocked: { op: string; invokeIndex: number }; states: string[] };
    expect(prefix.length).toBe(2);
    expect(prefix.ops.map((o) => o.op)).toEqual(['write(3)', 'write(4)']);
    expect(prefix.blocked).toMatchObject({ op: 'read → 3', invokeIndex: 4 });
    expect(prefix.states).toEqual(['4']);
    expect(r.anomalies[0].counterexample).toBeUndefined();
  });

  it('names the failing key; other keys do not appear', async () => {
    const h = new History()
      .invoke(0, 'write', 1, 'a')
      .ok(0)
      .invoke(1, 'write', 2, 'b')
      .ok(1)
      .invoke(0, 'read', null, 'a')
      .ok(0, 1)
      .invoke(1, 'read', null, 'b')
      .ok(1, 7);
    const r = await checkLinearizable(h.ops, { model: 'kv', workers: 1 });
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0].key).toBe('b');
    expect(r.anomalies[0].message).toMatch(/^key b: p1's read → 7/);
    // Nothing on key b ever wrote 7, so the read alone is the whole story.
    expect((r.anomalies[0].counterexample as Shown).indices).toEqual([6, 7]);
    expect(r.anomalies[0].message).toMatch(/Adding any of the other ops on this key would not change that/);
  });
});
