import { describe, expect, it } from 'vitest';
import { availability } from '../../checkers/availability.js';
import { capSummary, formatPercent } from '../../checkers/cap.js';
import { checkConvergence } from '../../checkers/convergence.js';
import { checkRegisterAnomalies } from '../../checkers/register-anomalies.js';
import type { CheckResult, Validity } from '../../checkers/result.js';
import { compareRowFrom, renderCompareTable } from '../../harness/report/compare-table.js';
import { history } from './history-builder.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const lin = (valid: Validity): CheckResult => ({ checker: 'linearizable', valid, anomalies: [], stats: {}, facts: { linearizable: valid, consistent: valid } });

/** A CP-like run: the majority serves 41 of 50 ops during the partition, the minority refuses all 50. */
function cpResults(): CheckResult[] {
  const h = history().partition([10, 20], [['n1', 'n2', 'n3'], ['n4', 'n5']]);
  for (let i = 0; i < 50; i++) {
    const t = 10.1 + i * 0.1;
    h.write(1, 'x', i, [t, t + 0.05], { node: 'n1', outcome: i < 41 ? 'ok' : 'info' });
    h.write(2, 'y', i, [t, t + 0.02], { node: 'n4', outcome: 'fail' });
  }
  h.read(1, 'x', 40, [21, 21.1]).heal(22).finalRound(0, [23, 23.3], { x: Object.fromEntries(NODES.map((n) => [n, 40])) });
  const ops = h.build();
  return [lin(true), checkRegisterAnomalies(ops), checkConvergence(ops, { nodes: NODES }), availability(ops, { nodes: NODES })];
}

/** An AP-like run: everything answers during the partition, the minority serves a stale read, then all converge. */
function apResults(): CheckResult[] {
  const h = history()
    .write(0, 'x', 1, [0, 1])
    .partition([2, 10], [['n1', 'n2', 'n3'], ['n4', 'n5']])
    .write(0, 'x', 2, [3, 3.1], { node: 'n1' })
    .read(1, 'x', 1, [4, 4.1], { node: 'n4' })
    .heal(10)
    .finalRound(0, [11, 11.4], { x: Object.fromEntries(NODES.map((n) => [n, 2])) });
  const ops = h.build();
  return [lin(false), checkRegisterAnomalies(ops), checkConvergence(ops, { nodes: NODES }), availability(ops, { nodes: NODES })];
}

/** Hand-made results with the numbers of the design's example sentence. */
function apExample(): CheckResult[] {
  const bucket = (answeredFraction: number, ops = 1000) => ({ ops, answeredFraction });
  return [
    lin(false),
    { checker: 'register-anomalies', valid: false, anomalies: [], stats: {}, facts: { staleReads: 37, lostWrites: 12, phantoms: 0 } },
    {
      checker: 'convergence',
      valid: true,
      anomalies: [],
      stats: {},
      facts: { converged: true, finalLostWrites: 0, finalPhantoms: 0, convergence: { secondsToConverge: 1.43, secondsAfterLoad: null } },
    },
    {
      checker: 'availability',
      valid: true,
      anomalies: [],
      stats: {},
      facts: {
        answered: { duringFaults: bucket(0.997), duringPartitions: bucket(0.998), majority: bucket(1), minority: bucket(0.995) },
        p99Ms: 3,
      },
    },
  ];
}

