// The txn workloads on the built-in target, through the CLI as a user runs them: raft (each txn one log
// entry) is strict-serializable, lww (micro-ops on one node) is not, and each raft txn bug is caught with
// the anomaly it makes. Short fault-free runs keep this quick; the detection rates over 10 seeds under
// partitions are in the notes.
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { checkerOf, cliJson, tmpStore } from './run-helpers.js';

describe('txn workloads on the builtin target', () => {
  const store = tmpStore();
  const run = (w: string, config: string, extra: string[] = []) =>
    cliJson(['run', '--target', 'builtin', '--workload', w, '--config', config, '--nemesis', 'none', '--time-limit', '2', '--quiescence', '0', '--seed', '3', '--store', store, ...extra]);

  it('raft is strict-serializable under both data models; lww is not, even as read-committed', () => {
    const la = run('txn-list-append', 'raft');
    expect(la.code).toBe(0);
    const c = checkerOf(la.out.results, 'list-append');
    expect(c.valid).toBe(true);
    expect(c.stats.ok).toBeGreaterThan(50);
    expect(checkerOf(run('txn-rw-register', 'raft').out.results, 'rw-register').valid).toBe(true);

    const lww = run('txn-list-append', 'lww', ['--consistency-models', 'read-committed']);
    expect(lww.code).toBe(1);
    const l = checkerOf(lww.out.results, 'list-append');
    expect(l.valid).toBe(false);
    expect(l.not.length).toBeGreaterThan(0);
  });

  it('each raft txn bug is caught, held only to serializable, with the anomaly it makes', () => {
    const cases: [string, RegExp][] = [
      ['unseen-own-writes', /^internal$/],
      ['split-txn', /^(internal|G1b|G-single|G2-item|G1c|G0|lost-update|G-nonadjacent|dirty-update|G1a)$/],
      ['txn-local-reads', /^(lost-update|G-single|G2-item|G-nonadjacent|incompatible-order)$/],
    ];
    for (const [bug, anomaly] of cases) {
      const r = run('txn-list-append', 'raft', ['--bug', bug, '--consistency-models', 'serializable']);
      const c = checkerOf(r.out.results, 'list-append');
      expect(c.valid, bug).toBe(false);
      expect(c.anomalyTypes.some((t: string) => anomaly.test(t)), `${bug}: ${c.anomalyTypes}`).toBe(true);
    }
  });

  it('raft rw-register may assume linearizable and sequential keys; the run keeps them and check RUN uses them', () => {
    const r = run('txn-rw-register', 'raft', ['--linearizable-keys', '--sequential-keys']);
    expect(r.code).toBe(0);
    const c = checkerOf(r.out.results, 'rw-register');
    expect(c.valid).toBe(true);
    expect(c.stats.assumedVersionPairs).toBeGreaterThan(0);
    const again = cli(['check', '--json', r.out.dir]);
    expect(again.code).toBe(0);
    const rechecked = JSON.parse(again.stdout.trim().split('\n').pop() ?? '');
    expect(checkerOf(rechecked, 'rw-register').stats.assumedVersionPairs).toBe(c.stats.assumedVersionPairs);
    // Without the flags, nothing is assumed.
    expect(checkerOf(run('txn-rw-register', 'raft').out.results, 'rw-register').stats.assumedVersionPairs).toBeUndefined();
  });

  it('refuses key assumptions the promise does not justify, or that list-append does not need', () => {
    const lww = cli(['run', '--target', 'builtin', '--workload', 'txn-rw-register', '--config', 'lww', '--linearizable-keys', '--nemesis', 'none', '--time-limit', '1', '--store', store]);
    expect(lww.code).toBe(254);
    expect(lww.stderr).toMatch(/--linearizable-keys assumes every key of builtin lww is linearizable, but it promises AP/);
    const la = cli(['run', '--target', 'builtin', '--workload', 'txn-list-append', '--sequential-keys', '--nemesis', 'none', '--time-limit', '1', '--store', store]);
    expect(la.code).toBe(254);
    expect(la.stderr).toMatch(/--sequential-keys applies to txn-rw-register only/);
    const reg = cli(['run', '--target', 'builtin', '--workload', 'register', '--sequential-keys', '--nemesis', 'none', '--time-limit', '1', '--store', store]);
    expect(reg.code).toBe(254);
    expect(reg.stderr).toMatch(/--sequential-keys applies to the txn workloads/);
  });

  it('refuses a txn bug on a workload that never reaches it', () => {
    const r = cli(['run', '--target', 'builtin', '--workload', 'register', '--bug', 'split-txn', '--nemesis', 'none', '--time-limit', '1', '--store', store]);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/split-txn bug is in the transaction path/);
  });
});
