// Network statistics (harness/net-stats.ts): message counts per op, latency quantiles, stable latency as the
// broadcast challenges grade it, and the run's own targets.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { judgeTargets, netStats, StableLatencyStream } from '../../harness/net-stats.js';
import { canon } from '../../histories/canon.js';
import { FINAL_READ } from '../../histories/conventions.js';
import { isClientRecord, pairOps } from '../../checkers/op-records.js';
import { build, spec } from '../checkers/set-histories.js';
import type { Op } from '../../histories/op.js';

const S = 1e9;
/** [process, f, value-in, value-out, invoke s, complete s] one op each, sorted into a history by time. */
function history(rows: [number | string, string, unknown, unknown, number, number, string?][]): Op[] {
  const evs: Omit<Op, 'index'>[] = [];
  for (const [process, f, vin, vout, t0, t1, node] of rows) {
    evs.push({ type: 'invoke', process, f, time: t0 * S, ...(vin === undefined ? {} : { value: vin }), ...(node ? { node } : {}), key: 0 } as Omit<Op, 'index'>);
    evs.push({ type: 'ok', process, f, time: t1 * S, ...(vout === undefined ? {} : { value: vout }), ...(node ? { node } : {}), key: 0 } as Omit<Op, 'index'>);
  }
  return evs.sort((a, b) => (a.time as number) - (b.time as number)).map((e, index) => ({ ...e, index }) as Op);
}

const counts = { 'server-server': 30, 'client-server': 4, 'server-client': 4, 'server-service': 3, 'service-server': 3 };

describe('network statistics', () => {
  it('counts server messages (services included, as Maelstrom) per client op, and op latencies', () => {
    const ops = history([
      [0, 'add', 1, undefined, 0, 0.1],
      [1, 'read', undefined, [], 0.2, 0.25],
      [0, 'add', 2, undefined, 0.3, 0.5],
      [1, 'read', undefined, [1, 2], 0.6, 0.61],
    ]);
    const s = netStats(ops, counts, { setLike: false });
    expect(s.clientOps).toBe(4);
    expect(s.messages).toEqual({ servers: 36, clients: 8, byLink: counts });
    expect(s.msgsPerOp).toBe(9);
    expect(s.opLatencyMs.count).toBe(4);
    expect(s.opLatencyMs.p100).toBeCloseTo(200, 0);
    expect(s.opLatencyMs.p0).toBeCloseTo(10, 0);
    expect(s.stableLatencyMs).toBeUndefined();
    expect(netStats(ops, undefined, { setLike: false }).msgsPerOp).toBeNull();
  });

  it('stable latency: from the acknowledgement to the end of the last read that lacked the element', () => {
    const ops = history([
      [0, 'add', 1, undefined, 0, 0.1],
      [1, 'read', undefined, [], 0.2, 0.3], // lacks 1: not stable before 0.3
      [2, 'read', undefined, [], 0.4, 0.5], // lacks 1 still: stable latency 0.4 s
      [1, 'read', undefined, [1], 0.6, 0.7],
      [0, 'add', 2, undefined, 0.8, 0.9], // every later read has it: 0
      [2, 'read', undefined, [1, 2], 1.0, 1.1],
      [0, 'add', 3, undefined, 1.2, 1.3], // a final read lacks it: never stable
      [1_000_000_000, 'final-read', undefined, [1, 2], 2, 2.1, 'n1'],
    ]);
    const s = netStats(ops, counts, { setLike: true });
    expect(s.neverStable).toBe(1);
    expect(s.stableLatencyMs!.count).toBe(2);
    expect(s.stableLatencyMs!.p0).toBe(0);
    expect(s.stableLatencyMs!.p100).toBeCloseTo(400, 0);
  });

  it('judges the targets: missed, met, and unmeasurable', () => {
    const ops = history([[0, 'add', 1, undefined, 0, 0.5], [1, 'read', undefined, [1], 0.6, 0.7]]);
    const s = netStats(ops, counts, { setLike: false });
    expect(judgeTargets(s, {})).toBeUndefined();
    const missed = judgeTargets(s, { maxMsgsPerOp: 10, maxMedianLatencyMs: 50 })!;
    expect(missed.valid).toBe(false);
    expect(missed.anomalies.map((a) => a.kind)).toEqual(['too-many-messages', 'too-slow']);
    expect(judgeTargets(s, { maxMsgsPerOp: 30, maxMedianLatencyMs: 1000 })!.valid).toBe(true);
    const blind = judgeTargets(netStats(ops, undefined, { setLike: false }), { maxMsgsPerOp: 30 })!;
    expect(blind.valid).toBe('unknown');
    expect(blind.reason).toMatch(/does not count messages/);
  });
});

/** The stable-latency scan as it was before it streamed: every read held as a set of its elements. */
function referenceStable(ops: readonly Op[]): { latencies: number[]; neverStable: number } {
  const records = pairOps(ops);
  const adds = records.filter((r) => isClientRecord(r) && r.f === 'add' && r.outcome === 'ok' && r.completeTime !== undefined);
  const reads = records
    .filter((r) => isClientRecord(r) && r.f === 'read' && r.outcome === 'ok' && r.invokeTime !== undefined && r.completeTime !== undefined)
    .map((r) => ({ key: canon(r.key ?? null), start: r.invokeTime!, end: r.completeTime!, has: new Set((Array.isArray(r.completion?.value) ? r.completion!.value : []).map(canon)) }))
    .sort((a, b) => b.end - a.end);
  const lastRound = new Map<string, Set<string>>();
  for (const f of records.filter((r) => r.f === FINAL_READ && r.outcome === 'ok')) {
    lastRound.set(`${f.node ?? ''}/${canon(f.key ?? null)}`, new Set((Array.isArray(f.completion?.value) ? f.completion!.value : []).map(canon)));
  }
  const latencies: number[] = [];
  let neverStable = 0;
  for (const a of adds) {
    const v = canon(a.invoke.value);
    const key = canon(a.key ?? null);
    if ([...lastRound].some(([nk, s]) => nk.endsWith(`/${key}`) && !s.has(v))) {
      neverStable++;
      continue;
    }
    const lacking = reads.find((r) => r.key === key && r.start > a.completeTime! && !r.has.has(v));
    latencies.push(lacking ? Math.max(0, (lacking.end - a.completeTime!) / 1e6) : 0);
  }
  return { latencies, neverStable };
}

describe('stable latency in one pass', () => {
  it('agrees with the scan over every read, on random set histories', () => {
    let measured = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const ops = build(s);
        const stream = new StableLatencyStream();
        for (const op of ops) stream.push(op);
        const got = stream.finish();
        const want = referenceStable(ops);
        expect(got.neverStable).toBe(want.neverStable);
        expect([...got.latencies].sort((a, b) => a - b)).toEqual([...want.latencies].sort((a, b) => a - b));
        if (want.latencies.some((l) => l > 0)) measured++;
      }),
      { seed: 11, numRuns: 300 },
    );
    expect(measured).toBeGreaterThan(30);
  });
});
