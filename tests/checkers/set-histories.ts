// Random set histories for property tests, from fast-check: client adds and whole-set reads on per-process
// clocks (ok, fail, info, pending), with lost, stale, duplicated and unexpected elements, then final-read rounds
// on three nodes. Time-ordered, as the recorder writes them.
import fc from 'fast-check';
import { HistoryBuilder, type Outcome } from './history-builder.js';
import type { Op } from '../../histories/op.js';

const step = fc.record({
  p: fc.integer({ min: 0, max: 4 }),
  read: fc.boolean(),
  key: fc.integer({ min: 0, max: 1 }),
  gap: fc.integer({ min: 0, max: 20 }),
  dur: fc.integer({ min: 1, max: 30 }),
  outcome: fc.integer({ min: 0, max: 19 }),
  picks: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 12 }),
  odd: fc.integer({ min: 0, max: 19 }),
});
const finalRound = fc.record({
  drop: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 6 }),
  outcome: fc.integer({ min: 0, max: 9 }),
});
export const spec = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 40 }),
  rounds: fc.array(fc.array(finalRound, { minLength: 3, maxLength: 3 }), { maxLength: 2 }),
  keep: fc.integer({ min: 0, max: 99 }),
});

export type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

const outcomeOf = (n: number): Outcome => (n < 14 ? 'ok' : n < 16 ? 'fail' : n < 18 ? 'info' : 'pending');

/** A history from the spec: client ops on per-process clocks, then final-read rounds on three nodes. */
export function build(s: Spec): Op[] {
  const h = new HistoryBuilder();
  const clock = [0, 0, 0, 0, 0];
  const pending = new Set<number>();
  const pool: { key: number; value: unknown }[] = [];
  let next = 1;
  for (const st of s.steps) {
    if (pending.has(st.p)) continue;
    const start = clock[st.p] + st.gap / 10;
    const end = start + st.dur / 10;
    clock[st.p] = end;
    const outcome = outcomeOf(st.outcome);
    if (outcome === 'pending') pending.add(st.p);
    const key = `k${st.key}`;
    if (!st.read) {
      // Mostly fresh numbers; now and then an element added again, or a string that looks like a number.
      const value = st.odd === 0 && pool.length > 0 ? pool[(st.picks[0] ?? 0) % pool.length].value : st.odd === 1 ? String(next++) : next++;
      pool.push({ key: st.key, value });
      h.add(st.p, key, value, [start, end], { outcome });
      continue;
    }
    const mine = pool.filter((e) => e.key === st.key || st.odd === 2);
    const seen: unknown[] = [];
    for (const i of st.picks) if (mine.length > 0) seen.push(mine[i % mine.length].value);
    // Most reads see a prefix of what was added, as a real set grows; picks add holes and repeats.
    const prefix = mine.slice(0, Math.floor((mine.length * s.keep) / 100)).map((e) => e.value);
    const value = st.odd === 3 ? [...seen, 'never-added'] : st.odd < 8 ? seen : [...new Set([...prefix, ...seen])];
    h.read(st.p, key, value, [start, end], { outcome });
  }
  const t0 = Math.max(...clock) + 1;
  h.heal(t0);
  s.rounds.forEach((round, r) => {
    round.forEach((node, n) => {
      for (const k of [0, 1]) {
        const all = [...new Set(pool.filter((e) => e.key === k).map((e) => e.value))];
        const drop = new Set(node.drop.map((i) => (all.length > 0 ? i % all.length : 0)));
        const value = all.filter((_, i) => !drop.has(i));
        const outcome = node.outcome < 8 ? 'ok' : node.outcome === 8 ? 'fail' : 'info';
        const at = t0 + 1 + r * 3 + k;
        h.finalRead(r, `n${n + 1}`, `k${k}`, value, [at, at + 0.5], outcome);
      }
    });
  });
  return h.build();
}

