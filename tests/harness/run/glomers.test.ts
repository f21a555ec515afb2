// Gossip Glomers nodes written against Maelstrom's docs, each run as its challenge asks (translated to
// faultline's command line, shorter), under partitions where the challenge is about faults: single-node (3a)
// and multi-node (3b) broadcast, efficient broadcast over a given tree (3e) and around a hub (3d) under
// partitions, the multi-node kafka logs on lin-kv (5b, and 5c's owner-per-log node) under partitions, and the
// transaction nodes (6a on one node; 6b and 6c on two, under partitions) held to the consistency model each challenge names.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../../paths.js';
import { checkerOf, cliJson, tmpStore } from './run-helpers.js';

const GLOMERS = join(ROOT, 'tests', 'fixtures', 'maelstrom', 'glomers');

describe('Gossip Glomers nodes', () => {
  it('3a: a single broadcast node keeps every message; 3b: flooding a grid reaches every node', () => {
    const store = tmpStore();
    const single = cliJson(['test', '-w', 'broadcast', '--bin', join(GLOMERS, 'broadcast-single.mjs'), '--node-count', '1', '--time-limit', '2', '--quiescence', '0', '--rate', '20', '--seed', '13', '--store', store]);
    expect(single.code).toBe(0);
    expect(checkerOf(single.out.results, 'set').stats.lostAcknowledged).toBe(0);
    expect(single.out.results.summary.net.messages.servers).toBe(0);

    const multi = cliJson(['test', '-w', 'broadcast', '--bin', join(GLOMERS, 'broadcast-multi.mjs'), '--node-count', '5', '--topology', 'grid', '--time-limit', '2', '--quiescence', '0', '--rate', '20', '--seed', '13', '--store', store]);
    expect(multi.code).toBe(0);
    expect(checkerOf(multi.out.results, 'set').stats.lostAcknowledged).toBe(0);
    // Every broadcast reaches the four other nodes, one copy each at least; reads send none: > 1 per op.
    expect(multi.out.results.summary.net.msgsPerOp).toBeGreaterThan(1);
  }, 180_000); // several runs in one test: room for a loaded CI machine

  it('3e on a tree: gossip over the given links delivers everything under partitions, with statistics', () => {
    const store = tmpStore();
    const r = cliJson(['test', '-w', 'broadcast', '--bin', join(GLOMERS, 'broadcast-tree.mjs'), '--node-count', '5', '--topology', 'tree2', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '1', '--rate', '100', '--seed', '13', '--store', store]);
    expect(r.code).toBe(0);
    expect(checkerOf(r.out.results, 'set').stats.lostAcknowledged).toBe(0);
    expect(r.out.results.summary.faults).toBeGreaterThan(0);
    expect(r.out.results.summary.net.neverStable).toBe(0);
    expect(r.out.results.summary.net.msgsPerOp).toBeGreaterThan(0);
  });

  it("3d: the hub-and-spokes node delivers everything under partitions within 3d's messages per op", () => {
    const store = tmpStore();
    const r = cliJson(['test', '-w', 'broadcast', '--bin', join(GLOMERS, 'broadcast-efficient.mjs'), '--node-count', '5', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '2', '--rate', '100', '--max-msgs-per-op', '30', '--seed', '13', '--store', store]);
    expect(r.code).toBe(0);
    expect(checkerOf(r.out.results, 'set').stats.lostAcknowledged).toBe(0);
    expect(checkerOf(r.out.results, 'net-targets').valid).toBe(true);
    expect(r.out.results.summary.faults).toBeGreaterThan(0);
    expect(r.out.results.summary.net.neverStable).toBe(0);
  });

  it('5b and 5c: two-node kafka logs on lin-kv pass under partitions; owning each log costs fewer messages than cas on lin-kv, and availability', () => {
    const store = tmpStore();
    const run = (bin: string, ...extra: string[]) =>
      cliJson(['test', '-w', 'kafka', '--bin', join(GLOMERS, bin), '--node-count', '2', '--concurrency', '2n', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '1', '--rate', '300', '--seed', '13', '--store', store, ...extra]);
    const casLog = run('kafka-lin-kv.mjs');
    expect(casLog.code).toBe(0);
    const k = checkerOf(casLog.out.results, 'kafka');
    expect(k.stats.sends).toBeGreaterThan(50);
    expect(casLog.out.results.summary.faults).toBeGreaterThan(0);
    expect(casLog.out.results.summary.net.messages.servers).toBeGreaterThan(0); // it really talks to lin-kv

    // Its logs are right, but a node cut off from a log's owner cannot serve that log: held to Maelstrom's
    // --availability total (which 5c does not ask for), the run fails on availability alone.
    const owned = run('kafka-efficient.mjs', '--availability', 'total');
    expect(owned.code).toBe(1);
    expect(checkerOf(owned.out.results, 'kafka').valid).toBe(true);
    expect(checkerOf(owned.out.results, 'kafka').stats.sends).toBeGreaterThan(50);
    const avail = checkerOf(owned.out.results, 'availability');
    expect(avail.valid).toBe(false);
    expect(avail.anomalies[0].kind).toBe('unavailable');
    expect(owned.out.results.summary.net.msgsPerOp).toBeLessThan(casLog.out.results.summary.net.msgsPerOp);
  }, 180_000); // several runs in one test: room for a loaded CI machine

  it('6a-6c: txn-rw-register nodes hold read uncommitted (one node, then two) and read committed, and stay available under partitions; aborted reads fail read committed', () => {
    const store = tmpStore();
    const run = (bin: string, nodes: string, model: string, faults: string[]) =>
      cliJson(['test', '-w', 'txn-rw-register', '--bin', join(GLOMERS, bin), '--node-count', nodes, '--concurrency', '2n', '--consistency-models', model, ...faults, '--time-limit', '2', '--quiescence', '0', '--rate', '300', '--seed', '13', '--store', store]);
    const single = run('txn-single.mjs', '1', 'read-uncommitted', []);
    expect(single.code).toBe(0);
    expect(checkerOf(single.out.results, 'rw-register').stats.ok).toBeGreaterThan(100);

    for (const [bin, model] of [['txn-read-uncommitted.mjs', 'read-uncommitted'], ['txn-replicated.mjs', 'read-committed']]) {
      // Totally available, as the challenges ask: a node answers from its own state, partition or not.
      const r = run(bin, '2', model, ['--nemesis', 'partition', '--nemesis-interval', '1', '--availability', 'total']);
      expect(r.code, `${bin} under ${model}`).toBe(0);
      const rw = checkerOf(r.out.results, 'rw-register');
      expect(rw.facts.consistencyClaim).toBe(model);
      expect(rw.stats.ok).toBeGreaterThan(100);
      expect(r.out.results.checkers.find((c: any) => c.checker === 'availability').enforced).toBe(true);
      expect(checkerOf(r.out.results, 'availability').facts.answered.duringPartitions.ops).toBeGreaterThan(0);
    }

    // The 6c node with a bug: it reports some writing transactions aborted but keeps their writes.
    const dirty = run('txn-dirty-abort.mjs', '2', 'read-committed', []);
    expect(dirty.code).toBe(1);
    expect(checkerOf(dirty.out.results, 'rw-register').stats.anomalyCounts.G1a).toBeGreaterThan(0);
  }, 180_000); // several runs in one test: room for a loaded CI machine
});
