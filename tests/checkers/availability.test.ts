import { describe, expect, it } from 'vitest';
import { availability, availabilityDemanding, type AvailabilityStats } from '../../checkers/availability.js';
import { InputError } from '../../histories/errors.js';
import { history } from './history-builder.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const stats = (ops: Parameters<typeof availability>[0]): AvailabilityStats =>
  availability(ops, { nodes: NODES }).stats as AvailabilityStats;

/** 4 ops before the partition, 4 on each side during it, 1 after. */
function partitioned() {
  const h = history();
  [10, 20, 30, 40].forEach((ms, i) => h.write(0, 'x', i, [i, i + ms / 1000]));
  h.partition([10, 20], [['n1', 'n2', 'n3'], ['n4', 'n5']]);
  // Majority side (n1): 3 ok at 100 ms, one timeout (info) at 500 ms.
  h.write(1, 'x', 10, [11, 11.1]).write(1, 'x', 11, [12, 12.1]).write(1, 'x', 12, [13, 13.1]);
  h.write(1, 'x', 13, [14, 14.5], { outcome: 'info' });
  // Minority side (n4): 1 ok at 50 ms, three refusals at 200 ms.
  h.read(3, 'x', 10, [11, 11.05], { node: 'n4' });
  for (const t of [12, 13, 14]) h.write(3, 'x', 100 + t, [t, t + 0.2], { node: 'n4', outcome: 'fail' });
  h.write(0, 'x', 99, [21, 21.01]);
  return h;
}

