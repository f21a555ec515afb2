// Maelstrom's kafka workload end to end: a single-node log passes; a log that reuses offsets and one that drops
// sends it acknowledged before its replica had them each fail with the finding that fits.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../../paths.js';
import { checkerOf, cliJson, tmpStore } from './run-helpers.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'maelstrom');

describe('kafka workload', () => {
  it('a single-node log passes under pauses; its broken twins fail with the right finding', () => {
    const store = tmpStore();
    const args = (bin: string) => ['run', '--target', 'maelstrom', '--workload', 'kafka', '--nodes', '1', '--nemesis', 'pause', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '1', '--rate', '300', '--seed', '13', '--store', store, '--bin', join(FIX, bin)];
    const good = cliJson(args('kafka-log.mjs'));
    expect(good.code).toBe(0);
    const k = checkerOf(good.out.results, 'kafka');
    expect(k.valid).toBe(true);
    expect(k.stats.sends).toBeGreaterThan(100);
    expect(k.stats.polls).toBeGreaterThan(100);

    const reuse = cliJson(args('kafka-reuse-offsets.mjs'));
    expect(reuse.code).toBe(1);
    expect(checkerOf(reuse.out.results, 'kafka').stats['inconsistent-offsets']).toBeGreaterThan(0);

    const drop = cliJson(args('kafka-drop-unacked.mjs'));
    expect(drop.code).toBe(1);
    const d = checkerOf(drop.out.results, 'kafka');
    expect(d.stats['lost-write']).toBeGreaterThan(0);
    expect(d.stats['inconsistent-offsets']).toBe(0);
  });
});
