// Worker threads give the same answer as in-process checking; budgets end in `unknown` (never `true`) with
// stats of how far the search got.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../histories/op.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { generateHistory } from '../../../bench/check.js';
import { History } from './helpers.js';

function withoutTimings(r: Awaited<ReturnType<typeof checkLinearizable>>): unknown {
  const { elapsedMs: _e, workers: _w, ...stats } = r.stats;
  return { ...r, stats };
}

describe('worker threads', () => {
  it('give results identical to in-process checking, valid and invalid', async () => {
    const ops = generateHistory(20_000, { keys: 30, seed: 7 });
    const good1 = await checkLinearizable(ops, { model: 'cas-register', initial: 0, workers: 1 });
    const goodN = await checkLinearizable(ops, { model: 'cas-register', initial: 0, workers: 3, minPairsForWorkers: 0 });
    expect(good1.valid).toBe(true);
    expect(goodN.stats.workers).toBe(3);
    expect(withoutTimings(goodN)).toEqual(withoutTimings(good1));

    // Break two keys: a read that returns a value nobody wrote.
    const broken: Op[] = ops.map((o) => ({ ...o }));
    for (const key of [3, 17]) {
      const last = broken.findLast((o) => o.type === 'ok' && o.f === 'read' && o.key === key)!;
      last.value = 99;
    }
    const bad1 = await checkLinearizable(broken, { model: 'cas-register', initial: 0, workers: 1 });
    const badN = await checkLinearizable(broken, { model: 'cas-register', initial: 0, workers: 3, minPairsForWorkers: 0 });
    expect(bad1.valid).toBe(false);
    expect(bad1.anomalies.map((a) => a.key).sort()).toEqual([17, 3].sort());
    expect(badN.stats.workers).toBe(3);
    expect(withoutTimings(badN)).toEqual(withoutTimings(bad1));
  });
});

describe('budgets', () => {
  // Twenty adds that never answered, then a read of an element nobody added: every subset of the adds is a
  // distinct configuration the complete search must visit before it can say no (the growth pruning cannot help:
  // every subset of the adds is still a subset of what the read saw).
  function explosive(): Op[] {
    const h = new History();
    const all = Array.from({ length: 20 }, (_, p) => p);
    for (const p of all) h.invoke(p, 'add', p, 'k');
    h.invoke(40, 'read', null, 'k').ok(40, [...all, 99]);
    return h.ops;
  }

  it('maxStates: unknown, with how far it got', async () => {
    const r = await checkLinearizable(explosive(), { model: 'set', workers: 1, maxStates: 5_000 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/explored more than 5000 states \(--max-states\)/);
    expect(r.stats.limit).toBe('states');
    const u = (r.stats.unknownKeys as { key: string; states: number; okOps: number }[])[0];
    expect(u.key).toBe('k');
    expect(u.states).toBeGreaterThan(5_000);
    expect(u.okOps).toBe(1);
  });

  it('maxMemory below what the process already holds: unknown at once, with the memory reason', async () => {
    const r = await checkLinearizable(explosive(), { model: 'set', workers: 1, maxMemory: 256 * 1024 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/^memory: the process already holds \d+ MB .* past the budget of 0 MB \(--max-memory\)/);
    expect(r.stats.limit).toBe('memory');
  });

  it('maxMemory bounds the process: a search that needs more ends unknown near the budget, never a crash', async () => {
    // 20 pending adds: a million subsets for the search to remember, far more than 48 MB above what the
    // process holds now. The budget counts the whole process, so the search stops when the process is near it.
    const before = process.memoryUsage.rss();
    const budget = before + 48 * 2 ** 20;
    const r = await checkLinearizable(explosive(), { model: 'set', workers: 1, maxMemory: budget });
    expect(r.valid).toBe('unknown');
    expect(r.stats.limit).toBe('memory');
    expect(r.reason).toMatch(/key k: memory: .*\(--max-memory\)/);
    const u = (r.stats.unknownKeys as { limit: string; states: number }[])[0];
    expect(u.limit).toBe('memory');
    expect(u.states).toBeGreaterThan(0);
    // Checked every few milliseconds: allow what a few milliseconds of search allocate past it.
    expect(process.memoryUsage.rss()).toBeLessThan(budget + 32 * 2 ** 20);
  });

  it('timeoutMs: unknown, never true', async () => {
    const r = await checkLinearizable(explosive(), { model: 'set', workers: 1, timeoutMs: 200 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/timeout \(--timeout\)/);
    expect(r.stats.limit).toBe('time');
  });

  it('a budget does not turn a clear failure elsewhere into unknown', async () => {
    const h = new History().invoke(50, 'add', 1, 'other').ok(50).invoke(51, 'read', null, 'other').ok(51, [2]);
    const ops = [...explosive(), ...h.ops.map((o, i) => ({ ...o, index: 100 + i }))];
    const r = await checkLinearizable(ops, { model: 'set', workers: 1, maxStates: 5_000, shrink: false });
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].key).toBe('other');
  });

  // The same shape with appends of unique strings used to take every order of every subset (12! orders); the
  // growth order (a string only grows at its end) sees at the first wrong append that the read cannot follow.
  it('pending appends of unique values and an impossible read are decided at once', async () => {
    const h = new History();
    for (let p = 0; p < 12; p++) h.invoke(p, 'append', String.fromCharCode(97 + p), 'k');
    h.invoke(20, 'read', null, 'k').ok(20, 'zz');
    const r = await checkLinearizable(h.ops, { model: 'kv', workers: 1, maxStates: 5_000, shrink: false });
    expect(r.valid).toBe(false);
    expect(r.stats.statesExplored).toBeLessThan(100);
  });
});

describe('progress', () => {
  it('reports keys done and states explored as an in-process check goes, ending at every key', async () => {
    const ops = generateHistory(20_000, { keys: 5, seed: 3 });
    const seen: { keysDone: number; keys: number; states: number }[] = [];
    const r = await checkLinearizable(ops, { model: 'cas-register', initial: 0, workers: 1, onProgress: (p) => seen.push({ ...p }) });
    expect(r.valid).toBe(true);
    expect(seen.length).toBeGreaterThan(5); // ticks during the search as well as one per key
    expect(seen.at(-1)).toEqual({ keysDone: 5, keys: 5, states: r.stats.statesExplored });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].keysDone).toBeGreaterThanOrEqual(seen[i - 1].keysDone);
      expect(seen[i].states).toBeGreaterThanOrEqual(seen[i - 1].states);
    }
  });
});
