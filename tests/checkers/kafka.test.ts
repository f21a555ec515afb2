// The kafka checker (checkers/kafka): one history per finding, clean histories, and histories made by a
// correct log under random clients, which must always pass.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkKafka, KAFKA_FINDINGS } from '../../checkers/kafka/index.js';
import type { Op } from '../../histories/op.js';

/** Sequential ops, each invoked and completed in turn: [process, f, key, invokeValue, completionValue, type?]. */
type Step = [process: number, f: string, key: number | undefined, sent: unknown, got: unknown, type?: 'ok' | 'fail' | 'info'];

function history(steps: Step[], finals: Record<string, [number, unknown][]> = {}): Op[] {
  const ops: Op[] = [];
  const push = (o: Omit<Op, 'index'>) => ops.push({ ...o, index: ops.length } as Op);
  for (const [process, f, key, sent, got, type] of steps) {
    push({ type: 'invoke', process, f, ...(key === undefined ? {} : { key }), ...(sent === undefined ? {} : { value: sent }) });
    push({ type: type ?? 'ok', process, f, ...(key === undefined ? {} : { key }), ...(got === undefined ? {} : { value: got }) });
  }
  let p = 1_000_000_000;
  for (const [key, pairs] of Object.entries(finals)) {
    push({ type: 'invoke', process: p, f: 'final-read', key: Number(key), node: 'n1' });
    push({ type: 'ok', process: p++, f: 'final-read', key: Number(key), node: 'n1', value: pairs });
  }
  return ops;
}

const kinds = (ops: Op[]) => checkKafka(ops).anomalies.map((a) => a.kind);

