// Planted stale reads: a linearizable cas-register history made by simulation (every write a fresh value), in
// which one ok read is changed to return the value of an earlier write that a later op overwrote before the read
// began. The explanation must name the planted read and the write it saw, and an overwriter between them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import type { ReportedOp } from '../../../checkers/linear/counterexample.js';
import type { Op } from '../../../histories/op.js';

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

  it('leave a read of a value nothing wrote to the plain shrink (the read alone is the whole story)', async () => {
    const ops = simulate([0, 0, 0, 1, 1, 1, 0, 0, 0], 2);
    const readDone = ops.find((o) => o.type === 'ok' && o.f === 'read')!;
    const bad = ops.map((o) => (o === readDone ? { ...o, value: 999 } : o));
    const r = await checkLinearizable(bad, { model: 'cas-register', workers: 1 });
    expect(r.valid).toBe(false);
    expect((r.anomalies[0].counterexample as { shape?: string }).shape).toBeUndefined();
  });
});