describe('availability', () => {
  it('splits ops by fault windows and by the contacted node’s side of the partition', () => {
    const r = availability(partitioned().build(), { nodes: NODES });
    expect(r.valid).toBe(true);
    const s = r.stats as AvailabilityStats;
    expect(s.overall).toMatchObject({ ops: 13, ok: 9, fail: 3, info: 1 });
    expect(s.outsideFaults).toMatchObject({ ops: 5, ok: 5, okFraction: 1 });
    expect(s.duringFaults).toMatchObject({ ops: 8, ok: 4, okFraction: 0.5 });
    expect(s.byFault.partition.ops).toBe(8);
    expect(s.partition.majority).toMatchObject({ ops: 4, ok: 3, info: 1, okFraction: 0.75, infoFraction: 0.25 });
    expect(s.partition.minority).toMatchObject({ ops: 4, ok: 1, fail: 3, refused: 0, answeredFraction: 0.25, okFraction: 0.25, failFraction: 0.75 });
    expect(s.partition.all.okFraction).toBe(0.5);
  });

  it('computes nearest-rank latency percentiles in milliseconds', () => {
    const s = stats(partitioned().build());
    // All 13 latencies: 10 10 20 30 40 50 100 100 100 200 200 200 500.
    expect(s.overall.latencyMs!.p50).toBeCloseTo(100, 6);
    expect(s.overall.latencyMs!.p95).toBeCloseTo(500, 6);
    expect(s.overall.latencyMs!.p99).toBeCloseTo(500, 6);
    // Outside faults: 10 20 30 40 10.
    expect(s.outsideFaults.latencyMs!.p50).toBeCloseTo(20, 6);
    expect(s.outsideFaults.latencyMs!.p99).toBeCloseTo(40, 6);
    // Minority, ok ops only: the single 50 ms read.
    expect(s.partition.minority.okLatencyMs!.p99).toBeCloseTo(50, 6);
    expect(s.partition.majority.okLatencyMs!.p50).toBeCloseTo(100, 6);
  });

  it('derives the side from the grudge when a one-way partition has no components', () => {
    const h = history()
      // n1 drops every message from the others: it cannot hear a majority.
      .fault('partition', [1, 5], { shape: 'one-way', grudge: { n1: ['n2', 'n3', 'n4', 'n5'] } })
      .write(0, 'x', 1, [2, 3], { node: 'n1', outcome: 'info' })
      .write(1, 'x', 2, [2, 3], { node: 'n2' });
    const s = stats(h.build());
    expect(s.partition.minority).toMatchObject({ ops: 1, info: 1 });
    expect(s.partition.majority).toMatchObject({ ops: 1, ok: 1 });
  });

  it('keeps ops to a killed node out of the partition sides but in the kill bucket', () => {
    const h = history()
      .partition([1, 10], [['n1', 'n2', 'n3'], ['n4', 'n5']])
      .fault('kill', [2, 4], { nodes: ['n4'] })
      .write(0, 'x', 1, [3, 3.1], { node: 'n4', outcome: 'fail' })
      .write(1, 'x', 2, [5, 5.1], { node: 'n4' });
    const s = stats(h.build());
    expect(s.byFault.kill).toMatchObject({ ops: 1, fail: 1 });
    expect(s.byFault.partition.ops).toBe(2);
    expect(s.partition.minority).toMatchObject({ ops: 1, ok: 1 });
  });

  it('takes a node out of the partition sides for any fault whose value says node-down, whatever its name', () => {
    const run = (kind: string, value: Record<string, unknown>) =>
      stats(
        history()
          .partition([1, 10], [['n1', 'n2', 'n3'], ['n4', 'n5']])
          .fault(kind, [2, 4], value)
          .write(0, 'x', 1, [3, 3.1], { node: 'n4', outcome: 'fail' })
          .write(1, 'x', 2, [5, 5.1], { node: 'n4' })
          .build(),
      );
    // A fault no code names (a whole-cluster freeze, say) that declares it takes its nodes down.
    const frozen = run('freeze-all', { effect: 'node-down', nodes: ['n4', 'n5'] });
    expect(frozen.byFault['freeze-all']).toMatchObject({ ops: 1, fail: 1 });
    expect(frozen.partition.minority).toMatchObject({ ops: 1, ok: 1 });
    // The same name declaring a link effect leaves n4 up: its refused op is the minority side's.
    const slowed = run('freeze-all', { effect: 'link', nodes: ['n4', 'n5'] });
    expect(slowed.partition.minority).toMatchObject({ ops: 2, ok: 1, fail: 1 });
    // A kill declared as something else is believed: the value, not the name, decides.
    expect(run('kill', { effect: 'clock', nodes: ['n4'] }).partition.minority.ops).toBe(2);
    // A history written before values carried effects: kill and pause still take their nodes down.
    expect(run('pause', { nodes: ['n4'] }).partition.minority.ops).toBe(1);
    expect(run('made-up', { nodes: ['n4'] }).partition.minority.ops).toBe(2);
  });

  it('ignores faults the nemesis failed to start, counts pending ops as info, and skips final reads', () => {
    const h = history()
      .nemesis(1, 'start-partition', { grudge: { n1: ['n2'] } }, { error: 'no permission' })
      .write(0, 'x', 1, [2, 3])
      .write(1, 'x', 2, [2, 3], { outcome: 'pending' })
      .heal(4)
      .finalRound(0, [5, 6], { x: { n1: 1, n2: 1 } });
    const s = stats(h.build());
    expect(s.duringFaults.ops).toBe(0);
    expect(s.overall).toMatchObject({ ops: 2, ok: 1, info: 1 });
    expect(s.pending).toBe(1);
    expect(s.duringFaults.okFraction).toBeNull();
  });

  it('counts a definite refusal (cas mismatch, missing key) as answered, and an unavailable node as not', () => {
    const h = history()
      .partition([1, 10], [['n1', 'n2', 'n3'], ['n4', 'n5']])
      .cas(0, 'x', 1, 2, [2, 2.1], { node: 'n4', outcome: 'fail', error: [22, 'expected 1, but had 3'] })
      .cas(0, 'x', 1, 2, [3, 3.1], { node: 'n4', outcome: 'fail', error: 'compare failed' })
      .cas(0, 'x', 1, 2, [4, 4.1], { node: 'n4', outcome: 'fail', error: { code: 20, text: 'key x does not exist' } })
      .cas(0, 'x', 1, 2, [5, 5.1], { node: 'n4', outcome: 'fail', error: [11, 'temporarily unavailable'] })
      .read(0, 'x', null, [6, 6.1], { node: 'n4', outcome: 'fail', error: 'timeout' });
    const m = stats(h.build()).partition.minority;
    expect(m).toMatchObject({ ops: 5, ok: 0, fail: 5, refused: 3, answered: 3, answeredFraction: 0.6, okFraction: 0 });
  });

  it('rejects a partition value it cannot read', () => {
    const ops = history().nemesis(1, 'start-partition', 'n1|n2').build();
    expect(() => availability(ops)).toThrow(InputError);
  });
});

describe('availabilityDemanding (Maelstrom --availability)', () => {
  const ctx = { nodes: NODES } as Parameters<ReturnType<typeof availabilityDemanding>['check']>[1];
  it('fails a run that left ops unanswered when every op must be answered, naming how many', async () => {
    // 13 ops: 9 ok, 3 plain fails (not definite refusals), 1 info.
    const r = await availabilityDemanding(1).check(partitioned().build(), ctx);
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatchObject({ kind: 'unavailable', answered: 9, ops: 13, unanswered: 4, demanded: 1 });
    expect(r.anomalies[0].message).toMatch(/9 of 13 client ops were answered .*every client op answered \(--availability total\).*3 failed and 1 got no answer/);
  });

  it('passes at or above the demanded share, and says unknown with no client op', async () => {
    expect((await availabilityDemanding(0.6).check(partitioned().build(), ctx)).valid).toBe(true);
    expect((await availabilityDemanding(0.7).check(partitioned().build(), ctx)).valid).toBe(false); // 9/13 = 0.69
    const all = history().write(0, 'x', 1, [1, 2]).write(1, 'x', 2, [1, 2]).build();
    expect((await availabilityDemanding(1).check(all, ctx)).valid).toBe(true);
    const none = await availabilityDemanding(1).check(history().build(), ctx);
    expect(none.valid).toBe('unknown');
    expect(none.reason).toMatch(/no client op/);
  });
});
