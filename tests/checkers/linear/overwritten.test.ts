// Planted stale reads: a linearizable cas-register history made by simulation (every write a fresh value), in
// which one ok read is changed to return the value of an earlier write that a later op overwrote (or a later read
// showed gone) before the read began. The explanation must name the planted read and the write it saw, and an
// overwriter between them. Also: a cas that succeeded on an overwritten value, and what is said when no small set
// of ops explains a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import type { ReportedOp } from '../../../checkers/linear/counterexample.js';
import type { Op } from '../../../histories/op.js';
import { parseJepsenLog } from '../../../histories/jepsen/log-history.js';
import { etcdStyleLog } from '../../../bench/gen-histories.js';
import { History } from './helpers.js';
import seedrandom from 'seedrandom';
import { MODELS } from '../../../checkers/models/index.js';
import { findOverwrittenRead } from '../../../checkers/linear/overwritten.js';
import { splitHistory } from '../../../checkers/linear/split.js';
import { bruteForce } from './brute-force.js';
import { randomHistory } from './random-history.js';

interface Live {
  process: number;
  f: 'read' | 'write' | 'cas';
  value: unknown;
  invoke: number;
  done: boolean;
  ok: boolean;
  result?: unknown;
}

/** A linearizable history of `clients` processes: each op takes effect at one step between its invoke and completion. */
function simulate(steps: number[], clients: number): Op[] {
  const ops: Op[] = [];
  let reg: unknown = null;
  let fresh = 1;
  const live: (Live | undefined)[] = new Array<Live | undefined>(clients).fill(undefined);
  const emit = (o: Omit<Op, 'index' | 'time'>): number => {
    ops.push({ index: ops.length, time: (ops.length + 1) * 1_000_000, ...o } as Op);
    return ops.length - 1;
  };
  for (const s of steps) {
    const c = s % clients;
    const l = live[c];
    if (!l) {
      const k = Math.floor(s / clients) % 10;
      const f = k < 4 ? 'read' : k < 8 ? 'write' : 'cas';
      const value = f === 'read' ? null : f === 'write' ? fresh++ : [reg, fresh++];
      live[c] = { process: c, f, value, invoke: emit({ type: 'invoke', process: c, f, value }), done: false, ok: false };
    } else if (!l.done) {
      l.done = true;
      l.ok = true;
      if (l.f === 'read') l.result = reg;
      else if (l.f === 'write') reg = l.value;
      else {
        const [from, to] = l.value as [unknown, unknown];
        l.ok = reg === from;
        if (l.ok) reg = to;
      }
    } else {
      live[c] = undefined;
      emit({ type: l.ok ? 'ok' : 'fail', process: c, f: l.f, value: l.f === 'read' ? l.result : l.value });
    }
  }
  for (const l of live) if (l) emit({ type: 'info', process: l.process, f: l.f, value: l.value });
  return ops;
}

interface Span {
  invoke: number;
  complete: number;
  op: Op;
}

/** ok ops with their invoke and completion positions. */
function spans(ops: Op[]): Span[] {
  const open = new Map<number, Op>();
  const out: Span[] = [];
  for (const o of ops) {
    if (o.type === 'invoke') open.set(o.process as number, o);
    else {
      const inv = open.get(o.process as number)!;
      open.delete(o.process as number);
      if (o.type === 'ok') out.push({ invoke: inv.index, complete: o.index, op: o });
    }
  }
  return out;
}

/** Plant a stale read: an ok read r, an ok write s and an ok change x with s < x < r in real time; r now returns s's value. */
function plant(ops: Op[], pick: number): { ops: Op[]; read: Span; source: Span } | undefined {
  const all = spans(ops);
  const changes = all.filter((s) => s.op.f !== 'read');
  const cases: { read: Span; source: Span }[] = [];
  for (const r of all.filter((s) => s.op.f === 'read')) {
    for (const src of changes.filter((s) => s.op.f === 'write')) {
      const between = changes.some((x) => x !== src && x.invoke > src.complete && x.complete < r.invoke);
      if (between && r.op.value !== src.op.value) cases.push({ read: r, source: src });
    }
  }
  if (cases.length === 0) return undefined;
  const c = cases[pick % cases.length];
  const planted = ops.map((o) => (o.index === c.read.complete ? { ...o, value: c.source.op.value } : o));
  return { ops: planted, ...c };
}