describe('capSummary', () => {
  it('calls a linearizable run that refuses the minority consistent', () => {
    const s = capSummary(cpResults());
    expect(s.verdict).toBe('consistent');
    expect(s.sentence).toMatch(/^consistent: linearizable; 41% of ops answered during partitions \(0% on the minority side\); converged [\d.]+ s after heal$/);
    expect(s.numbers).toMatchObject({ answeredDuringPartitions: 0.41, answeredMinority: 0, answeredMajority: 0.82, staleReads: 0, lostWrites: 0, consistent: true, available: false });
  });

  it('calls a run that always answers but serves stale reads available, even without a linearizability verdict', () => {
    const results = apResults();
    expect(capSummary(results).verdict).toBe('available');
    const undecided = capSummary([lin('unknown'), ...results.slice(1)]);
    expect(undecided.verdict).toBe('available');
    expect(undecided.sentence).toBe('available: linearizability undecided; 100% of ops answered during partitions (100% on the minority side); 1 stale read (by node: n4 1); converged 1.4 s after heal');
    // The stale read is pinned on the replica that served it: n4, on the minority side.
    expect(undecided.numbers.staleReadsByNode).toEqual({ n4: 1 });
  });

  it('writes the example sentence from the numbers', () => {
    const s = capSummary(apExample());
    expect(s.sentence).toBe(
      'available: not linearizable; 99.8% of ops answered during partitions (99.5% on the minority side); 37 stale reads, 12 lost writes; converged 1.4 s after heal',
    );
    expect(s.numbers).toMatchObject({ staleReads: 37, lostWrites: 12, convergenceSeconds: 1.43 });
  });

  it('says neither, both, or unknown when that is what the results show', () => {
    const cp = cpResults();
    expect(capSummary([lin(false), ...cp.slice(1)]).verdict).toBe('neither');
    const ap = apExample();
    expect(capSummary([lin(true), ap[2], ap[3]]).verdict).toBe('both');
    // No fact contradicts linearizability, and no verdict on it: unknown.
    const u = capSummary([lin('unknown'), ap[2], ap[3]]);
    expect(u.verdict).toBe('unknown');
    expect(u.sentence).toMatch(/^unknown: linearizability undecided; 99.8% of ops answered/);
    // A minority side below the threshold makes a run unavailable however good the total.
    const lowMinority = capSummary(ap, { availableThreshold: 0.999 });
    expect(lowMinority.numbers.available).toBe(false);
    expect(lowMinority.verdict).toBe('neither');
  });

  it('does not call a run "both" when no partition struck (CAP availability is availability under partition)', () => {
    const noPartition: CheckResult = {
      checker: 'availability',
      valid: true,
      anomalies: [],
      stats: {},
      facts: {
        answered: {
          duringFaults: { ops: 50, answeredFraction: 1 },
          duringPartitions: { ops: 0, answeredFraction: null },
          majority: { ops: 0, answeredFraction: null },
          minority: { ops: 0, answeredFraction: null },
        },
      },
    };
    const r = capSummary([lin(true), noPartition]);
    expect(r.numbers.available).toBe(true);
    expect(r.verdict).toBe('consistent');
    expect(r.sentence).toMatch(/no partition struck, so availability under partition was not tested/);
  });

  it('judges set-only runs from the set checker', () => {
    const avail = apExample()[3];
    const set = (valid: boolean, linearizable: boolean, staleReads: number): CheckResult => ({
      checker: 'set',
      valid,
      anomalies: [],
      stats: {},
      facts: { staleReads, lostWrites: 0, phantoms: 0, ...(linearizable && valid ? { consistent: true } : {}) },
    });
    const cp = capSummary([set(true, true, 0), avail]);
    expect(cp.verdict).toBe('both');
    expect(cp.sentence).toContain('no stale, lost or unexpected elements (set, linearizable mode)');
    const ap = capSummary([set(true, false, 5), avail]);
    expect(ap.verdict).toBe('available');
    expect(ap.sentence).toContain('linearizability not checked; 99.8% of ops answered during partitions (99.5% on the minority side); 5 stale reads');
  });

  it('cannot judge availability without ops during faults', () => {
    const ops = history().write(0, 'x', 1, [0, 1]).read(1, 'x', 1, [2, 3]).build();
    const s = capSummary([lin(true), availability(ops)]);
    expect(s.verdict).toBe('unknown');
    expect(s.sentence).toBe('unknown: linearizable; no ops ran during faults');
  });

  it('formats percentages without rounding partial success to 100% or to 0%', () => {
    expect([0.998, 0.41, 0, 1, 0.99996, 0.00001, 0.5].map(formatPercent)).toEqual(['99.8%', '41%', '0%', '100%', '99.9%', '<0.1%', '50%']);
  });
});

describe('renderCompareTable', () => {
  it('puts each configuration’s numbers in its own column', () => {
    const rows = [
      compareRowFrom('raft-cp', cpResults(), { opsPerSec: 812.4, storePath: 'store/a', messagesPerOp: 3.04, valid: true }),
      compareRowFrom('lww-ap', apExample(), { opsPerSec: 2310, storePath: 'store/b', valid: false }),
    ];
    const text = renderCompareTable(rows);
    const lines = text.split('\n');
    const header = lines[0];
    const colCp = header.indexOf('raft-cp');
    const colAp = header.indexOf('lww-ap');
    expect(colCp).toBeGreaterThan(0);
    expect(colAp).toBeGreaterThan(colCp);
    const cell = (label: string, col: number): string => {
      const line = lines.find((l) => l.startsWith(label))!;
      expect(line, label).toBeDefined();
      return line.slice(col).split(/\s{2,}/)[0].trim();
    };
    expect(cell('answered during faults', colCp)).toBe('41%');
    expect(cell('answered during faults', colAp)).toBe('99.7%');
    expect(cell('answered, minority side', colCp)).toBe('0%');
    expect(cell('answered, minority side', colAp)).toBe('99.5%');
    expect(cell('linearizable', colCp)).toBe('yes');
    expect(cell('linearizable', colAp)).toBe('no');
    expect(cell('stale reads', colCp)).toBe('0');
    expect(cell('stale reads', colAp)).toBe('37');
    expect(cell('lost writes', colAp)).toBe('12');
    expect(cell('convergence after heal', colAp)).toBe('1.4 s');
    expect(cell('ops/s', colCp)).toBe('812');
    expect(cell('ops/s', colAp)).toBe('2310');
    expect(cell('p99 latency', colAp)).toBe('3 ms');
    expect(cell('messages per op', colCp)).toBe('3');
    expect(cell('messages per op', colAp)).toBe('n/a');
    expect(cell('kept its promise', colCp)).toBe('yes');
    expect(cell('kept its promise', colAp)).toBe('no');
    expect(cell('CAP verdict', colCp)).toBe('consistent');
    expect(cell('CAP verdict', colAp)).toBe('available');
    expect(text).toContain('lww-ap: available: not linearizable;');
    expect(text).toContain('raft-cp stored in store/a');
    // Plain text: no escape codes.
    expect(text.includes('\u001b[')).toBe(false);
  });

  it('shows n/a and "not converged" where a run has no number', () => {
    const notConverged: CheckResult = {
      checker: 'convergence',
      valid: false,
      anomalies: [{ kind: 'not-converged', message: 'not converged by the bound (5 s)' }],
      stats: {},
      facts: { converged: false, convergence: { secondsToConverge: null, secondsAfterLoad: null, failure: 'not converged by the bound (5 s)' } },
    };
    const text = renderCompareTable([compareRowFrom('bare', [notConverged], { opsPerSec: 3.25, storePath: '' })]);
    expect(text).toMatch(/convergence after heal\s+not converged/);
    expect(text).toMatch(/answered during faults\s+n\/a/);
    expect(text).toMatch(/linearizable\s+not checked/);
    expect(text).toMatch(/ops\/s\s+3\.3/);
  });
});
