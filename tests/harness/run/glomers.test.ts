// Gossip Glomers nodes written against Maelstrom's docs, under partitions: the efficient broadcast (3d/3e)
// gossips only over a tree's links and still delivers every acknowledged message once partitions heal.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../../paths.js';
import { checkerOf, cliJson, tmpStore } from './run-helpers.js';

const GLOMERS = join(ROOT, 'tests', 'fixtures', 'maelstrom', 'glomers');

describe('Gossip Glomers nodes', () => {
  it('efficient broadcast on a tree delivers everything under partitions, with statistics', () => {
    const store = tmpStore();
    const r = cliJson(['test', '-w', 'broadcast', '--bin', join(GLOMERS, 'broadcast-efficient.mjs'), '--node-count', '5', '--topology', 'tree2', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '1', '--rate', '100', '--seed', '13', '--store', store]);
    expect(r.code).toBe(0);
    expect(checkerOf(r.out.results, 'set').stats.lostAcknowledged).toBe(0);
    expect(r.out.results.summary.faults).toBeGreaterThan(0);
    expect(r.out.results.summary.net.neverStable).toBe(0);
    expect(r.out.results.summary.net.msgsPerOp).toBeGreaterThan(0);
  });
});