describe('explanations of planted stale reads', () => {
  it('name the planted read, the write it saw, and an op that overwrote it in between', async () => {
    let planted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(999), { minLength: 40, maxLength: 160 }), fc.integer({ min: 2, max: 5 }), fc.nat(), async (steps, clients, pick) => {
        const p = plant(simulate(steps, clients), pick);
        if (!p) return;
        planted++;
        const r = await checkLinearizable(p.ops, { model: 'cas-register', workers: 1 });
        expect(r.valid).toBe(false);
        const a = r.anomalies[0];
        const shown = a.counterexample as { timeline: ReportedOp[]; shape?: string; robust: boolean };
        expect(shown.shape).toBe('overwritten-read');
        expect(shown.robust).toBe(true);
        const [src, over, read] = [...shown.timeline].sort((x, y) => x.invokeIndex - y.invokeIndex);
        expect(read.invokeIndex).toBe(p.read.invoke);
        expect(src.invokeIndex).toBe(p.source.invoke);
        // The overwriter began after the write completed and completed before the read began.
        expect(over.invokeIndex).toBeGreaterThan(p.source.complete);
        expect(over.completionIndex!).toBeLessThan(p.read.invoke);
        expect(a.message).toContain(`p${String(read.process)}'s ${read.op} (ops ${read.invokeIndex}/${read.completionIndex}`);
        expect(a.message).toContain(`${over.op} by p${String(over.process)} (ops ${over.invokeIndex}/${over.completionIndex})`);
        expect(a.message).toContain(`${src.op} by p${String(src.process)}, ops ${src.invokeIndex}/${src.completionIndex}`);
      }),
      { numRuns: 150, seed: 10 },
    );
    expect(planted).toBeGreaterThan(100);
  });

  it('name a read of another value as the overwriter when no write or cas came between', async () => {
    let planted = 0;
    let byRead = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(999), { minLength: 40, maxLength: 160 }), fc.integer({ min: 2, max: 5 }), fc.nat(), async (steps, clients, pick) => {
        const ops = simulate(steps, clients);
        const all = spans(ops);
        const changes = all.filter((s) => s.op.f !== 'read');
        const cases: { read: Span; source: Span; shower: Span }[] = [];
        for (const r of all.filter((s) => s.op.f === 'read')) {
          for (const src of changes.filter((s) => s.op.f === 'write')) {
            // No op that changed the state fits between them: only a read shows the value was gone.
            if (changes.some((x) => x !== src && x.invoke > src.complete && x.complete < r.invoke)) continue;
            const shower = all.find((x) => x.op.f === 'read' && x !== r && x.invoke > src.complete && x.complete < r.invoke && x.op.value !== src.op.value);
            if (shower && r.op.value !== src.op.value) cases.push({ read: r, source: src, shower });
          }
        }
        if (cases.length === 0) return;
        const c = cases[pick % cases.length];
        planted++;
        const bad = ops.map((o) => (o.index === c.read.complete ? { ...o, value: c.source.op.value } : o));
        const r = await checkLinearizable(bad, { model: 'cas-register', workers: 1 });
        expect(r.valid).toBe(false);
        const a = r.anomalies[0];
        const shown = a.counterexample as { timeline: ReportedOp[]; shape?: string; robust: boolean };
        // The plain shrink may already hold whatever the others did (two reads a search shows cannot both be);
        // then that set is shown as it is.
        expect(shown.robust).toBe(true);
        if (shown.shape === undefined) return;
        expect(shown.shape).toBe('overwritten-read');
        const [src, over, read] = [...shown.timeline].sort((x, y) => x.invokeIndex - y.invokeIndex);
        expect(read.invokeIndex).toBe(c.read.invoke);
        expect(src.invokeIndex).toBe(c.source.invoke);
        expect(over.op).toMatch(/^read → /);
        byRead++;
        expect(over.invokeIndex).toBeGreaterThan(c.source.complete);
        expect(over.completionIndex!).toBeLessThan(c.read.invoke);
        expect(a.message).toContain(`${over.op} by p${String(over.process)} (ops ${over.invokeIndex}/${over.completionIndex}) completed`);
        expect(a.message).toMatch(/before the read began, finding the cas-register in state /);
      }),
      { numRuns: 200, seed: 11 },
    );
    expect(planted).toBeGreaterThan(30);
    expect(byRead).toBeGreaterThan(planted / 3);
  });

  it('say a cas succeeded on a value already overwritten', async () => {
    // write(1), then write(2), then cas(1→3) succeeds.
    const h = new History().invoke(1, 'write', 1).ok(1).invoke(2, 'write', 2).ok(2).invoke(3, 'cas', [1, 3]).ok(3).ops;
    const r = await checkLinearizable(h, { model: 'cas-register', initial: 0, workers: 1 });
    expect(r.valid).toBe(false);
    const a = r.anomalies[0];
    expect((a.counterexample as { shape?: string }).shape).toBe('overwritten-read');
    expect(a.message).toMatch(/^p3's cas\(1→3\) \(ops 4\/5, [^)]*\) succeeded on a value already overwritten when it began: /);
    expect(a.message).toMatch(/write\(2\) by p2 \(ops 2\/3\) completed at [0-9.]+ s before cas\(1→3\) began, leaving the cas-register in state 2, where cas\(1→3\) is impossible/);
  });

  it('when no small set explains a failure, name the op the search stopped at and show the ops around it', async () => {
    // Jepsen-style etcd logs with timed-out writes: a pending write of the value a read saw can take effect at any
    // time, so no handful of ops fails whatever the others did, and the plain 1-minimal set (a read alone) would
    // blame an op that is not even where the search stopped.
    let stops = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const log = etcdStyleLog({ seed, ops: 100 + ((seed - 1) * 37) % 300, clients: 5, bad: true });
      const r = await checkLinearizable(parseJepsenLog(log).ops, { model: 'cas-register', workers: 1 });
      for (const a of r.anomalies) {
        const shown = a.counterexample as { shape?: string; timeline: ReportedOp[]; robust: boolean; minimal: boolean };
        if (shown?.shape !== 'search-stop') continue;
        stops++;
        const prefix = a.prefix as { length: number; blocked: ReportedOp };
        const b = prefix.blocked;
        expect(a.message).toContain(`after a linearizable prefix of ${prefix.length} ops, p${String(b.process)}'s ${b.op} (ops ${b.invokeIndex}/${b.completionIndex}`);
        expect(a.message).not.toContain('Taken alone');
        expect(shown.robust).toBe(false);
        expect(shown.minimal).toBe(false);
        expect(shown.timeline.some((o) => o.invokeIndex === b.invokeIndex)).toBe(true);
        // Every op shown ends after the blocked op began or is among the prefix's last ops, and began before it ended.
        for (const o of shown.timeline) expect(o.invokeIndex).toBeLessThan(b.completionIndex!);
      }
    }
    expect(stops).toBeGreaterThan(0);
  });

  it('leave a read of a value nothing wrote to the plain shrink (the read alone is the whole story)', async () => {
    const ops = simulate([0, 0, 0, 1, 1, 1, 0, 0, 0], 2);
    const readDone = ops.find((o) => o.type === 'ok' && o.f === 'read')!;
    const bad = ops.map((o) => (o === readDone ? { ...o, value: 999 } : o));
    const r = await checkLinearizable(bad, { model: 'cas-register', workers: 1 });
    expect(r.valid).toBe(false);
    expect((r.anomalies[0].counterexample as { shape?: string }).shape).toBeUndefined();
  });
});