describe('kafka checker', () => {
  it('passes a clean log: sends, polls in order, an assign that rewinds, final reads', () => {
    const ops = history(
      [
        [0, 'send', 0, 'a', 0],
        [1, 'send', 0, 'b', 1],
        [0, 'poll', undefined, undefined, { '0': [[0, 'a'], [1, 'b']] }],
        [0, 'assign', undefined, [0], { '0': 0 }],
        [0, 'poll', undefined, undefined, { '0': [[0, 'a']] }],
        [1, 'send', 0, 'c', 2],
      ],
      { '0': [[0, 'a'], [1, 'b'], [2, 'c']] },
    );
    const r = checkKafka(ops);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ sends: 3, polls: 2, finalReads: 1 });
  });

  it('says unknown when no send was acknowledged', () => {
    expect(checkKafka(history([[0, 'send', 0, 'a', undefined, 'info']])).valid).toBe('unknown');
  });

  it('finds inconsistent offsets: two acknowledged sends at one offset', () => {
    const ops = history([
      [0, 'send', 0, 'a', 0],
      [1, 'send', 0, 'b', 0],
    ]);
    expect(kinds(ops)).toContain('inconsistent-offsets');
  });

  it('finds duplicates: one message at two offsets', () => {
    const ops = history([
      [0, 'send', 0, 'a', 0],
      [1, 'poll', undefined, undefined, { '0': [[0, 'a'], [1, 'a']] }],
    ]);
    expect(kinds(ops)).toContain('duplicate');
  });

  it('finds lost writes (read past) apart from unseen ones (never reached, final reads done)', () => {
    const lost = history([
      [0, 'send', 0, 'a', 0],
      [0, 'send', 0, 'b', 1],
      [1, 'poll', undefined, undefined, { '0': [[1, 'b']] }],
    ]);
    expect(kinds(lost)).toEqual(['lost-write']);
    const unseen = history([[0, 'send', 0, 'a', 0]], { '0': [] });
    expect(kinds(unseen)).toEqual(['unseen']);
    // Without final reads an unpolled message may simply not have been read yet.
    expect(checkKafka(history([[0, 'send', 0, 'a', 0]])).valid).toBe(true);
  });

  it('finds poll skips, within a poll and between polls, but not across an assign', () => {
    const sends: Step[] = [0, 1, 2, 3].map((o) => [9, 'send', 0, `m${o}`, o]);
    const between = history([...sends, [0, 'poll', undefined, undefined, { '0': [[0, 'm0']] }], [0, 'poll', undefined, undefined, { '0': [[2, 'm2'], [3, 'm3']] }], [1, 'poll', undefined, undefined, { '0': [[0, 'm0'], [1, 'm1']] }]]);
    expect(kinds(between)).toEqual(['poll-skip']);
    const within = history([...sends, [0, 'poll', undefined, undefined, { '0': [[0, 'm0'], [2, 'm2']] }], [1, 'poll', undefined, undefined, { '0': [[1, 'm1'], [3, 'm3']] }]]);
    expect(kinds(within)).toEqual(['poll-skip', 'poll-skip']);
    const assigned = history([...sends, [0, 'poll', undefined, undefined, { '0': [[0, 'm0'], [1, 'm1']] }], [0, 'assign', undefined, [0], { '0': 3 }], [0, 'poll', undefined, undefined, { '0': [[3, 'm3']] }], [1, 'poll', undefined, undefined, { '0': [[2, 'm2']] }]]);
    expect(checkKafka(assigned).valid).toBe(true);
  });

  it('finds nonmonotonic polls and sends', () => {
    const polls = history([
      [9, 'send', 0, 'a', 0],
      [9, 'send', 0, 'b', 1],
      [0, 'poll', undefined, undefined, { '0': [[0, 'a'], [1, 'b']] }],
      [0, 'poll', undefined, undefined, { '0': [[1, 'b']] }],
    ]);
    expect(kinds(polls)).toEqual(['nonmonotonic-poll']);
    const sends = history([
      [0, 'send', 0, 'a', 1],
      [0, 'send', 0, 'b', 0],
      [1, 'poll', undefined, undefined, { '0': [[0, 'b'], [1, 'a']] }],
    ]);
    expect(kinds(sends)).toEqual(['nonmonotonic-send']);
  });

  it('refuses to call a malformed history valid', () => {
    const r = checkKafka(history([[0, 'send', 0, 'a', 0], [1, 'poll', undefined, undefined, 'nonsense']]));
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/poll ok without a map/);
  });

  it('never finds anything in histories a correct log produced for random clients', () => {
    const step = fc.record({ client: fc.integer({ min: 0, max: 2 }), send: fc.boolean(), key: fc.integer({ min: 0, max: 1 }), assign: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (plan) => {
        const logs: unknown[][] = [[], []];
        const next = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
        const steps: Step[] = [];
        let msg = 0;
        for (const s of plan) {
          if (s.send) {
            logs[s.key].push(++msg);
            steps.push([s.client, 'send', s.key, msg, logs[s.key].length - 1]);
          } else if (s.assign) {
            next[s.client].set(s.key, 0);
            steps.push([s.client, 'assign', undefined, [s.key], { [s.key]: 0 }]);
          } else {
            const out: Record<string, [number, unknown][]> = {};
            for (const k of [0, 1]) {
              const from = next[s.client].get(k) ?? 0;
              const got = logs[k].slice(from, from + 3).map((m, i) => [from + i, m] as [number, unknown]);
              if (got.length > 0) out[k] = got;
              next[s.client].set(k, from + got.length);
            }
            steps.push([s.client, 'poll', undefined, undefined, out]);
          }
        }
        const finals = Object.fromEntries([0, 1].map((k) => [k, logs[k].map((m, i) => [i, m] as [number, unknown])]));
        const r = checkKafka(history(steps, finals));
        expect(r.anomalies).toEqual([]);
        expect(r.valid).toBe(msg === 0 ? 'unknown' : true);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('names every finding it can make', () => {
    expect([...KAFKA_FINDINGS].sort()).toEqual(['duplicate', 'inconsistent-offsets', 'lost-write', 'nonmonotonic-poll', 'nonmonotonic-send', 'poll-skip', 'unseen']);
  });
});