describe('an overwritten-read witness', () => {
  it('fails whatever the other ops did, by brute force, on small random cas-register histories', () => {
    const model = MODELS['cas-register'];
    const rng = seedrandom('overwritten-witness');
    let witnesses = 0;
    let byRead = 0;
    for (let h = 0; h < 1500; h++) {
      const { ops, initial } = randomHistory(rng, 'cas-register', 8, 4);
      for (const part of splitHistory(ops, true).partitions) {
        const pairs = part.pairs;
        for (let near = 0; near < pairs.length; near++) {
          const w = findOverwrittenRead(model, initial, pairs, near, Infinity);
          if (!w) continue;
          witnesses++;
          if (model.prepare(pairs[w.overwriter].invoke, pairs[w.overwriter].completion, initial)?.readOnly) byRead++;
          // Every other ok op may be kept or left out (info ops keep their own freedom): no choice is linearizable.
          const others = pairs.map((_, i) => i).filter((i) => i !== w.read && i !== w.overwriter && pairs[i].completion?.type === 'ok');
          for (let mask = 0; mask < 1 << others.length; mask++) {
            const drop = new Set<number>();
            others.forEach((i, k) => {
              if (!(mask & (1 << k))) {
                drop.add(pairs[i].invoke.index);
                drop.add(pairs[i].completion!.index);
              }
            });
            const kept = ops.filter((o) => !drop.has(o.index));
            if (bruteForce(model, initial, kept) !== false) {
              throw new Error(`witness ${JSON.stringify(w)} is rescued by keeping ${others.filter((_, k) => mask & (1 << k))}\n${ops.map((o) => JSON.stringify(o)).join('\n')}`);
            }
          }
        }
      }
    }
    // The generator must reach both kinds of overwriter, or the check proves little.
    expect(witnesses).toBeGreaterThan(100);
    expect(byRead).toBeGreaterThan(10);
  });
});
